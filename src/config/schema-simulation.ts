import Type, { type Static } from 'typebox';

/**
 * The simulator's settings and the faults it can inject (DESIGN §4.6). Physical
 * faults change the model (a clogged strainer adds resistance, a fouled exchanger
 * loses UA …); wire faults change only what a device answers, as a broken sensor or
 * a sick PLC would.
 */

/** When a fault is active: offsets from simulation start ("+90m", "+2h", "+1d") or ISO times. */
const When = {
  at: Type.Optional(
    Type.String({ description: 'Start: "+2h" after simulation start, or ISO time' }),
  ),
  until: Type.Optional(Type.String({ description: 'End: same forms; omitted = stays' })),
  id: Type.Optional(Type.String({ description: 'Name to clear it by at runtime' })),
};

const Fault = <
  T extends string,
  P extends Record<string, Parameters<typeof Type.Object>[0][string]>,
>(
  type: T,
  props: P,
) => Type.Object({ type: Type.Literal(type), ...props, ...When }, { additionalProperties: false });

const SENTINELS = ['0xFFFF', '0x7FFF', '-32768', 'NaN'] as const;
const ZONES = ['low', 'middle', 'high'] as const;

export const FaultSchema = Type.Union([
  Fault('pump-trip', {
    pump: Type.String(),
    code: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  }),
  Fault('strainer-clog', {
    substation: Type.String(),
    factor: Type.Optional(Type.Number({ minimum: 1 })),
  }),
  Fault('branch-clog', {
    building: Type.String(),
    factor: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
  }),
  Fault('zone-starved', {
    building: Type.String(),
    zone: Type.Unsafe<(typeof ZONES)[number]>({ type: 'string', enum: [...ZONES] }),
    factor: Type.Optional(
      Type.Number({
        minimum: 0,
        exclusiveMaximum: 1,
        description: 'Share of its circulation the riser zone keeps (default 0.3)',
      }),
    ),
  }),
  // Exactly one of the two (the fault checker and the fault book say so clearly).
  Fault('supply-stop', {
    building: Type.Optional(Type.String()),
    substation: Type.Optional(Type.String()),
  }),
  Fault('household-blockage', { household: Type.String() }),
  Fault('air-lock', { household: Type.String() }),
  Fault('hx-fouling', {
    substation: Type.String(),
    severity: Type.Optional(Type.Number({ minimum: 0, maximum: 0.95 })),
  }),
  Fault('leak', {
    substation: Type.String(),
    m3h: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  }),
  Fault('sensor-stuck', { device: Type.String(), field: Type.String() }),
  Fault('sensor-drift', {
    device: Type.String(),
    field: Type.String(),
    perHour: Type.Optional(Type.Number()),
  }),
  Fault('sensor-failed', {
    device: Type.String(),
    field: Type.String(),
    sentinel: Type.Optional(
      Type.Unsafe<(typeof SENTINELS)[number]>({ type: 'string', enum: [...SENTINELS] }),
    ),
  }),
  Fault('device-offline', { device: Type.String() }),
  Fault('device-slow', {
    device: Type.String(),
    delayMs: Type.Optional(Type.Integer({ minimum: 1 })),
  }),
  Fault('device-exception', {
    device: Type.String(),
    code: Type.Union([Type.Literal(2), Type.Literal(4), Type.Literal(6)]),
  }),
  Fault('rooms-silent', {
    building: Type.Optional(Type.String()),
    household: Type.Optional(Type.String()),
  }),
]);

export type FaultSpec = Static<typeof FaultSchema>;

export const SimulationSchema = Type.Object(
  {
    seed: Type.Integer({ default: 1 }),
    speed: Type.Number({ exclusiveMinimum: 0, maximum: 3600, default: 1 }),
    start: Type.Optional(
      Type.String({ description: 'Simulated start time (ISO); default: the real start time' }),
    ),
    stepS: Type.Number({ minimum: 1, maximum: 600, default: 60, description: 'Model time step' }),
    pumpStartHz: Type.Number({ exclusiveMinimum: 0, default: 40 }),
    weather: Type.Object(
      {
        meanC: Type.Number({ default: -5 }),
        dailyAmplitudeC: Type.Number({ minimum: 0, default: 4 }),
        frontAmplitudeC: Type.Number({ minimum: 0, default: 4 }),
        station: Type.String({ default: 'W1' }),
        coldSnaps: Type.Optional(
          Type.Array(
            Type.Object(
              {
                at: Type.String({ description: 'Start: "+30d" after simulation start, or ISO' }),
                until: Type.String({ description: 'End: same forms' }),
                deltaC: Type.Number({
                  description: 'Added to the outdoor temperature (−10: colder)',
                }),
              },
              { additionalProperties: false },
            ),
            {
              description:
                'Cold (or warm) spells at known times, e.g. a season scenario’s cold snap',
            },
          ),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    publish: Type.Object(
      {
        roomIntervalS: Type.Number({ minimum: 1, default: 600 }),
        buildingIntervalS: Type.Number({ minimum: 1, default: 300 }),
        weatherIntervalS: Type.Number({ minimum: 1, default: 300 }),
        roomSensorShare: Type.Number({ minimum: 0, maximum: 1, default: 1 }),
      },
      { additionalProperties: false, default: {} },
    ),
    groundTruth: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 0, description: '0 = off' }),
      },
      { additionalProperties: false, default: {} },
    ),
    complaints: Type.Object(
      {
        target: Type.Optional(
          Type.String({ description: 'file:PATH (JSON lines) or http(s)://…/api/complaints' }),
        ),
        token: Type.Optional(
          Type.String({
            description:
              'Bearer token for an http target (env:NAME); default: the first api.tokens entry with role service',
          }),
        ),
        coldPerHour: Type.Number({ minimum: 0, maximum: 1, default: 0.02 }),
        warmPerHour: Type.Number({ minimum: 0, maximum: 1, default: 0.0002 }),
        warmColdShare: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 0.1,
          description: 'Share of warm households’ calls that say “too cold” anyway',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    faults: Type.Array(FaultSchema, { default: [], description: 'Faults to inject' }),
  },
  { additionalProperties: false, default: {} },
);
