import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { HealthReport } from './api/routes/health.ts';
import { buildApi } from './api/server.ts';
import { BalanceService } from './balance/service.ts';
import type { Config } from './config/schema.ts';
import { buildControl, type ControlParts } from './control/build.ts';
import { EventBus } from './core/events.ts';
import { type Component, Lifecycle } from './core/lifecycle.ts';
import { childLogger, type Logger } from './core/logger.ts';
import { Topology } from './domain/topology.ts';
import type { HeatnetEvents } from './events.ts';
import { ModbusIngestor } from './ingest/modbus/ingestor.ts';
import { EmbeddedBroker } from './ingest/mqtt/broker.ts';
import { MqttIngestor } from './ingest/mqtt/ingestor.ts';
import type { Reading } from './core/reading.ts';
import { createMetrics } from './metrics.ts';
import { BalanceWindows } from './state/balance-windows.ts';
import { LiveState } from './state/live-state.ts';
import { InfluxV1Transport } from './storage/influx/v1.ts';
import { InfluxV2Transport } from './storage/influx/v2.ts';
import { LocalLineStore } from './storage/local-store.ts';
import { Spool } from './storage/spool.ts';
import type { LineTransport } from './storage/transport.ts';
import { BatchingWriter } from './storage/writer.ts';

export interface AppOptions {
  log: Logger;
  now?: () => number;
  /** Resolve `storage.dataDir` against this (default: the working directory). */
  baseDir?: string;
  /** Clock seconds per real second when `now` is a simulated clock (default 1). */
  clockRate?: number;
}

/** Where readings go: InfluxDB when configured, else the local line-protocol store. */
export function storageTransport(config: Config, baseDir: string): LineTransport {
  const influx = config.storage.influx;
  if (!influx) return new LocalLineStore(localStoreDir(config, baseDir));
  return influx.version === 1 ? new InfluxV1Transport(influx) : new InfluxV2Transport(influx);
}

export const localStoreDir = (config: Config, baseDir: string) =>
  join(resolve(baseDir, config.storage.dataDir), 'local');
export const spoolDir = (config: Config, baseDir: string) =>
  join(resolve(baseDir, config.storage.dataDir), 'spool');

/** The batching writer, with the disk spool in front of a database. */
function buildWriter(
  config: Config,
  baseDir: string,
  log: Logger,
  bus: EventBus<HeatnetEvents>,
): BatchingWriter {
  const transport = storageTransport(config, baseDir);
  // The local store is disk already; a database gets the disk spool in front, and the
  // local store as the last resort should the spool itself fail at shutdown.
  const durability =
    transport.kind === 'local'
      ? {}
      : {
          spool: new Spool(
            { dir: spoolDir(config, baseDir), maxBytes: config.storage.spoolMaxBytes },
            childLogger(log, 'storage.spool'),
          ),
          fallback: new LocalLineStore(localStoreDir(config, baseDir)),
        };
  return new BatchingWriter(
    transport,
    {
      batchSize: config.storage.batchSize,
      flushIntervalMs: config.storage.flushIntervalMs,
      maxBufferedLines: config.storage.maxBufferedLines,
      ...durability,
      onAlert: (alert) => bus.emit('alert.raise', alert),
      onAlertClear: (clear) => bus.emit('alert.clear', clear),
    },
    childLogger(log, 'storage'),
  );
}

/** The MQTT ingestor, and the embedded broker when the config asks for one. */
function buildMqtt(
  config: Config,
  topology: Topology,
  accept: (readings: Reading[]) => Promise<void>,
  log: Logger,
  bus: EventBus<HeatnetEvents>,
  now: () => number,
): { broker: EmbeddedBroker | undefined; mqtt: MqttIngestor } {
  // The embedded broker (aedes) speaks MQTT 3.1.1 only: it refuses a v5 CONNECT with
  // "unacceptable protocol version", so on it the ingestor talks 3.1.1 whatever the
  // default says. An external broker gets what the config asks.
  const mqttConfig =
    config.ingest.mqtt.url === 'embedded'
      ? { ...config.ingest.mqtt, protocolVersion: 4 as const }
      : config.ingest.mqtt;
  const broker =
    mqttConfig.url === 'embedded'
      ? new EmbeddedBroker(mqttConfig.embeddedPort, childLogger(log, 'mqtt.broker'))
      : undefined;
  const mqtt = new MqttIngestor(
    mqttConfig,
    () => (broker ? broker.url : mqttConfig.url),
    topology,
    accept,
    childLogger(log, 'ingest.mqtt'),
    now,
    staleAlerts(bus, mqttConfig.staleAfterS, now),
  );
  return { broker, mqtt };
}

