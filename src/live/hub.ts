import {
  balanceResultView,
  deviceIndex,
  iso,
  type NetworkViewSource,
  substationSummary,
} from '../api/views.ts';
import { alertView } from '../api/views-alerts.ts';
import { auditEntryView, autoStatusView } from '../api/views-control.ts';
import type { AutoBalanceStatus } from '../control/auto-balancer.ts';
import type { AuditEntry } from '../control/types.ts';
import type { RaisedAlert } from '../core/alerts.ts';
import type { EventBus } from '../core/events.ts';
import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import type { Reading } from '../core/reading.ts';
import type { HeatnetEvents } from '../events.ts';
import type {
  AlertRecordView,
  DeskCounts,
  LiveEventName,
  LiveEvents,
  SnapshotEvent,
} from './events-contract.ts';
import { type Frame, LiveClient, type StreamSink } from './sse.ts';
import * as views from './views.ts';

export interface LiveHubDeps {
  bus: EventBus<HeatnetEvents>;
  network: NetworkViewSource;
  /** The core alert sink's active alerts. */
  alerts: { list(): RaisedAlert[] };
  /** The control audit: a written row is read back and sent as it is served. */
  audit?: { get(id: number): Promise<AuditEntry | undefined> };
  auto?: () => AutoBalanceStatus;
  desk?: () => Promise<DeskCounts>;
  /** The alerting area's open alerts (issue 12), when it is wired. */
  alertRecords?: () => Promise<AlertRecordView[]>;
  log: Logger;
  settings?: Partial<LiveSettings>;
}

export interface LiveSettings {
  /** A substation's readings go out at most once per this many (real) ms. */
  readingsIntervalMs: number;
  heartbeatMs: number;
  /** Unsent bytes past which a client is dropped to a fresh snapshot. */
  maxBufferedBytes: number;
  /** Connections at once; the next one is refused (503) rather than starving the rest. */
  maxClients: number;
}

export const LIVE_DEFAULTS: LiveSettings = {
  readingsIntervalMs: 2000,
  heartbeatMs: 15_000,
  maxBufferedBytes: 1 << 20,
  maxClients: 200,
};

/** Measurements a substation's summary shows: a change to them is worth a `readings` event. */
const SUMMARY_MEASUREMENTS = new Set(['substation', 'pump']);

/**
 * The live stream's fan-out (issue 13 item 5): listens on the bus, turns each event into
 * its view once, and writes it to every connected client. Readings are coalesced per
 * substation: a set of the substations that changed is flushed every `readingsIntervalMs`
 * as one `readings` event, so a client's rate does not grow with the polling rate.
 */
