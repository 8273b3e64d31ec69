import Type from 'typebox';
import { OneOf } from './schema-helpers.ts';

/** Storage, HTTP API and simulation settings (DESIGN §4.1). */

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

/**
 * The embedded default's downsampled history (issue 13): kept in the relational store when
 * no InfluxDB is configured, so the console's trends have something to query.
 */
export const HistorySchema = Type.Object(
  {
    minuteDays: Type.Integer({
      minimum: 1,
      maximum: 90,
      default: 8,
      description: 'Days the 1-minute means are kept',
    }),
    quarterDays: Type.Integer({
      minimum: 1,
      maximum: 800,
      default: 200,
      description: 'Days the 15-minute means are kept (a heating season and some)',
    }),
    flushIntervalMs: Type.Integer({
      minimum: 100,
      maximum: 600000,
      // Every series is touched every few seconds: a flush writes one row per series and
      // bucket whatever its interval, so flushing once a minute writes each minute once.
      default: 60000,
      description: 'How often the summed readings are written (in transactions of 1,000 rows)',
    }),
  },
  { additionalProperties: false, default: {} },
);

export const StorageSchema = Type.Object(
  {
    influx: Type.Optional(InfluxSchema),
    dataDir: Type.String({ minLength: 1, default: 'data' }),
    batchSize: Type.Integer({ minimum: 1, maximum: 100000, default: 5000 }),
    flushIntervalMs: Type.Integer({ minimum: 10, maximum: 60000, default: 1000 }),
    maxBufferedLines: Type.Integer({ minimum: 1000, default: 1000000 }),
    spoolMaxBytes: Type.Integer({
      minimum: 1048576,
      default: 1073741824,
      description: 'Disk spool cap while InfluxDB is unreachable; beyond it the oldest data go',
    }),
    history: HistorySchema,
  },
  { additionalProperties: false, default: {} },
);

/**
 * The relational store (DESIGN §3, §4.1): SQLite in `storage.dataDir` unless told
 * otherwise, or PostgreSQL for deployments with several instances.
 */
export const StoreSchema = Type.Object(
  {
    sqlite: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'SQLite file, relative to the working directory (default: heatnet.sqlite in storage.dataDir)',
      }),
    ),
    postgres: Type.Optional(
      Type.String({
        pattern: '^postgres(ql)?://',
        description: 'PostgreSQL URL; use env:NAME, it usually carries a password',
      }),
    ),
    sqliteFsync: Type.Union([Type.Literal('commit'), Type.Literal('grouped')], {
      default: 'commit',
      description:
        'How SQLite makes a write durable: an fdatasync of its log as each write ends (on the event loop), or one off the loop for the commits that finished meanwhile',
    }),
  },
  { additionalProperties: false, default: {} },
);

export const ROLES = ['viewer', 'service', 'dispatcher', 'admin'] as const;

export const ApiSchema = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    anonymousRead: Type.Boolean({ default: false }),
    // Issue 15: a client that opens a request and never finishes it must not hold a
    // connection (and its parser state) forever.
    headersTimeoutMs: Type.Integer({
      minimum: 100,
      default: 10_000,
      description:
        'A request whose headers have not all arrived by then is answered 408 and closed',
    }),
    requestTimeoutMs: Type.Integer({
      minimum: 100,
      default: 30_000,
      description:
        'A request (headers and body) not received in full by then is answered 408 and closed',
    }),
    idleTimeoutMs: Type.Integer({
      minimum: 100,
      default: 120_000,
      description: 'A connection with no traffic for this long is closed',
    }),
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
