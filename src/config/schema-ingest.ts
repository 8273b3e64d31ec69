import Type from 'typebox';
import { Id, OneOf } from './schema-helpers.ts';
import { DtuListenerSchema } from './schema-modbus-dtu.ts';

/** Modbus register maps and devices, MQTT broker and subscriptions (DESIGN §4.1). */

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
    url: Type.Optional(
      Type.String({
        description: 'tcp://host:port, rtu-over-tcp://host:port?baud=9600, rtu:///dev/tty…',
      }),
    ),
    via: Type.Optional(Id('A dial-in DTU (ingest.modbus.listeners[].dtus[].id) instead of a url')),
    unitId: Type.Integer({ minimum: 0, maximum: 255, default: 1 }),
    map: Type.String({ minLength: 1 }),
    intervalMs: Type.Optional(Type.Integer({ minimum: 100 })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 50 })),
    enabled: Type.Boolean({ default: true }),
    maxRegistersPerRequest: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 125, description: 'Lower cap some devices need' }),
    ),
    maxBitsPerRequest: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })),
    maxGapRegisters: Type.Optional(Type.Integer({ minimum: 0, maximum: 124 })),
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
        busyRetries: Type.Integer({
          minimum: 0,
          maximum: 10,
          default: 2,
          description: 'Retries after exception 6 (slave device busy)',
        }),
        busyRetryDelayMs: Type.Integer({ minimum: 0, maximum: 10000, default: 200 }),
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
    listeners: Type.Array(DtuListenerSchema, {
      default: [],
      description: 'Ports 4G DTUs dial in to, and the DTUs expected on each',
    }),
  },
  { additionalProperties: false, default: {} },
);

const JsonPath = Type.String({ minLength: 1, description: 'Dotted JSON path in the payload' });

/**
 * One MQTT field with its plausibility, as Modbus register fields have it: a value
 * outside `range` or equal to a sentinel is refused and counted. Without `range`, the
 * built-in default for the field's measurement and unit applies (src/ingest/mqtt/plausible.ts).
 */
export const MqttFieldSpecSchema = Type.Object(
  {
    path: JsonPath,
    range: Type.Optional(
      Type.Tuple([Type.Number(), Type.Number()], {
        description: 'Plausible [min, max]; outside → refused and counted',
      }),
    ),
    sentinels: Type.Optional(
      Type.Union([Type.Boolean(), Type.Array(Type.Number())], {
        description:
          'Values that mean "no value": true = the usual ones (-32768, 32767, 65535, -9999, -999), false = none, or a list',
      }),
    ),
  },
  { additionalProperties: false },
);

export const MqttSubscriptionSchema = Type.Object(
  {
    topic: Type.String({ minLength: 1, description: '{name} captures one topic level as a tag' }),
    measurement: Type.String({ pattern: '^[a-z][a-z0-9_]*$' }),
    format: OneOf(['json'] as const, 'Payload format', 'json'),
    fields: Type.Record(
      Type.String({ pattern: '^[a-z][a-z0-9_]*$' }),
      Type.Union([JsonPath, MqttFieldSpecSchema]),
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
    embeddedHost: Type.String({
      minLength: 1,
      default: '127.0.0.1',
      description:
        'Address the embedded broker binds; loopback unless devices on the network publish to it',
    }),
    embedded: Type.Object(
      {
        username: Type.Optional(Type.String({ minLength: 1 })),
        password: Type.Optional(
          Type.String({
            minLength: 1,
            description: 'A secret: "env:NAME" keeps it out of the file',
          }),
        ),
      },
      {
        additionalProperties: false,
        default: {},
        description:
          'The credential publishers (the simulator, devices) present to the embedded broker; without it only heatnet itself may connect',
      },
    ),
    clientId: Type.String({ default: 'heatnet', description: 'Fixed, so the session persists' }),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)], {
      default: 5,
      description: '4 = MQTT 3.1.1, 5 = MQTT 5',
    }),
    sessionExpiryS: Type.Integer({
      minimum: 0,
      default: 86400,
      description: 'How long the broker keeps our session (and QoS 1 messages) while we are away',
    }),
    sharedGroup: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9_-]+$',
        description: 'Subscribe as $share/GROUP/… so several instances split one stream',
      }),
    ),
    reconnectMinMs: Type.Integer({ minimum: 100, default: 1000 }),
    reconnectMaxMs: Type.Integer({ minimum: 100, default: 60000 }),
    staleAfterS: Type.Integer({
      minimum: 1,
      default: 1800,
      description: 'A subscription with no message for this long is flagged stale',
    }),
    subscriptions: Type.Array(MqttSubscriptionSchema, { default: [] }),
  },
  { additionalProperties: false, default: {} },
);

export const IngestSchema = Type.Object(
  {
    modbus: ModbusSchema,
    mqtt: MqttSchema,
    maxAheadS: Type.Integer({
      minimum: 0,
      default: 3600,
      description:
        'Readings stamped further than this ahead of the service clock are refused (a device clock running fast would otherwise become the newest sample of its windows)',
    }),
  },
  { additionalProperties: false, default: {} },
);
