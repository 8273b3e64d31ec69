import Type, { type Static } from 'typebox';
import {
  AuditActionSchema,
  AuditResultSchema,
  AutoStateSchema,
  ControlSourceSchema,
  EffectVerdictSchema,
} from '../control/types.ts';
import { Nullable } from '../core/words.ts';
import { ErrorSchema, IdParams } from './schemas.ts';

/** Request and response schemas of the control routes (issue 5, DESIGN §4.3). */

const Time = Type.String({ format: 'date-time' });

const Reason = (description?: string) =>
  Type.String({
    minLength: 3,
    maxLength: 500,
    pattern: '\\S',
    ...(description === undefined ? {} : { description }),
  });

export const FrequencyBody = Type.Object(
  {
    // A bound any drive is within, so a number like 1e308 is refused here as out of
    // range (not later as "not finite"); the pump's own min/max are the control path's.
    hz: Type.Number({ minimum: 0, maximum: 1000, description: 'New frequency setpoint, Hz' }),
    reason: Reason('Why (kept in the audit log)'),
  },
  { additionalProperties: false },
);

export const AutoSwitchBody = Type.Object(
  { enabled: Type.Boolean(), reason: Reason() },
  { additionalProperties: false },
);

export const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  at: Time,
  actor: Type.String(),
  role: Nullable(Type.String()),
  source: ControlSourceSchema,
  pump: Type.String(),
  substation: Nullable(Type.String()),
  device: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  beforeHz: Nullable(Type.Number()),
  requestedHz: Nullable(Type.Number()),
  readBackHz: Nullable(Type.Number({ description: 'Read from the drive after the write' })),
  result: AuditResultSchema,
  code: Nullable(Type.String({ description: 'Why it was refused or failed' })),
  error: Nullable(Type.String()),
  completedAt: Nullable(Time),
  effect: Nullable(
    Type.Object({
      verdict: EffectVerdictSchema,
      deviationBeforeC: Nullable(Type.Number()),
      deviationAfterC: Nullable(Type.Number()),
      judgedAt: Nullable(Time),
    }),
  ),
  action: Type.Optional(AuditActionSchema),
  series: Type.Optional(
    Type.Object(
      {
        attempts: Type.Integer({ minimum: 2 }),
        pumps: Type.Array(Type.String()),
        lastAt: Nullable(Time),
      },
      { description: 'Refused attempts by one caller with one code, sharing this row' },
    ),
  ),
});

export const AuditListSchema = Type.Object({
  count: Type.Integer(),
  entries: Type.Array(AuditEntrySchema),
});

export const AuditQuery = Type.Object(
  {
    pump: Type.Optional(IdParams.properties.id),
    substation: Type.Optional(IdParams.properties.id),
    since: Type.Optional(Type.String({ description: 'ISO time; entries at or after it' })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);

export const AutoStatusSchema = Type.Object({
  enabled: Type.Boolean(),
  state: AutoStateSchema,
  switchedBy: Nullable(
    Type.Object({ enabled: Type.Boolean(), actor: Type.String(), at: Time, reason: Type.String() }),
  ),
  paused: Type.Array(Type.Object({ scope: Type.String(), reason: Type.String(), since: Time })),
  lastRoundAt: Nullable(Time),
  lastActions: Type.Array(
    Type.Object({
      pump: Type.String(),
      fromHz: Type.Number(),
      targetHz: Type.Number(),
      result: Type.String(),
      auditId: Nullable(Type.Integer()),
      message: Nullable(Type.String()),
    }),
  ),
});

export type AuditEntryView = Static<typeof AuditEntrySchema>;
export type AutoStatusView = Static<typeof AutoStatusSchema>;

/** A control error answer: the common body plus the audit entry of the attempt. */
export const ControlErrorSchema = Type.Object({
  ...ErrorSchema.properties,
  auditId: Type.Optional(Type.Integer({ description: 'The audit entry of this attempt' })),
});

/** The control error body for each of these statuses. */
export const controlErrors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, ControlErrorSchema] as const));