/** A subscription gone quiet raises an alert; its next message clears it. */
function staleAlerts(bus: EventBus<HeatnetEvents>, staleAfterS: number, now: () => number) {
  return {
    onStale: (topic: string) =>
      bus.emit('alert.raise', {
        source: `ingest.mqtt:${topic}`,
        code: 'mqtt-stale',
        severity: 'warning' as const,
        message: `no MQTT message on ${topic} for ${staleAfterS} s`,
        at: now(),
      }),
    onResumed: (topic: string) =>
      bus.emit('alert.clear', { source: `ingest.mqtt:${topic}`, code: 'mqtt-stale', at: now() }),
  };
}

/**
 * The composition root: builds every component from the config, starts them in
 * dependency order (storage → broker → ingest) and stops them in reverse. The HTTP
 * API is built here but bound only by `listen()`, so tests use `inject`.
 */
export class HeatnetApp {
  readonly topology: Topology;
  /** Typed in-process events; a failing listener is logged, never fatal. */
  readonly bus: EventBus<HeatnetEvents>;
  readonly state = new LiveState();
  readonly writer: BatchingWriter;
  readonly modbus: ModbusIngestor;
  readonly mqtt: MqttIngestor;
  readonly broker: EmbeddedBroker | undefined;
  readonly windows: BalanceWindows;
  readonly balance: BalanceService;
  readonly control: ControlParts;
  private readonly lifecycle: Lifecycle;
  private readonly startedAt: number;
  private readonly now: () => number;
  private api: FastifyInstance | undefined;

  constructor(
    readonly config: Config,
    private readonly options: AppOptions,
  ) {
    const log = options.log;
    const baseDir = options.baseDir ?? process.cwd();
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.topology = new Topology(config.network);
    this.bus = new EventBus<HeatnetEvents>(childLogger(log, 'events'));
    this.writer = buildWriter(config, baseDir, log, this.bus);
    this.bus.on('readings', 'state', (r) => this.state.apply(r));
    this.windows = new BalanceWindows(
      config.balance.windowMin * 60_000,
      (id) => this.topology.household(id)?.areaM2,
      this.now,
      config.control.setpointField,
    );
    this.bus.on('readings', 'balance.windows', (r) => this.windows.apply(r));
    // Storage is called directly, not as a bus listener: MQTT acknowledges a QoS 1
    // message only once its readings are durable (in the database or the disk spool),
    // so it needs accept()'s promise; Modbus has nothing to acknowledge.
    const sink = (readings: Reading[]) => {
      this.bus.emit('readings', readings);
      this.writer.write(readings);
    };
    const accept = (readings: Reading[]) => {
      this.bus.emit('readings', readings);
      return this.writer.accept(readings);
    };
    this.modbus = new ModbusIngestor(
      config,
      sink,
      childLogger(log, 'ingest.modbus'),
      this.now,
      (change) => this.bus.emit('device.state', change),
    );
    ({ broker: this.broker, mqtt: this.mqtt } = buildMqtt(
      config,
      this.topology,
      accept,
      log,
      this.bus,
      this.now,
    ));
    this.balance = this.buildBalance(log);
    this.control = buildControl({
      config,
      topology: this.topology,
      modbus: this.modbus,
      state: this.state,
      baseDir,
      now: this.now,
      log,
      clockRate: options.clockRate ?? 1,
      alerts: {
        raise: (alert) => this.bus.emit('alert.raise', alert),
        clear: (clear) => this.bus.emit('alert.clear', clear),
      },
    });
    // Effect tracking and auto-balancing act on every evaluation.
    this.bus.on('balance.evaluated', 'control', (result) => this.control.onBalance(result));
    const components: Component[] = [this.writer];
    if (this.broker) components.push(this.broker);
    // The audit store starts before Modbus and so stops after it: a write in flight at
    // shutdown still gets its outcome recorded.
    const { audit, effects, auto } = this.control;
    components.push(this.mqtt, audit, this.modbus, effects, auto, this.balance);
    this.lifecycle = new Lifecycle(components, childLogger(log, 'app'));
  }

