import type { Config, ModbusDeviceConfig } from '../../config/schema.ts';
import type { Component } from '../../core/lifecycle.ts';
import type { Logger } from '../../core/logger.ts';
import type { Reading } from '../../core/reading.ts';
import type { HeatnetEvents } from '../../events.ts';
import { type BusBudget, busBudgets } from './bus-budget.ts';
import { ModbusConnection } from './connection.ts';
import { ModbusDevice } from './device.ts';
import { type DtuHealth, DtuHub } from './dtu-hub.ts';
import type { DtuListenerHealth } from './dtu-listener.ts';
import {
  type DeviceHealth,
  healthReading,
  newHealth,
  recordFailure,
  recordPollStats,
  recordStart,
  recordSuccess,
} from './health.ts';
import { limitsFor, planRequests } from './plan.ts';
import { newPollStats } from './poll-stats.ts';
import { backoffDelay, firstPollDelay } from './schedule.ts';
import { deviceAddress, deviceEndpoint } from './url.ts';

export type ReadingsListener = (readings: Reading[]) => void;
export type DeviceStateListener = (change: HeatnetEvents['device.state']) => void;

interface Scheduled {
  device: ModbusDevice;
  health: DeviceHealth;
  intervalMs: number;
  timeoutMs: number;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
}

/**
 * Polls every configured Modbus device on its own schedule. Devices are isolated:
 * each has its own timer, a timeout on every request and, once down, an exponential
 * backoff, so a dead or slow device costs only its own time. Devices behind one
 * endpoint share one connection (one request in flight), as gateways require.
 */
export class ModbusIngestor implements Component {
  readonly name = 'ingest.modbus';
  private readonly connections = new Map<string, ModbusConnection>();
  private readonly scheduled: Scheduled[] = [];
  private stopped = false;
  /** Ends busy-retry pauses at once when the service stops. */
  private readonly stopping = new AbortController();
  /** The dial-in DTUs' listeners, when the config has any. */
  private hub: DtuHub | undefined;
  private budgets: BusBudget[] | undefined;

  constructor(
    private readonly config: Config,
    private readonly onReadings: ReadingsListener,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly onDeviceState: DeviceStateListener = () => undefined,
  ) {}

  async start(): Promise<void> {
    const { devices, listeners } = this.config.ingest.modbus;
    if (listeners.length > 0) {
      this.hub = new DtuHub(listeners, devicesVia(devices), this.log, this.now);
      await this.hub.start();
    }
    const sourceOf = new Map(this.config.network.substations.map((s) => [s.id, s.source]));
    for (const d of devices) {
      const entry = this.add(d, sourceOf.get(d.substation) ?? '');
      if (!d.enabled) entry.health.state = 'disabled';
      else this.schedule(entry, firstPollDelay(entry.intervalMs));
    }
    this.log.info(
      { devices: devices.length, connections: this.connections.size },
      'modbus polling started',
    );
  }

  /** A device with its own plan, caps and timings, on its endpoint's shared connection. */
  private add(d: ModbusDeviceConfig, source: string): Scheduled {
    const { maps, defaults } = this.config.ingest.modbus;
    const endpoint = deviceEndpoint(d, (id) => dtuBaud(this.config, id));
    let connection = this.connections.get(endpoint.key);
    if (!connection) {
      connection = new ModbusConnection(endpoint, this.hub);
      this.connections.set(endpoint.key, connection);
    }
    const requests = planRequests(maps[d.map] ?? [], limitsFor(d, defaults));
    const device = new ModbusDevice(d, requests, connection, source, {
      busyRetries: defaults.busyRetries,
      busyRetryDelayMs: defaults.busyRetryDelayMs,
    });
    const entry: Scheduled = {
      device,
      health: newHealth(d.id, d.substation, deviceAddress(d), d.unitId),
      intervalMs: d.intervalMs ?? defaults.intervalMs,
      timeoutMs: d.timeoutMs ?? defaults.timeoutMs,
      timer: undefined,
      running: undefined,
    };
    this.scheduled.push(entry);
    return entry;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    for (const s of this.scheduled) clearTimeout(s.timer);
    await Promise.all(this.scheduled.map((s) => s.running));
    await Promise.all([...this.connections.values()].map((c) => c.close()));
    await this.hub?.stop();
  }

  /** Each serial bus's polling against its capacity, from the request plans (static). */
  busBudgets(): BusBudget[] {
    this.budgets ??= busBudgets(this.config);
    return this.budgets;
  }

  /** The dial-in listeners and every configured DTU (empty without listeners). */
  dtus(): { listeners: DtuListenerHealth[]; dtus: DtuHealth[] } {
    return { listeners: this.hub?.listenerHealth() ?? [], dtus: this.hub?.dtuHealth() ?? [] };
  }

  health(): DeviceHealth[] {
    return this.scheduled.map((s) => s.health);
  }

