import type { NotificationOutbox } from './alerting/model.ts';
import { type AlertParts, buildAlerts } from './alerts/build.ts';
import { buildOutbox, type OutboxParts } from './alerts/outbox-build.ts';
import { buildApi, type HttpApi } from './api/server.ts';
import { alertView } from './api/views-alerts.ts';
import { buildBalanceRunner } from './balance-runner/build.ts';
import type { BalanceService } from './balance-runner/service.ts';
import { buildDesk, type DeskParts } from './complaints/build.ts';
import type { Config } from './config/schema.ts';
import { buildControl, type ControlParts } from './control/build.ts';
import type { AlertBoard } from './core/alerts.ts';
import { EventBus } from './core/events.ts';
import { type Component, Lifecycle } from './core/lifecycle.ts';
import { childLogger, type Logger } from './core/logger.ts';
import type { Diagnoser } from './diagnosis/diagnoser.ts';
import { Topology } from './domain/topology.ts';
import { alertsOnBus, type HeatnetEvents } from './events.ts';
import { collectHealth } from './health/collect.ts';
import { healthReport } from './health/report.ts';
import type { HealthReport } from './health/schema.ts';
import { buildHistory, type HistoryParts } from './history/build.ts';
import { buildIngest } from './ingest/build.ts';
import type { ModbusIngestor } from './ingest/modbus/ingestor.ts';
import type { EmbeddedBroker } from './ingest/mqtt/broker.ts';
import type { MqttIngestor } from './ingest/mqtt/ingestor.ts';
import type { IngestPipeline } from './ingest/pipeline.ts';
import { buildLedger, type LedgerParts } from './ledger/build.ts';
import { buildLedgerData, type LedgerDataParts } from './ledger/collect.ts';
import type { LedgerSource } from './ledger/source.ts';
import { buildLive, type LiveParts } from './live/build.ts';
import type { LiveSettings } from './live/hub.ts';
import { createMetrics } from './metrics.ts';
import type { BalanceWindows } from './state/balance-windows.ts';
import { buildState } from './state/build.ts';
import type { LiveState } from './state/live-state.ts';
import { buildStorage } from './storage/build.ts';
import type { BatchingWriter } from './storage/writer.ts';
import { buildStore } from './store/build.ts';
import type { Store } from './store/store.ts';
import { buildTickets, type TicketParts } from './tickets/build.ts';

// The storage paths, where the tools and tests have always imported them from.
export { localStoreDir, spoolDir, storageTransport } from './storage/build.ts';

export interface AppOptions {
  log: Logger;
  now?: () => number;
  /** Resolve `storage.dataDir` against this (default: the working directory). */
  baseDir?: string;
  /** Clock seconds per real second when `now` is a simulated clock (default 1). */
  clockRate?: number;
  /** Replaces the live diagnoser (tests inject the diagnoses and findings they need). */
  diagnoser?: Diagnoser;
  /** The regulation ledger's inputs (issue 11); the ledger runs only with one. */
  ledgerSource?: LedgerSource;
  /** The live stream's pace and bounds (tests shorten them). */
  live?: Partial<LiveSettings>;
  /** Where alert notifications go (issue 12); default: nowhere (until the outbox is wired). */
  outbox?: NotificationOutbox;
}

/**
 * The composition root: asks each area's builder for its parts and wires them together.
 * Each builder returns its components in the order they must start; they start area by
 * area (storage → store → control → ingest → balancing) and stop in reverse, so storage
 * outlives everything that writes, and the control audit the Modbus writes it records.
 * The HTTP API is built here but bound only by `listen()`, so tests use `inject`.
 */
