import Type, { type Static } from 'typebox';
import { Nullable } from '../core/words.ts';
import { ErrorSchema, IdParams } from './schemas.ts';

/** Request and response schemas of the ledger and compliance routes (issue 11, DESIGN §4.3). */

const Id = IdParams.properties.id;
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Site day YYYY-MM-DD' });
const SeasonId = Type.String({ pattern: '^\\d{4}-\\d{4}$', description: 'e.g. 2026-2027' });
const Yuan = Type.String({ pattern: '^-?\\d+\\.\\d{2}$', description: 'Yuan to the cent' });

export const LedgerQuery = Type.Object(
  {
    season: Type.Optional(SeasonId),
    household: Type.Optional(Id),
    substation: Type.Optional(Id),
    from: Type.Optional(Day),
    to: Type.Optional(Day),
    limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
    after: Type.Optional(Type.String({ description: 'Cursor from the previous page (`next`)' })),
  },
  { additionalProperties: false },
);

export const LedgerCsvQuery = Type.Object(
  {
    season: Type.Optional(SeasonId),
    household: Type.Optional(Id),
    substation: Type.Optional(Id),
    from: Type.Optional(Day),
    to: Type.Optional(Day),
    lang: Type.Union([Type.Literal('zh'), Type.Literal('en'), Type.Literal('both')], {
      default: 'both',
    }),
  },
  { additionalProperties: false },
);

export const LedgerDayViewSchema = Type.Object({
  household: Type.String(),
  day: Type.String(),
  building: Type.String(),
  substation: Type.String(),
  sensorMeanC: Nullable(Type.Number()),
  measuredC: Nullable(Type.Number()),
  tempC: Nullable(Type.Number()),
  belowStandard: Type.Boolean(),
  billedShare: Type.Number(),
  stoppedMinutes: Type.Integer(),
  attribution: Type.String(),
  attributionReason: Nullable(Type.String()),
});

export const SeasonSummaryViewSchema = Type.Object({
  household: Type.String(),
  season: Type.String(),
  areaM2: Type.Number(),
  seasonFeeYuan: Yuan,
  stoppedHours: Type.Number(),
  longestStopHours: Type.Number(),
  belowStandardDays: Type.Integer(),
  rebateYuan: Yuan,
  refundYuan: Yuan,
  dueYuan: Yuan,
  stops: Type.Array(
    Type.Object({
      from: Type.String(),
      until: Type.String(),
      hours: Type.Number(),
      rules: Type.Array(Type.String()),
    }),
  ),
  notices: Type.Array(Type.Object({ from: Type.String(), noticeDue: Type.String() })),
});

export const LedgerListSchema = Type.Object({
  season: Type.String(),
  days: Type.Array(LedgerDayViewSchema),
  next: Nullable(Type.String()),
  summary: Nullable(SeasonSummaryViewSchema),
});

export const ComplianceQuery = Type.Object(
  { from: Day, to: Day, substation: Type.Optional(Id) },
  { additionalProperties: false },
);

const ShareSchema = Type.Object({
  measured: Type.Integer(),
  compliant: Type.Integer(),
  share: Nullable(Type.Number()),
  meetsTarget: Nullable(Type.Boolean()),
});

export const ComplianceSchema = Type.Object({
  minC: Type.Number(),
  target: Type.Number(),
  days: Type.Array(
    Type.Object({
      day: Type.String(),
      network: ShareSchema,
      substations: Type.Record(Type.String(), ShareSchema),
    }),
  ),
});

export const MeasurementBody = Type.Object(
  {
    tempC: Type.Number({ minimum: -30, maximum: 45 }),
    at: Type.String({ format: 'date-time' }),
    ticket: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const AttributionBody = Type.Object(
  {
    party: Type.Union([Type.Literal('household'), Type.Literal('force-majeure')]),
    fromDay: Day,
    toDay: Type.Optional(Day),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);

export const RecordedSchema = Type.Object({
  id: Type.Integer(),
  household: Type.String(),
  day: Type.String(),
});

export const LedgerProgressSchema = Type.Object({
  running: Type.Boolean(),
  day: Nullable(Type.String()),
  done: Type.Integer(),
  total: Type.Integer(),
  lastRun: Nullable(
    Type.Object({
      day: Type.String(),
      households: Type.Integer(),
      written: Type.Integer(),
      measured: Type.Integer(),
    }),
  ),
  lastError: Nullable(Type.String()),
});

export const ledgerErrors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, ErrorSchema] as const));

export type LedgerDayView = Static<typeof LedgerDayViewSchema>;
export type SeasonSummaryView = Static<typeof SeasonSummaryViewSchema>;
export type ComplianceView = Static<typeof ComplianceSchema>;
