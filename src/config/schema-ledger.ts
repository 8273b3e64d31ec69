import Type from 'typebox';

/**
 * The regulation ledger's fees and rules (issue 11, DESIGN §2): data, not code branches,
 * because cities differ (a 12 h or 24 h stop refunded by the day, 14–18 °C rebated by
 * half and below 14 °C in full). The defaults are the Yinchuan regulation's.
 */

export const BelowBandSchema = Type.Object(
  {
    belowC: Type.Number({ description: 'A day whose room temperature is below this…' }),
    billedShare: Type.Number({
      minimum: 0,
      maximum: 1,
      description: '…is billed at this share of its fee (0.5: half, 0: not at all)',
    }),
  },
  { additionalProperties: false },
);

export const StopRuleSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    continuousOverHours: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: 'A single stop longer than this…' }),
    ),
    totalOverDays: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        description: '…or stops adding up to more than this in the season…',
      }),
    ),
    refundFactor: Type.Number({
      exclusiveMinimum: 0,
      description: '…refunds this many times the stopped time’s fee',
    }),
  },
  { additionalProperties: false },
);

export const LedgerSchema = Type.Object(
  {
    feeYuanPerM2: Type.Number({
      minimum: 0,
      default: 24,
      description: 'Heating fee per m² of heated area for the whole season, in yuan',
    }),
    belowStandard: Type.Optional(
      Type.Array(BelowBandSchema, {
        description:
          'Below-standard bands; absent: one band, below standards.indoor.minC billed at 50 %',
      }),
    ),
    stopRules: Type.Array(StopRuleSchema, {
      default: [
        { name: 'continuous-72h', continuousOverHours: 72, refundFactor: 2 },
        { name: 'total-7d', totalOverDays: 7, refundFactor: 2 },
      ],
    }),
    noticeOverHours: Type.Number({
      exclusiveMinimum: 0,
      default: 12,
      description: 'A stop longer than this is notified to residents and the authority',
    }),
    joinGapMinutes: Type.Integer({
      minimum: 0,
      default: 60,
      description:
        'Stops of one place this close together are one continuous stop (e.g. split by a restart)',
    }),
    nightly: Type.Object(
      {
        intervalS: Type.Integer({ minimum: 1, default: 3600 }),
        cron: Type.Optional(
          Type.String({ description: 'Wall-clock cron; default: every intervalS' }),
        ),
        batchSize: Type.Integer({ minimum: 1, default: 5000 }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