export class LiveHub implements Component {
  readonly name = 'live';
  readonly settings: LiveSettings;
  private readonly clients = new Set<LiveClient>();
  private readonly dirty = new Set<string>();
  private unsubscribe: (() => void)[] = [];
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly deps: LiveHubDeps) {
    this.settings = { ...LIVE_DEFAULTS, ...deps.settings };
  }

  get clientCount(): number {
    return this.clients.size;
  }

  async start(): Promise<void> {
    const { bus } = this.deps;
    const on = <K extends keyof HeatnetEvents & string>(
      event: K,
      fn: (payload: HeatnetEvents[K]) => void | Promise<void>,
    ) =>
      // Nobody connected: no view is built (a balance view is 3 MB at 5,000 stations).
      this.unsubscribe.push(
        bus.on(event, 'live', (p) => (this.clients.size > 0 ? fn(p) : undefined)),
      );
    on('readings', (readings) => this.markDirty(readings));
    on('balance.evaluated', (r) => this.broadcast('balance', balanceResultView(r)));
    on('alert.raise', (a) => this.broadcast('alert', views.raisedEvent(a)));
    on('alert.clear', (c) => this.broadcast('alert', views.clearedEvent(c)));
    // The alerting area's lifecycle (issue 12): firing, acknowledged, assigned, resolved.
    on('alert.changed', (e) =>
      this.broadcast('alert', { kind: 'changed', alert: alertView(e.alert) }),
    );
    on('ticket.changed', (e) => this.broadcast('ticket', views.ticketEvent(e)));
    on('complaint.received', (a) => this.broadcast('complaint', views.complaintEvent(a)));
    on('incident.opened', (e) => this.broadcast('incident', views.incidentEvent('opened', e)));
    on('incident.changed', (e) => this.broadcast('incident', views.incidentEvent('changed', e)));
    on('device.state', (e) => this.broadcast('device', views.deviceEvent(e)));
    on('audit.changed', ({ id }) => this.auditChanged(id));
    const { readingsIntervalMs, heartbeatMs } = this.settings;
    this.timers = [
      setInterval(() => this.flushReadings(), readingsIntervalMs),
      setInterval(() => this.heartbeat(), heartbeatMs),
    ];
    for (const t of this.timers) t.unref();
  }

  /** Ends every stream (clients reconnect to whoever serves next) and stops listening. */
  async stop(): Promise<void> {
    for (const off of this.unsubscribe) off();
    for (const t of this.timers) clearInterval(t);
    [this.unsubscribe, this.timers] = [[], []];
    this.closeAll();
  }

  closeAll(): void {
    for (const c of this.clients) c.close();
    this.clients.clear();
    this.dirty.clear();
  }

  /** Refuse the next connection rather than starve the ones open. */
  isFull(): boolean {
    return this.clients.size >= this.settings.maxClients;
  }

  /**
   * Adds a client and sends it the snapshot; resolves once the snapshot is written, to
   * the client's detach function (call it when the connection closes).
   */
  async connect(sink: StreamSink): Promise<() => void> {
    const client = new LiveClient(
      sink,
      this.settings.maxBufferedBytes,
      (reason) => this.snapshotFrame(reason),
      (err) => this.deps.log.error({ err }, 'live snapshot failed'),
    );
    this.clients.add(client);
    const detach = () => {
      this.clients.delete(client);
      client.close();
    };
    await client.open();
    if (client.isClosed) this.clients.delete(client);
    return detach;
  }

  /** Every event goes out serialised once, whatever the number of clients. */
  broadcast<K extends LiveEventName>(event: K, payload: LiveEvents[K]): void {
    if (this.clients.size === 0) return;
    const frame: Frame = { event, data: JSON.stringify(payload) };
    for (const c of this.clients) c.send(frame);
  }

  /** Everything the console's first screen needs, as the REST routes would serve it. */
  async snapshot(reason: SnapshotEvent['reason']): Promise<SnapshotEvent> {
    const { network, alerts, auto, desk, alertRecords } = this.deps;
    const balance = network.balance?.();
    const index = deviceIndex(network);
    return {
      reason,
      site: views.siteView(network.config, network.now(), network.clockRate),
      balance: balance ? balanceResultView(balance) : null,
      substations: network.topology.substations.map((s) => substationSummary(network, s, index)),
      alerts: alerts.list().map(views.activeAlertView),
      alertRecords: alertRecords ? await alertRecords() : null,
      desk: desk ? await desk() : null,
      auto: auto ? autoStatusView(auto()) : null,
    };
  }

  private async snapshotFrame(reason: SnapshotEvent['reason']): Promise<Frame> {
    return { event: 'snapshot', data: JSON.stringify(await this.snapshot(reason)) };
  }

  private markDirty(readings: readonly Reading[]): void {
    // Nobody listening: nothing to remember (the ingest path pays one size check).
    if (this.clients.size === 0) return;
    for (const r of readings) {
      const id = r.tags['substation'];
      if (id !== undefined && SUMMARY_MEASUREMENTS.has(r.measurement)) this.dirty.add(id);
    }
  }

  private flushReadings(): void {
    if (this.dirty.size === 0) return;
    const { network } = this.deps;
    const index = deviceIndex(network);
    const substations = [];
    for (const id of this.dirty) {
      const s = network.topology.substation(id);
      if (s) substations.push(substationSummary(network, s, index));
    }
    this.dirty.clear();
    if (substations.length > 0) {
      this.broadcast('readings', { at: iso(network.now()), substations });
    }
  }

  private heartbeat(): void {
    const at = iso(this.deps.network.now());
    for (const c of this.clients) c.heartbeat(at);
  }

  private async auditChanged(id: number): Promise<void> {
    if (this.clients.size === 0 || !this.deps.audit) return;
    const entry = await this.deps.audit.get(id);
    if (entry) this.broadcast('audit', auditEntryView(entry));
  }
}