export class HeatnetApp implements Component {
  readonly name = 'heatnet';
  readonly topology: Topology;
  /** Typed in-process events; a failing listener is logged, never fatal. */
  readonly bus: EventBus<HeatnetEvents>;
  /** The one alert sink every component raises and clears through. */
  readonly alerts: AlertBoard;
  readonly state: LiveState;
  readonly windows: BalanceWindows;
  readonly writer: BatchingWriter;
  readonly pipeline: IngestPipeline;
  readonly modbus: ModbusIngestor;
  readonly mqtt: MqttIngestor;
  readonly broker: EmbeddedBroker | undefined;
  readonly balance: BalanceService;
  /** Relational state: the control audit, complaints, incidents, tickets. */
  readonly store: Store;
  readonly control: ControlParts;
  /** The service desk: complaints, incidents, tickets (issue 10). */
  readonly desk: DeskParts;
  /** The regulation ledger's inputs: room days and heat stops (issue 11). */
  readonly ledgerData: LedgerDataParts;
  /** The regulation ledger: nightly job and readers (issue 11). */
  readonly ledger: LedgerParts;
  /** Work orders and their SLA clocks (issue 11). */
  readonly tickets: TicketParts;
  /** The live stream's hub (`GET /api/events`, issue 13). */
  readonly live: LiveParts;
  /** The substations' trends: InfluxDB, or the embedded store's buckets (issue 13). */
  readonly history: HistoryParts;
  /** The alert lifecycle, rules, grouping, routing, escalation (issue 12). */
  readonly alerting: AlertParts;
  /** The alert outbox and its channels (issue 12). */
  readonly alertOutbox: OutboxParts;
  readonly startedAt: number;
  private readonly lifecycle: Lifecycle;
  private readonly now: () => number;
  private readonly clockRate: number;
  private api: HttpApi | undefined;