  /** Reconnects of every link (a device's own share is in its health). */
  connectionReconnects(): number {
    let n = 0;
    for (const c of this.connections.values()) n += c.reconnects;
    return n;
  }

  /** Polls one device now (used by tests, and by the control path after a confirmed change). */
  pollNow(deviceId: string): Promise<void> {
    const entry = this.scheduled.find((s) => s.device.config.id === deviceId);
    if (!entry) return Promise.reject(new Error(`unknown device ${deviceId}`));
    return this.pollOnce(entry);
  }

  /** A started device (its config and connection), for field writes and read-backs. */
  device(deviceId: string): ModbusDevice | undefined {
    return this.scheduled.find((s) => s.device.config.id === deviceId)?.device;
  }

  private schedule(entry: Scheduled, delayMs: number): void {
    if (this.stopped) return;
    entry.health.nextPollAt = this.now() + delayMs;
    // Durations on the monotonic clock: `now` may be simulated (faster than real time)
    // or a wall clock that NTP steps, and timers run in real milliseconds.
    const due = performance.now() + delayMs;
    entry.timer = setTimeout(() => {
      const started = performance.now();
      // A timer fires only when the event loop is free: how late it fired is how much
      // other work (API requests, big batches) delayed the poll.
      recordStart(entry.health, started - due);
      entry.running = this.pollOnce(entry).finally(() => {
        entry.running = undefined;
        const elapsed = performance.now() - started;
        // Keep the cadence; a poll that overran its interval starts the next at once.
        const next = backoffDelay(entry.intervalMs, entry.health.consecutiveFailures);
        this.schedule(entry, Math.max(0, next - elapsed));
      });
    }, delayMs);
    entry.timer.unref?.();
  }

  private async pollOnce(entry: Scheduled): Promise<void> {
    const { device, health } = entry;
    const started = performance.now();
    const stats = newPollStats();
    try {
      const outcome = await device.poll(entry.timeoutMs, this.now, stats, this.stopping.signal);
      const badBefore = health.badRangeList;
      recordPollStats(health, stats, device.plan.bad);
      if (health.badRangeList !== badBefore) this.logBadRanges(entry, badBefore);
      const finished = this.now();
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      const cameUp = recordSuccess(health, finished, latencyMs, outcome);
      if (cameUp) {
        this.log.info({ device: device.config.id }, 'device up');
        this.announce(health, finished);
      }
      if (outcome.rejected.length > 0) this.logRejects(entry, outcome.rejected);
      const readings = outcome.reading ? [outcome.reading] : [];
      readings.push(healthReading(health, outcome.reading?.time ?? finished, true));
      this.onReadings(readings);
    } catch (err) {
      if (this.stopped) return; // cut short by stop(): nothing learnt about the device
      recordPollStats(health, stats, device.plan.bad);
      const at = this.now();
      const wentDown = recordFailure(health, at, err);
      if (wentDown) {
        this.log.warn({ device: device.config.id, err: health.lastError }, 'device down');
        this.announce(health, at);
      }
      this.onReadings([healthReading(health, at, false)]);
    }
  }

  private announce(h: DeviceHealth, at: number): void {
    this.onDeviceState({
      device: h.id,
      substation: h.substation,
      state: h.state,
      reason: h.lastError,
      at,
    });
  }

  /** Logs a range once when the device starts refusing it, and once when it reads again. */
  private logBadRanges(entry: Scheduled, before: readonly string[]): void {
    const now = entry.health.badRangeList;
    const device = entry.device.config.id;
    for (const range of now.filter((r) => !before.includes(r))) {
      this.log.warn({ device, range }, 'range refused by the device (exception 2/3): skipped');
    }
    for (const range of before.filter((r) => !now.includes(r))) {
      this.log.info({ device, range }, 'range readable again');
    }
  }

  /** Logs a field's rejection the first time only; counts are in health and metrics. */
  private logRejects(
    entry: Scheduled,
    rejected: { field: string; reason: string; raw: unknown }[],
  ) {
    for (const r of rejected) {
      if (entry.health.rejectedFields[r.field]?.count === 1) {
        this.log.warn(
          { device: entry.device.config.id, field: r.field, reason: r.reason, raw: r.raw },
          'value rejected',
        );
      }
    }
  }
}

/** Device ids by the DTU they are reached through. */
function devicesVia(devices: readonly ModbusDeviceConfig[]): Map<string, string[]> {
  const via = new Map<string, string[]>();
  for (const d of devices) {
    if (d.via !== undefined) via.set(d.via, [...(via.get(d.via) ?? []), d.id]);
  }
  return via;
}

function dtuBaud(config: Config, dtu: string): number | undefined {
  for (const l of config.ingest.modbus.listeners) {
    const found = l.dtus.find((d) => d.id === dtu);
    if (found) return found.baud;
  }
  return undefined;
}
