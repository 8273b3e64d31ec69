import Type, { type Static } from 'typebox';

/**
 * The one schema of heatnet's YAML configuration (DESIGN §4.1): it gives the types,
 * the defaults and the validation at once. Cross-references between sections
 * (a device naming a substation, a map …) are checked in `crosscheck.ts`.
 */

const Id = (description: string) =>
  Type.String({
    minLength: 1,
    maxLength: 64,
    pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$',
    description,
  });

const OneOf = <const T extends readonly string[]>(
  values: T,
  description: string,
  defaultValue?: T[number],
) =>
  Type.Unsafe<T[number]>({
    type: 'string',
    enum: [...values],
    description,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });

/** Month-day such as "11-01". */
const MonthDay = Type.String({ pattern: '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' });

export const SiteSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    timezone: Type.String({ default: 'Asia/Shanghai', description: 'IANA time zone' }),
    heatingSeason: Type.Object(
      {
        start: Type.String({ ...MonthDay, default: '11-01' }),
        end: Type.String({ ...MonthDay, default: '03-31' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export const StandardsSchema = Type.Object(
  {
    indoor: Type.Object(
      {
        minC: Type.Number({
          default: 18,
          description: 'Legal minimum in living rooms (GB/T 33833)',
        }),
        targetC: Type.Number({ default: 20 }),
        maxC: Type.Number({ default: 24, description: 'Above this a room counts as overheated' }),
      },
      { additionalProperties: false, default: {} },
    ),
    complianceTarget: Type.Number({ minimum: 0, maximum: 1, default: 0.97 }),
    slaMinutes: Type.Object(
      {
        emergencyArrival: Type.Integer({ minimum: 1, default: 30 }),
        noHeatResponse: Type.Integer({ minimum: 1, default: 120 }),
        complaintHandling: Type.Integer({ minimum: 1, default: 1440 }),
        generalFaultFix: Type.Integer({ minimum: 1, default: 480 }),
        indoorFacilityFix: Type.Integer({ minimum: 1, default: 1440 }),
        feedback: Type.Integer({ minimum: 1, default: 60 }),
        heatStopNotify: Type.Integer({ minimum: 1, default: 720 }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

const TemperaturePair = (supplyDefault: number, returnDefault: number) =>
  Type.Object(
    {
      supplyC: Type.Number({ default: supplyDefault }),
      returnC: Type.Number({ default: returnDefault }),
    },
    { additionalProperties: false, default: {} },
  );

export const NetworkDesignSchema = Type.Object(
  {
    outdoorC: Type.Number({ default: -13, description: 'Design outdoor temperature' }),
    indoorC: Type.Number({ default: 20, description: 'Design indoor temperature' }),
    primary: TemperaturePair(110, 60),
    secondary: TemperaturePair(60, 45),
    heatLoadWPerM2: Type.Number({ exclusiveMinimum: 0, default: 45 }),
  },
  { additionalProperties: false, default: {} },
);

export const ZoneSchema = Type.Object(
  {
    id: OneOf(['low', 'middle', 'high'] as const, 'Pressure zone of the building'),
    floors: Type.Tuple([Type.Integer({ minimum: 1 }), Type.Integer({ minimum: 1 })], {
      description: 'First and last floor, inclusive',
    }),
  },
  { additionalProperties: false },
);

export const HouseholdSchema = Type.Object(
  {
    id: Id('Household id, unique in the network'),
    floor: Type.Integer({ minimum: 1 }),
    areaM2: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  },
  { additionalProperties: false },
);

export const BuildingSchema = Type.Object(
  {
    id: Id('Building id, unique in the network'),
    name: Type.Optional(Type.String()),
    floors: Type.Integer({ minimum: 1, maximum: 120 }),
    unitsPerFloor: Type.Integer({ minimum: 1, maximum: 64, default: 4 }),
    areaPerUnitM2: Type.Number({ exclusiveMinimum: 0, default: 90 }),
    zones: Type.Array(ZoneSchema, { minItems: 1 }),
    households: Type.Optional(
      Type.Array(HouseholdSchema, {
        description: 'Explicit households; omitted = floors × unitsPerFloor, ids BUILDING-FFUU',
      }),
    ),
  },
  { additionalProperties: false },
);

export const PumpSchema = Type.Object(
  {
    id: Id('Pump id, unique in the network'),
    ratedHz: Type.Number({ exclusiveMinimum: 0, default: 50 }),
    minHz: Type.Number({ minimum: 0, default: 20 }),
    maxHz: Type.Number({ exclusiveMinimum: 0, default: 50 }),
    maxStepHz: Type.Number({ exclusiveMinimum: 0, default: 5 }),
    ratedFlowM3h: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    ratedHeadM: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  },
  { additionalProperties: false },
);

export const SubstationSchema = Type.Object(
  {
    id: Id('Substation id'),
    name: Type.Optional(Type.String()),
    source: Id('Heat source feeding this substation'),
    branch: Type.String({ minLength: 1, default: 'main', description: 'Branch of the main' }),
    distanceM: Type.Number({ minimum: 0, description: 'Distance from the source along the main' }),
    heatedAreaM2: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    designFlowM3h: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    pumps: Type.Array(PumpSchema, { default: [] }),
    buildings: Type.Array(BuildingSchema, { default: [] }),
  },
  { additionalProperties: false },
);

export const SourceSchema = Type.Object(
  {
    id: Id('Heat source id'),
    name: Type.Optional(Type.String()),
    differentialPressureMpa: Type.Number({ exclusiveMinimum: 0, default: 0.35 }),
  },
  { additionalProperties: false },
);

export const NetworkSchema = Type.Object(
  {
    design: NetworkDesignSchema,
    sources: Type.Array(SourceSchema, { minItems: 1 }),
    substations: Type.Array(SubstationSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export const MODBUS_AREAS = ['coil', 'discrete', 'holding', 'input'] as const;
export const MODBUS_TYPES = [
  'bool',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
  'string',
] as const;
export const BYTE_ORDERS = ['ABCD', 'DCBA', 'BADC', 'CDAB'] as const;

export const RegisterFieldSchema = Type.Object(
  {
    field: Type.String({
      pattern: '^[a-z][a-z0-9_]*$',
      description: 'Field name in InfluxDB, units in the name (supply_temp_c)',
    }),
    area: OneOf(MODBUS_AREAS, 'Modbus data area'),
    address: Type.Integer({ minimum: 0, maximum: 65535, description: '0-based protocol address' }),
    type: OneOf(MODBUS_TYPES, 'Data type'),
    order: OneOf(BYTE_ORDERS, 'Byte order of multi-byte values; ABCD is big-endian', 'ABCD'),
    bit: Type.Optional(Type.Integer({ minimum: 0, maximum: 15, description: 'Bit of a register' })),
    length: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 125, description: 'String registers' }),
    ),
    scale: Type.Number({ default: 1 }),
    offset: Type.Number({ default: 0 }),
    range: Type.Optional(Type.Tuple([Type.Number(), Type.Number()])),
    sentinels: Type.Boolean({
      default: true,
      description: 'Reject 0x7FFF, 0xFFFF, -32768 and NaN/Inf as "no value"',
    }),
    writable: Type.Boolean({ default: false }),
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
  },
  { additionalProperties: false },
);

export const DEVICE_KINDS = ['substation', 'pump'] as const;

export const ModbusDeviceSchema = Type.Object(
  {
    id: Id('Device id'),
    substation: Id('Substation the device belongs to'),
    pump: Type.Optional(Id('Pump driven by this VFD (kind: pump)')),
    kind: OneOf(DEVICE_KINDS, 'What the device measures'),
    url: Type.String({ description: 'tcp://host:port, rtu-over-tcp://host:port, rtu:///dev/tty…' }),
    unitId: Type.Integer({ minimum: 0, maximum: 255, default: 1 }),
    map: Type.String({ minLength: 1 }),
    intervalMs: Type.Optional(Type.Integer({ minimum: 100 })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 50 })),
    enabled: Type.Boolean({ default: true }),
  },
  { additionalProperties: false },
);

export const ModbusSchema = Type.Object(
  {
    defaults: Type.Object(
      {
        intervalMs: Type.Integer({ minimum: 100, default: 10000 }),
        timeoutMs: Type.Integer({ minimum: 50, default: 1000 }),
        maxRegistersPerRequest: Type.Integer({ minimum: 1, maximum: 125, default: 125 }),
        maxBitsPerRequest: Type.Integer({ minimum: 1, maximum: 2000, default: 2000 }),
        maxGapRegisters: Type.Integer({ minimum: 0, maximum: 124, default: 8 }),
      },
      { additionalProperties: false, default: {} },
    ),
    maps: Type.Record(
      Type.String({ pattern: '^[A-Za-z0-9_.-]+$' }),
      Type.Array(RegisterFieldSchema),
      {
        default: {},
        additionalProperties: false,
      },
    ),
    devices: Type.Array(ModbusDeviceSchema, { default: [] }),
  },
  { additionalProperties: false, default: {} },
);

export const MqttSubscriptionSchema = Type.Object(
  {
    topic: Type.String({ minLength: 1, description: '{name} captures one topic level as a tag' }),
    measurement: Type.String({ pattern: '^[a-z][a-z0-9_]*$' }),
    format: OneOf(['json'] as const, 'Payload format', 'json'),
    fields: Type.Record(
      Type.String({ pattern: '^[a-z][a-z0-9_]*$' }),
      Type.String({ minLength: 1, description: 'Dotted JSON path in the payload' }),
      { additionalProperties: false, minProperties: 1 },
    ),
    time: Type.Optional(
      Type.String({ description: 'JSON path of the timestamp; else receive time' }),
    ),
    qos: Type.Union([Type.Literal(0), Type.Literal(1)], { default: 1 }),
  },
  { additionalProperties: false },
);

export const MqttSchema = Type.Object(
  {
    url: Type.String({ default: 'embedded', description: 'mqtt://host:port or "embedded"' }),
    embeddedPort: Type.Integer({ minimum: 0, maximum: 65535, default: 1883 }),
    clientId: Type.String({ default: 'heatnet' }),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    subscriptions: Type.Array(MqttSubscriptionSchema, { default: [] }),
  },
  { additionalProperties: false, default: {} },
);

export const IngestSchema = Type.Object(
  { modbus: ModbusSchema, mqtt: MqttSchema },
  { additionalProperties: false, default: {} },
);

export const InfluxSchema = Type.Object(
  {
    url: Type.String({ pattern: '^https?://' }),
    version: Type.Union([Type.Literal(1), Type.Literal(2)]),
    db: Type.Optional(Type.String({ minLength: 1 })),
    rp: Type.Optional(Type.String({ minLength: 1 })),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    org: Type.Optional(Type.String({ minLength: 1 })),
    bucket: Type.Optional(Type.String({ minLength: 1 })),
    token: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

export const StorageSchema = Type.Object(
  {
    influx: Type.Optional(InfluxSchema),
    dataDir: Type.String({ minLength: 1, default: 'data' }),
    batchSize: Type.Integer({ minimum: 1, maximum: 100000, default: 5000 }),
    flushIntervalMs: Type.Integer({ minimum: 10, maximum: 60000, default: 1000 }),
    maxBufferedLines: Type.Integer({ minimum: 1000, default: 1000000 }),
  },
  { additionalProperties: false, default: {} },
);

export const ROLES = ['viewer', 'service', 'dispatcher', 'admin'] as const;

export const ApiSchema = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    anonymousRead: Type.Boolean({ default: false }),
    tokens: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1 }),
          token: Type.String({
            minLength: 16,
            description: 'Use env:NAME; at least 16 characters',
          }),
          role: OneOf(ROLES, 'What the token may do'),
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
  },
  { additionalProperties: false, default: {} },
);

export const SimulationSchema = Type.Object(
  {
    seed: Type.Integer({ default: 1 }),
    speed: Type.Number({ exclusiveMinimum: 0, maximum: 3600, default: 1 }),
    outdoorTempC: Type.Number({ default: -5, description: 'Mean outdoor temperature' }),
  },
  { additionalProperties: false, default: {} },
);

export const ConfigSchema = Type.Object(
  {
    site: SiteSchema,
    standards: StandardsSchema,
    network: NetworkSchema,
    ingest: IngestSchema,
    storage: StorageSchema,
    api: ApiSchema,
    simulation: SimulationSchema,
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type NetworkConfig = Static<typeof NetworkSchema>;
export type SubstationConfig = Static<typeof SubstationSchema>;
export type BuildingConfig = Static<typeof BuildingSchema>;
export type PumpConfig = Static<typeof PumpSchema>;
export type RegisterField = Static<typeof RegisterFieldSchema>;
export type ModbusDeviceConfig = Static<typeof ModbusDeviceSchema>;
export type ModbusConfig = Static<typeof ModbusSchema>;
export type MqttConfig = Static<typeof MqttSchema>;
export type MqttSubscription = Static<typeof MqttSubscriptionSchema>;
export type InfluxConfig = Static<typeof InfluxSchema>;
export type StorageConfig = Static<typeof StorageSchema>;
export type ApiConfig = Static<typeof ApiSchema>;
export type Role = (typeof ROLES)[number];
export type ModbusArea = (typeof MODBUS_AREAS)[number];
export type ModbusType = (typeof MODBUS_TYPES)[number];
export type ByteOrder = (typeof BYTE_ORDERS)[number];