  constructor(
    readonly config: Config,
    private readonly options: AppOptions,
  ) {
    const { log } = options;
    const now = options.now ?? Date.now;
    const topology = new Topology(config.network);
    const bus = new EventBus<HeatnetEvents>(childLogger(log, 'events'));
    const alerts = alertsOnBus(bus, now, childLogger(log, 'alerts'));
    const clockRate = options.clockRate ?? 1;
    const baseDir = options.baseDir ?? process.cwd();
    // What the builders need; each takes its own share.
    const ctx = { config, topology, bus, alerts, log, now, clockRate, baseDir };
    const storage = buildStorage(ctx);
    const relational = buildStore(ctx);
    const history = buildHistory({ ...ctx, store: relational.store });
    const { state, windows } = buildState(config, topology);
    const ingest = buildIngest({ ...ctx, targets: { state, windows, writer: storage.writer } });
    const devices = () => ingest.modbus.health();
    const control = buildControl({
      ...ctx,
      store: relational.store,
      fieldIO: ingest.fieldIO,
      devices,
      state,
      auditChanged: (id) => bus.emit('audit.changed', { id }),
    });
    const runner = buildBalanceRunner({
      ...ctx,
      sources: { topology, windows, state, devices },
      write: (readings) => storage.writer.write(readings),
      // QoS 0: every evaluation republishes each station's retained result, so one lost with
      // a dropped connection is replaced within an interval; QoS 1 kept 5,000 messages and
      // their acks in flight each time, on the loop complaints are taken on (issue 10).
      publish: (topic, payload) => ingest.mqtt.publish(topic, payload, { retain: true, qos: 0 }),
    });
    const desk = buildDesk({
      ...ctx,
      store: relational.store,
      state,
      balance: () => runner.balance.latest(),
      publish: (topic, payload) => ingest.mqtt.publish(topic, payload, { retain: true, qos: 1 }),
      ...(options.diagnoser ? { diagnoser: options.diagnoser } : {}),
    });
    const ledgerData = buildLedgerData({ ...ctx, store: relational.store });
    const tickets = buildTickets({ ...ctx, store: relational.store, state });
    // Every incident has its crew's ticket, which follows it when it closes or is invalid.
    bus.on('incident.opened', 'tickets', (e) => tickets.crew.opened(e.incident, e.change));
    bus.on('incident.changed', 'tickets', (e) => tickets.crew.changed(e.incident, e.change));
    // Effect tracking and auto-balancing act on every evaluation; the desk looks for faults.
    bus.on('balance.evaluated', 'control', (result) => control.onBalance(result));
    bus.on('balance.evaluated', 'desk', (result) => desk.onBalance(result));
    // The ledger reads the room days and stops the ledger data collects, unless a test gives its own.
    const source = options.ledgerSource ?? ledgerData.source;
    const ledger = buildLedger({ ...ctx, store: relational.store, source });
    const alertOutbox = buildOutbox({
      ...ctx,
      channels: config.alerts.channels,
      timeZone: config.site.timezone,
      store: relational.store,
      publish: (topic, payload) => ingest.mqtt.publishAcked(topic, payload),
    });
    const outbox = options.outbox ?? alertOutbox.outbox;
    const alerting = buildAlerts({ ...ctx, store: relational.store, outbox });
    const live = buildLive({
      ...ctx,
      network: {
        config,
        topology,
        state,
        devices,
        now,
        clockRate,
        balance: () => runner.balance.latest(),
      },
      store: relational.store,
      control,
      // The open alerts of the lifecycle, for the snapshot a console starts from.
      alertRecords: async () => (await alerting.desk.open()).map(alertView),
      ...(options.live ? { settings: options.live } : {}),
    });
    // Alerts and the live hub start before ingest and balancing, so no device state, event or
    // evaluation is missed; the outbox after ingest, whose MQTT client its MQTT channel
    // publishes through.
    const areas = [
      ...[storage, relational, history, control, desk, tickets, alerting, ledgerData, live],
      ...[ingest, alertOutbox, runner, ledger],
    ];
    const components = areas.flatMap((area) => area.components);
    this.lifecycle = new Lifecycle(components, childLogger(log, 'app'));
    [this.now, this.clockRate, this.startedAt] = [now, clockRate, now()];
    [this.topology, this.bus, this.alerts] = [topology, bus, alerts];
    [this.state, this.windows, this.control] = [state, windows, control];
    [this.store, this.desk] = [relational.store, desk];
    [this.tickets, this.ledgerData, this.ledger, this.live] = [tickets, ledgerData, ledger, live];
    this.history = history;
    [this.alerting, this.alertOutbox] = [alerting, alertOutbox];
    [this.writer, this.balance, this.pipeline] = [storage.writer, runner.balance, ingest.pipeline];
    [this.modbus, this.mqtt, this.broker] = [ingest.modbus, ingest.mqtt, ingest.broker];
  }

  /** The HTTP API, built once (not listening). */
  async http(): Promise<HttpApi> {
    const { config, control, desk } = this;
    this.api ??= await buildApi({
      config,
      api: config.api,
      topology: this.topology,
      state: this.state,
      devices: () => this.modbus.health(),
      now: this.now,
      clockRate: this.clockRate,
      balance: () => this.balance.latest(),
      control: { control: control.control, audit: control.audit, auto: control.auto },
      desk: { ...desk, now: this.now },
      tickets: { tickets: this.tickets.desk },
      ledger: this.ledger,
      live: this.live.hub,
      history: this.history.source,
      alerts: this.alerting.desk,
      log: childLogger(this.options.log, 'api'),
      health: () => this.healthReport(),
      metrics: createMetrics({
        modbus: () => this.modbus.health(),
        mqtt: () => this.mqtt.health(),
        storage: () => this.writer.health(),
        ingest: () => this.pipeline.refused(),
        broker: () => this.broker?.health(),
        desk: () => desk.signals.stats,
        outbox: () => this.alertOutbox.health(),
        ...(this.store.engine === 'sqlite' ? { store: () => this.store.walSyncs } : {}),
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

  /** Every component's snapshot, judged by the pure health report. */
  healthReport(): HealthReport {
    return healthReport(collectHealth(this), this.now());
  }
}
