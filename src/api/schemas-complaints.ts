import Type, { type Static } from 'typebox';
import {
  IncidentStateSchema,
  OriginSchema,
  TICKET_STATES,
  TicketStateSchema,
} from '../complaints/types.ts';
import { Nullable, Words } from '../core/words.ts';
import {
  ActionSchema,
  CATEGORIES,
  CauseSchema,
  CHANNELS,
  DiagnosisSchema,
  EvidenceSchema,
  LevelSchema,
  LocalTextSchema,
} from '../diagnosis/schemas.ts';
import { ErrorSchema, IdParams } from './schemas.ts';
import { SeasonSummaryViewSchema } from './schemas-ledger.ts';

/** Request and response schemas of the service desk's routes (issue 10, DESIGN §4.3, §4.7). */

const Time = Type.String({ format: 'date-time' });
const Id = IdParams.properties.id;
const Text = (maxLength: number, description?: string) =>
  Type.String({ maxLength, ...(description === undefined ? {} : { description }) });

export const ComplaintBody = Type.Object(
  {
    household: Type.Optional(Id),
    address: Type.Optional(
      Type.Object(
        {
          building: Id,
          floor: Type.Integer({ minimum: -10, maximum: 300 }),
          unit: Type.Integer({ minimum: 0, maximum: 999, description: 'Door number on the floor' }),
        },
        {
          additionalProperties: false,
          description: 'The household by its address, as a caller gives it',
        },
      ),
    ),
    category: Words(CATEGORIES),
    channel: Type.Optional(Words(CHANNELS, 'How the call came in (default hotline)')),
    reportedAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'When the resident called (default: now)' }),
    ),
    reportedTempC: Type.Optional(
      Type.Number({
        minimum: -40,
        maximum: 60,
        description: 'What the resident’s own thermometer says',
      }),
    ),
    description: Type.Optional(Text(2000)),
    contact: Type.Optional(Text(200, 'Phone or name to call back; not shown to viewers')),
  },
  { additionalProperties: false },
);

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'A retried post with the same key returns the first answer',
    }),
  ),
});

export const EvidenceViewSchema = Type.Object({
  ...EvidenceSchema.properties,
  at: Nullable(Time),
});

export const DiagnosisViewSchema = Type.Object({
  ...DiagnosisSchema.properties,
  evidence: Type.Array(EvidenceViewSchema),
});

export const TicketViewSchema = Type.Object({
  id: Type.String(),
  state: TicketStateSchema,
  dueAt: Time,
});

export const ComplaintViewSchema = Type.Object({
  id: Type.String(),
  household: Type.String(),
  building: Type.String(),
  zone: Type.String(),
  substation: Type.String(),
  category: Words(CATEGORIES),
  channel: Words(CHANNELS),
  reportedAt: Time,
  receivedAt: Time,
  reportedTempC: Nullable(Type.Number()),
  description: Nullable(Type.String()),
  contact: Type.Optional(
    Nullable(Type.String({ description: 'Residents’ personal data: absent for viewers' })),
  ),
  actor: Type.String({ description: 'Who took the call' }),
  diagnosis: DiagnosisViewSchema,
  incidentId: Nullable(Type.String()),
  ticket: Nullable(TicketViewSchema),
});

export const IncidentRefSchema = Type.Object({
  id: Type.String(),
  state: IncidentStateSchema,
  etaAt: Nullable(Time),
});

export const IntakeAnswerSchema = Type.Object({
  ...ComplaintViewSchema.properties,
  incident: Nullable(IncidentRefSchema),
});

export const ComplaintListSchema = Type.Object({
  count: Type.Integer(),
  complaints: Type.Array(ComplaintViewSchema),
});

export const ComplaintQuery = Type.Object(
  {
    state: Type.Optional(Words(TICKET_STATES, 'The state of the complaint’s ticket')),
    level: Type.Optional(LevelSchema),
    substation: Type.Optional(Id),
    building: Type.Optional(Id),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Received at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Received before' })),
    overdue: Type.Optional(Type.Boolean({ description: 'Only tickets past their due time' })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);

export const IncidentViewSchema = Type.Object({
  id: Type.String(),
  faultKey: Type.String(),
  level: Words(['network', 'substation', 'building', 'zone'] as const),
  cause: CauseSchema,
  place: Type.String(),
  substation: Type.String(),
  building: Nullable(Type.String()),
  zone: Nullable(Type.String()),
  state: IncidentStateSchema,
  origin: OriginSchema,
  openedAt: Time,
  updatedAt: Time,
  etaAt: Nullable(Time),
  summary: LocalTextSchema,
  evidence: Type.Array(EvidenceViewSchema),
  action: Nullable(ActionSchema),
  complaints: Type.Integer(),
  affectedHouseholds: Type.Integer(),
});

export const IncidentChangeSchema = Type.Object({
  at: Time,
  actor: Type.String(),
  from: Nullable(IncidentStateSchema),
  to: IncidentStateSchema,
  note: Nullable(Type.String()),
});

export const IncidentDetailSchema = Type.Object({
  ...IncidentViewSchema.properties,
  calls: Type.Array(ComplaintViewSchema),
  history: Type.Array(IncidentChangeSchema),
});

export const IncidentListSchema = Type.Object({
  count: Type.Integer(),
  incidents: Type.Array(IncidentViewSchema),
});

export const IncidentQuery = Type.Object(
  {
    state: Type.Optional(IncidentStateSchema),
    substation: Type.Optional(Id),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);

export const IncidentPatchBody = Type.Object(
  {
    to: IncidentStateSchema,
    note: Type.Optional(Text(1000)),
    etaAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'Required for restoring' }),
    ),
    reason: Type.Optional(Text(500, 'Required for invalid')),
  },
  { additionalProperties: false },
);

export const HouseholdViewSchema = Type.Object({
  id: Type.String(),
  floor: Type.Integer(),
  unit: Nullable(Type.Integer()),
  zone: Type.String(),
  building: Type.String(),
  substation: Type.String(),
  areaM2: Type.Number(),
  room: Nullable(
    Type.Object({ tempC: Type.Number(), at: Time }, { description: 'Latest room sensor reading' }),
  ),
  complaints: Type.Array(ComplaintViewSchema),
  /** The running season's ledger summary (issue 11), when the ledger runs. */
  ledger: Type.Optional(Nullable(SeasonSummaryViewSchema)),
});

export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, ErrorSchema] as const));

export type ComplaintView = Static<typeof ComplaintViewSchema>;
export type IntakeAnswerView = Static<typeof IntakeAnswerSchema>;
export type IncidentView = Static<typeof IncidentViewSchema>;
export type IncidentDetailView = Static<typeof IncidentDetailSchema>;
export type HouseholdView = Static<typeof HouseholdViewSchema>;
export type DiagnosisView = Static<typeof DiagnosisViewSchema>;
