import Type, { type Static, type TSchema } from 'typebox';

/**
 * The `/api/health` contract (DESIGN §4.3), documented in `/docs`. Each component's
 * section names the fields a monitor relies on; the component may report more (kept:
 * `additionalProperties`), so a new counter needs no schema change to reach operators.
 */
const Open = { additionalProperties: true } as const;
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Count = (description: string) => Type.Integer({ minimum: 0, description });

const DeviceSchema = Type.Object(
  {
    id: Type.String(),
    substation: Type.String(),
    state: Type.Union([
      Type.Literal('unknown'),
      Type.Literal('up'),
      Type.Literal('down'),
      Type.Literal('disabled'),
    ]),
    lastError: Nullable(Type.String()),
    badRanges: Count('Address ranges the device refuses, skipped'),
    timeouts: Count('Requests with no answer in time, or answered only after it'),
    lateAnswers: Count('Requests answered after their timeout (also in `timeouts`)'),
    startLateMs: Nullable(
      Type.Number({ minimum: 0, description: 'How late the last poll started, ms' }),
    ),
    maxStartLateMs: Type.Number({ minimum: 0, description: 'The latest any poll started, ms' }),
    lateStarts: Count('Polls started over 100 ms after their schedule (a busy event loop)'),
  },
  Open,
);

const DtuSchema = Type.Object(
  {
    id: Type.String(),
    listener: Type.String(),
    state: Type.Union([
      Type.Literal('connected'),
      Type.Literal('disconnected'),
      Type.Literal('never-connected'),
    ]),
    connectedSince: Nullable(Type.String({ description: 'ISO time of the current connection' })),
    remoteAddress: Nullable(Type.String({ description: 'host:port the DTU dialled from' })),
    lastHeartbeatAt: Nullable(Type.String()),
    heartbeats: Count('Heartbeat packets received'),
    connections: Count('Registrations accepted (redials and takeovers included)'),
    replaced: Count('Connections that took over one still open (a missed redial, an impostor)'),
    devices: Type.Array(Type.String(), { description: 'Devices polled through this DTU' }),
  },
  Open,
);

const DtuListenerSchema = Type.Object(
  {
    id: Type.String(),
    port: Type.Integer(),
    pending: Count('Connections that have not named themselves yet'),
    unknownRegistrations: Count('Connections refused for an unknown registration'),
    unknownIds: Type.Array(Type.String(), { description: 'The last unknown ids, text or hex' }),
    registrationTimeouts: Count('Connections closed without a registration'),
  },
  Open,
);

const BusSchema = Type.Object(
  {
    bus: Type.String({ description: 'rtu://…, rtu-over-tcp://… or dtu://…' }),
    baudRate: Type.Integer(),
    devices: Type.Array(Type.String()),
    requestsPerCycle: Count('Read requests for one poll of every device'),
    bytesPerCycle: Count('Bytes on the line for one poll of every device'),
    bytesPerSecond: Type.Number({ description: 'At the devices’ intervals' }),
    capacityBytesPerSecond: Type.Number(),
    utilisation: Type.Number({
      description: 'Share of the line’s time polling needs; > 1 cannot fit',
    }),
  },
  Open,
);

const ModbusSchema = Type.Object(
  {
    devices: Count('Configured devices'),
    up: Count('Devices whose polls succeed'),
    down: Count('Devices down after consecutive failed polls'),
    unknown: Count('Devices not polled yet'),
    disabled: Count('Devices configured but not polled'),
    reconnects: Count('Reconnects of every link'),
    list: Type.Array(DeviceSchema),
    listeners: Type.Optional(Type.Array(DtuListenerSchema, { description: 'DTU dial-in ports' })),
    dtus: Type.Optional(Type.Array(DtuSchema, { description: 'Configured dial-in DTUs' })),
    buses: Type.Optional(
      Type.Array(BusSchema, { description: 'Serial buses: planned polling against capacity' }),
    ),
  },
  Open,
);

const SubscriptionSchema = Type.Object(
  {
    topic: Type.String(),
    messages: Count('Messages mapped to readings'),
    malformed: Count('Messages refused (payload or ingest checks)'),
    rejected: Type.Record(Type.String(), Count('Messages refused for this reason'), {
      description:
        'Refused messages by reason: payload, type, not-finite, sentinel, range (outside the field’s plausible range), time',
    }),
    stale: Type.Boolean({ description: 'No message for `staleAfterS`' }),
  },
  Open,
);

const Counts = (description: string) =>
  Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description });