  private buildBalance(log: Logger): BalanceService {
    return new BalanceService(
      this.config,
      {
        config: this.config,
        topology: this.topology,
        windows: this.windows,
        state: this.state,
        devices: () => this.modbus.health(),
      },
      this.bus,
      {
        write: (readings) => this.writer.write(readings),
        publish: (topic, payload) => this.mqtt.publish(topic, payload, { retain: true, qos: 1 }),
      },
      childLogger(log, 'balance'),
      this.now,
      this.options.clockRate ?? 1,
    );
  }

  /** The HTTP API, built once (not listening). */
  async http(): Promise<FastifyInstance> {
    this.api ??= await buildApi({
      config: this.config,
      api: this.config.api,
      topology: this.topology,
      state: this.state,
      devices: () => this.modbus.health(),
      now: this.now,
      clockRate: this.options.clockRate ?? 1,
      balance: () => this.balance.latest(),
      control: {
        control: this.control.control,
        audit: this.control.audit,
        auto: this.control.auto,
      },
      log: childLogger(this.options.log, 'api'),
      health: () => this.healthReport(),
      metrics: createMetrics({
        modbus: () => this.modbus.health(),
        mqtt: () => this.mqtt.health(),
        storage: () => this.writer.health(),
      }),
    });
    return this.api;
  }

  async start(): Promise<void> {
    await this.http();
    await this.lifecycle.start();
  }

  /** Binds the API to `api.host:api.port`; returns the address it listens on. */
  async listen(): Promise<string> {
    const api = await this.http();
    return api.listen({ host: this.config.api.host, port: this.config.api.port });
  }

  async stop(): Promise<void> {
    await this.api?.close();
    await this.lifecycle.stop();
  }

  /** When the engine last ran; stale after three schedule intervals without a run. */
  private balanceHealth() {
    const last = this.balance.lastEvaluatedAt();
    const { enabled, schedule } = this.config.balance;
    const graceMs = 3 * schedule.intervalS * 1000 + 60_000;
    const since = last ?? this.startedAt;
    return {
      enabled,
      evaluatedAt: last === null ? null : new Date(last).toISOString(),
      stale: enabled && !schedule.cron && this.now() - since > graceMs,
      windows: {
        rejectedAhead: this.windows.rejectedAhead,
        rejectedUnknownHouseholds: this.windows.rejectedUnknown,
      },
    };
  }

  healthReport(): HealthReport {
    const devices = this.modbus.health();
    const count = (state: string) => devices.filter((d) => d.state === state).length;
    const storage = this.writer.health();
    const mqtt = this.mqtt.health();
    const problems: string[] = [];
    const down = devices.filter((d) => d.state === 'down').map((d) => d.id);
    if (down.length > 0) problems.push(`modbus devices down: ${down.join(', ')}`);
    const partial = devices.filter((d) => d.badRanges > 0).map((d) => d.id);
    if (partial.length > 0)
      problems.push(`modbus devices refusing some registers: ${partial.join(', ')}`);
    if (storage.state !== 'ok') problems.push(`storage ${storage.state}: ${storage.lastError}`);
    if (!mqtt.connected) problems.push(`MQTT not connected to ${mqtt.url}`);
    const stale = mqtt.subscriptions.filter((s) => s.stale).map((s) => s.topic);
    if (stale.length > 0) problems.push(`MQTT subscriptions stale: ${stale.join(', ')}`);
    if (storage.spool && storage.spool.lines > 0) {
      problems.push(`storage: ${storage.spool.lines} lines spooled to disk awaiting the database`);
    }
    const balance = this.balanceHealth();
    if (balance.stale)
      problems.push(`balance: no evaluation since ${balance.evaluatedAt ?? 'start'}`);
    if (!this.control.audit.isOpen) problems.push('control: audit database is not open');
    const auto = this.control.auto.status();
    if (auto.state === 'paused')
      problems.push(`auto-balancing paused: ${auto.paused.map((p) => p.reason).join('; ')}`);
    return {
      status: problems.length === 0 ? 'ok' : 'degraded',
      problems,
      startedAt: new Date(this.startedAt).toISOString(),
      uptimeS: Math.round((this.now() - this.startedAt) / 1000),
      ingest: {
        modbus: {
          devices: devices.length,
          up: count('up'),
          down: count('down'),
          unknown: count('unknown'),
          disabled: count('disabled'),
          reconnects: this.modbus.connectionReconnects(),
          list: devices,
        },
        mqtt: { ...mqtt, broker: this.broker ? 'embedded' : 'external' },
      },
      storage,
      state: { series: this.state.seriesCount },
      balance,
      control: { auditOpen: this.control.audit.isOpen, auto },
    };
  }
}
