import Type from 'typebox';

/** The balancing engine and the guarded control path (DESIGN §2, §4.3). */

const Schedule = (defaultS: number, what: string) =>
  Type.Object(
    {
      intervalS: Type.Integer({
        minimum: 1,
        default: defaultS,
        description: `Seconds between ${what}`,
      }),
      cron: Type.Optional(
        Type.String({ minLength: 1, description: `node-cron expression; replaces intervalS` }),
      ),
    },
    { additionalProperties: false, default: {} },
  );

export const BalanceSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    schedule: Schedule(300, 'evaluations'),
    windowMin: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1440,
      default: 60,
      description: 'Rolling window of every indicator',
    }),
    staleAfterMin: Type.Number({
      exclusiveMinimum: 0,
      default: 20,
      description: 'An input older than this is missing: the station gets no-data, never a guess',
    }),
    settleMin: Type.Number({
      minimum: 0,
      default: 10,
      description:
        'After a pump setpoint change, water-side means start this much later (and no new ' +
        'recommendation is made for the station before then)',
    }),
    rooms: Type.Object(
      {
        minShare: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 0.2,
          description: 'Share of households reporting before room data take precedence',
        }),
        minCount: Type.Integer({ minimum: 1, default: 5 }),
      },
      { additionalProperties: false, default: {} },
    ),
    position: Type.Object(
      {
        nearUntil: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 0.34,
          description: "Share of the branch's farthest distance up to which a station is near",
        }),
        farFrom: Type.Number({ minimum: 0, maximum: 1, default: 0.66 }),
      },
      { additionalProperties: false, default: {} },
    ),
    thresholds: Type.Object(
      {
        deviationC: Type.Number({
          exclusiveMinimum: 0,
          default: 2,
          description:
            'Secondary mean temperature this far from the heating curve counts against a station ' +
            'at the wrong end (anomalies); the status itself follows the indoor limits',
        }),
        flowRatioHigh: Type.Number({ exclusiveMinimum: 1, default: 1.15 }),
        flowRatioLow: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.85 }),
        overheatMarginK: Type.Number({
          exclusiveMinimum: 0,
          default: 2,
          description: 'Indoor mean above standards.indoor.targetC by this much is overheating',
        }),
        coldShare: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 0.5,
          description:
            'Share of households below standards.indoor.minC that makes a station underheating even when its mean is not',
        }),
        hysteresisK: Type.Number({ minimum: 0, default: 0.3 }),
        hysteresisRatio: Type.Number({
          minimum: 0,
          default: 0.03,
          description: 'Hysteresis of the flow ratio and of the cold share',
        }),
        makeupM3h: Type.Number({
          exclusiveMinimum: 0,
          default: 0.5,
          description: 'Make-up water above this at one station points to a leak',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    persistence: Type.Integer({
      minimum: 1,
      default: 2,
      description: 'Evaluations in a row a new status must hold before it is reported',
    }),
    recommend: Type.Object(
      {
        deadband: Type.Number({
          minimum: 0,
          maximum: 0.5,
          default: 0.05,
          description: 'No change while the flow ratio is within 1 ± deadband',
        }),
        gain: Type.Number({
          exclusiveMinimum: 0,
          maximum: 1,
          default: 0.8,
          description: 'Share of the affinity-law correction recommended at once (damping)',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    auto: Type.Object(
      {
        enabled: Type.Boolean({
          default: false,
          description: 'Apply bounded recommendations through the guarded control path',
        }),
        schedule: Schedule(1800, 'auto-balancing rounds'),
        actor: Type.String({ minLength: 1, default: 'auto-balancer' }),
        manualHoldMin: Type.Number({
          minimum: 0,
          default: 120,
          description: 'A pump a dispatcher changed is left alone by auto-balancing this long',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

export const ControlSchema = Type.Object(
  {
    setpointField: Type.String({
      default: 'frequency_setpoint_hz',
      description: 'Writable field of the VFD map that takes the frequency setpoint',
    }),
    minIntervalS: Type.Integer({
      minimum: 10,
      default: 600,
      description: 'Minimum time between two changes of one pump',
    }),
    readBackToleranceHz: Type.Number({ exclusiveMinimum: 0, default: 0.05 }),
    writeTimeoutMs: Type.Integer({ minimum: 100, default: 3000 }),
    settlingMin: Type.Number({
      exclusiveMinimum: 0,
      default: 60,
      description: 'After a change, how long until its effect on the deviation is judged',
    }),
    auditFile: Type.String({
      default: 'control.sqlite',
      description:
        'The audit database before the relational store (relative to storage.dataDir): ' +
        'its rows are imported into the store once, on the first start that finds it',
    }),
  },
  { additionalProperties: false, default: {} },
);