const EmbeddedBrokerSchema = Type.Object(
  {
    clients: Count('Clients connected now'),
    publishersAccepted: Type.Boolean({
      description: 'A publisher credential is configured; else only heatnet itself may connect',
    }),
    refused: Type.Object(
      {
        connects: Counts(
          'CONNECTs refused, by reason (bad-credentials, client-id-reserved, will-topic)',
        ),
        publishes: Counts('PUBLISHes refused before any session saw them, by topic problem'),
        subscribes: Counts('SUBSCRIBE filters refused, by problem'),
      },
      Open,
    ),
    untrackedDeliveries: Count('QoS 1 deliveries aedes had not queued, queued late'),
  },
  Open,
);

const MqttSchema = Type.Object(
  {
    url: Type.String(),
    connected: Type.Boolean(),
    broker: Type.Union([Type.Literal('embedded'), Type.Literal('external')]),
    embeddedBroker: Type.Optional(EmbeddedBrokerSchema),
    pendingAcks: Count('QoS 1 messages waiting for durable storage'),
    subscriptions: Type.Array(SubscriptionSchema),
  },
  Open,
);

const RefusedSchema = Type.Object(
  {
    'not-finite': Count('Readings with a non-finite number'),
    'bad-time': Count('Readings without a finite time'),
    'time-ahead': Count('Readings stamped more than `ingest.maxAheadS` ahead'),
  },
  { description: 'Readings the ingest pipeline refused, by reason' },
);

const StorageSchema = Type.Object(
  {
    kind: Type.String(),
    state: Type.Union([Type.Literal('ok'), Type.Literal('retrying'), Type.Literal('failing')]),
    backlogLines: Count('Lines waiting to be written'),
    lastError: Nullable(Type.String()),
    spool: Nullable(Type.Object({ lines: Count('Lines spooled awaiting the database') }, Open)),
  },
  Open,
);

const BalanceSchema = Type.Object({
  enabled: Type.Boolean(),
  evaluatedAt: Nullable(Type.String({ format: 'date-time' })),
  stale: Type.Boolean({ description: 'No evaluation for three schedule intervals' }),
  windows: Type.Object({ rejectedUnknownHouseholds: Count('Room readings of unknown households') }),
});

const ControlSchema = Type.Object({
  auditOpen: Type.Boolean(),
  auto: Type.Object(
    {
      enabled: Type.Boolean(),
      state: Type.Union([
        Type.Literal('off'),
        Type.Literal('suspended'),
        Type.Literal('active'),
        Type.Literal('paused'),
      ]),
      paused: Type.Array(Type.Object({ scope: Type.String(), reason: Type.String() }, Open)),
    },
    Open,
  ),
});

const StoreSchema = Type.Object({
  engine: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
  open: Type.Boolean({ description: 'The relational store is open and migrated' }),
  failure: Type.Optional(
    Type.String({ description: 'Why the store takes no writes any more (a failed flush)' }),
  ),
});

const AlertChannelSchema = Type.Object(
  {
    id: Type.String(),
    type: Type.String(),
    state: Type.Union([Type.Literal('ok'), Type.Literal('failing'), Type.Literal('disabled')]),
    consecutiveFailures: Count('Failed attempts in a row'),
    undelivered: Count('Messages given up since the channel last delivered one'),
    lastError: Nullable(Type.String()),
    lastSentAt: Nullable(Type.String({ format: 'date-time' })),
    sent: Count('Messages delivered'),
    failed: Count('Failed attempts'),
    retried: Count('Failed attempts scheduled again'),
    gaveUp: Count('Messages given up'),
    merged: Count('Queued messages merged into batches by the rate limit'),
    queued: Count('Messages waiting'),
    oldestQueuedS: Nullable(Type.Number({ minimum: 0 })),
  },
  Open,
);

const AlertDeliverySchema = Type.Object(
  {
    channels: Type.Array(AlertChannelSchema),
    queued: Count('Alert messages not yet sent, all channels'),
    oldestQueuedS: Nullable(Type.Number({ minimum: 0, description: 'Age of the oldest, s' })),
    unknownChannels: Type.Array(Type.String(), {
      description: 'Channel ids with queued messages that the config no longer has (held)',
    }),
  },
  Open,
);

export const HealthReportSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  problems: Type.Array(Type.String(), { description: 'Why the status is degraded, one line each' }),
  startedAt: Type.String({ format: 'date-time' }),
  uptimeS: Type.Number(),
  ingest: Type.Object({ modbus: ModbusSchema, mqtt: MqttSchema, refused: RefusedSchema }),
  storage: StorageSchema,
  store: StoreSchema,
  state: Type.Object({ series: Count('Series in the live state') }),
  balance: BalanceSchema,
  control: ControlSchema,
  alertDelivery: Type.Optional(AlertDeliverySchema),
});

export type HealthReport = Static<typeof HealthReportSchema>;
