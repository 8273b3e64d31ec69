import Type, { type Static } from 'typebox';
import {
  ALERT_STATES,
  AlertLabelsSchema,
  NotificationLogEntrySchema,
  SEVERITIES,
} from '../alerting/model.ts';
import { RULE_IDS } from '../alerting/rule-words.ts';
import { Nullable, Words } from '../core/words.ts';
import { LocalTextSchema } from '../diagnosis/schemas.ts';
import { IdParams } from './schemas.ts';

/** Request and response schemas of the alert routes (issue 12, DESIGN §4.3). */

const Time = Type.String({ format: 'date-time' });
const Name = Type.String({ minLength: 1, maxLength: 100 });

export const AlertIdParams = IdParams;

export const AlertQuery = Type.Object(
  {
    state: Type.Optional(Words(ALERT_STATES)),
    severity: Type.Optional(Words(SEVERITIES)),
    substation: Type.Optional(Name),
    rule: Type.Optional(Words(RULE_IDS)),
    silenced: Type.Optional(Type.Boolean()),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Started at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Started before' })),
    limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
  },
  { additionalProperties: false },
);

const LogEntryView = Type.Object({ ...NotificationLogEntrySchema.properties, at: Time });

export const AlertViewSchema = Type.Object({
  id: Type.String(),
  fingerprint: Type.String(),
  rule: Type.String(),
  severity: Words(SEVERITIES),
  labels: AlertLabelsSchema,
  summary: LocalTextSchema,
  description: LocalTextSchema,
  state: Words(ALERT_STATES),
  silenced: Type.Boolean(),
  inhibited: Type.Boolean(),
  inhibitedBy: Nullable(Type.String()),
  incidentId: Nullable(Type.String()),
  group: Type.String(),
  startsAt: Time,
  endsAt: Nullable(Time),
  acknowledgedBy: Nullable(Type.String()),
  acknowledgedAt: Nullable(Time),
  assignee: Nullable(Type.String()),
  escalationStep: Type.Integer(),
  notifications: Type.Array(LogEntryView, {
    description: 'Every message that carried it (empty in lists; in full on GET /api/alerts/:id)',
  }),
});

export const AlertListSchema = Type.Object({
  count: Type.Integer(),
  alerts: Type.Array(AlertViewSchema),
});

export const AlertDetailSchema = Type.Object({
  ...AlertViewSchema.properties,
  history: Type.Array(
    Type.Object({
      at: Time,
      actor: Type.String(),
      from: Nullable(Words(ALERT_STATES)),
      to: Words(ALERT_STATES),
      note: Nullable(Type.String()),
    }),
  ),
});

export const AckBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false },
);
export const AssignBody = Type.Object(
  { assignee: Name, note: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false },
);

const MatcherSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    value: Type.String({ maxLength: 256 }),
    isRegex: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);

export const SilenceBody = Type.Object(
  {
    matchers: Type.Array(MatcherSchema, { minItems: 1, maxItems: 20 }),
    owner: Type.Optional(
      Type.String({ maxLength: 100, description: 'Who answers for it (mandatory)' }),
    ),
    comment: Type.Optional(Type.String({ maxLength: 1000 })),
    startsAt: Type.Optional(Time),
    endsAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'Its expiry (mandatory)' }),
    ),
  },
  { additionalProperties: false },
);

export const SilenceQuery = Type.Object(
  {
    expired: Type.Boolean({ default: false, description: 'Include the last week’s expired ones' }),
  },
  { additionalProperties: false },
);

export const SilenceViewSchema = Type.Object({
  id: Type.String(),
  matchers: Type.Array(MatcherSchema),
  owner: Type.String(),
  comment: Type.String(),
  createdBy: Type.String(),
  startsAt: Time,
  endsAt: Time,
  createdAt: Time,
  state: Words(['pending', 'active', 'expired', 'ended'] as const),
});

export const SilenceListSchema = Type.Object({
  count: Type.Integer(),
  silences: Type.Array(SilenceViewSchema),
});

const PersonView = Nullable(Type.Object({ id: Type.String(), name: Type.String() }));
const Local = Type.String({ description: 'The same moment in site.timezone, as people read it' });

export const OnCallSchema = Type.Object({
  at: Time,
  timeZone: Type.String(),
  teams: Type.Array(
    Type.Object({
      team: Type.String(),
      name: Type.String(),
      branches: Type.Array(Type.String()),
      substations: Type.Array(Type.String()),
      lead: PersonView,
      schedule: Nullable(Type.String()),
      onCall: PersonView,
      shift: Nullable(
        Type.Object({ from: Time, to: Time, fromLocal: Local, toLocal: Local, why: Type.String() }),
      ),
      next: Type.Array(
        Type.Object({ at: Time, atLocal: Local, person: PersonView, why: Type.String() }),
      ),
    }),
  ),
  dutyDispatcher: Type.Object({ person: PersonView, schedule: Nullable(Type.String()) }),
});

export type AlertView = Static<typeof AlertViewSchema>;
export type AlertDetailView = Static<typeof AlertDetailSchema>;
export type SilenceView = Static<typeof SilenceViewSchema>;
export type OnCallView = Static<typeof OnCallSchema>;
