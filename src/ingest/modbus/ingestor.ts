import type { Config } from '../../config/schema.ts';
import type { Component } from '../../core/lifecycle.ts';
import type { Logger } from '../../core/logger.ts';
import type { HeatnetEvents } from '../../events.ts';
import type { Reading } from '../reading.ts';
import { ModbusConnection } from './connection.ts';
import { ModbusDevice } from './device.ts';
import {
  type DeviceHealth,
  DOWN_AFTER_FAILURES,
  healthReading,
  newHealth,
  recordFailure,
  recordSuccess,
} from './health.ts';
import { planRequests } from './plan.ts';
import { parseModbusUrl } from './url.ts';

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

/** Longest a down device waits between attempts. */
const MAX_BACKOFF_MS = 5 * 60_000;

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

  constructor(
    private readonly config: Config,
    private readonly onReadings: ReadingsListener,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly onDeviceState: DeviceStateListener = () => undefined,
  ) {}

  async start(): Promise<void> {
    const { maps, devices, defaults } = this.config.ingest.modbus;
    const sourceOf = new Map(this.config.network.substations.map((s) => [s.id, s.source]));
    for (const d of devices) {
      const endpoint = parseModbusUrl(d.url);
      let connection = this.connections.get(endpoint.key);
      if (!connection) {
        connection = new ModbusConnection(endpoint);
        this.connections.set(endpoint.key, connection);
      }
      const requests = planRequests(maps[d.map] ?? [], defaults);
      const device = new ModbusDevice(d, requests, connection, sourceOf.get(d.substation) ?? '');
      const health = newHealth(d.id, d.substation, d.url, d.unitId);
      const entry: Scheduled = {
        device,
        health,
        intervalMs: d.intervalMs ?? defaults.intervalMs,
        timeoutMs: d.timeoutMs ?? defaults.timeoutMs,
        timer: undefined,
        running: undefined,
      };
      this.scheduled.push(entry);
      if (!d.enabled) {
        health.state = 'disabled';
        continue;
      }
      // Spread first polls over a short window so devices do not all fire together.
      this.schedule(entry, Math.random() * Math.min(entry.intervalMs, 1000));
    }
    this.log.info(
      { devices: devices.length, connections: this.connections.size },
      'modbus polling started',
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.scheduled) clearTimeout(s.timer);
    await Promise.all(this.scheduled.map((s) => s.running));
    await Promise.all([...this.connections.values()].map((c) => c.close()));
  }

  health(): DeviceHealth[] {
    return this.scheduled.map((s) => s.health);
  }

  connectionReconnects(): number {
    let n = 0;
    for (const c of this.connections.values()) n += c.reconnects;
    return n;
  }

  /** Polls one device now (used by tests and by the control path's read-back). */
  pollNow(deviceId: string): Promise<void> {
    const entry = this.scheduled.find((s) => s.device.config.id === deviceId);
    if (!entry) return Promise.reject(new Error(`unknown device ${deviceId}`));
    return this.pollOnce(entry);
  }

  private schedule(entry: Scheduled, delayMs: number): void {
    if (this.stopped) return;
    entry.health.nextPollAt = this.now() + delayMs;
    entry.timer = setTimeout(() => {
      const started = this.now();
      entry.running = this.pollOnce(entry).finally(() => {
        entry.running = undefined;
        const elapsed = this.now() - started;
        // Keep the cadence; a poll that overran its interval starts the next at once.
        this.schedule(entry, Math.max(0, this.nextDelay(entry) - elapsed));
      });
    }, delayMs);
    entry.timer.unref?.();
  }

  private nextDelay(entry: Scheduled): number {
    const excess = entry.health.consecutiveFailures - DOWN_AFTER_FAILURES;
    if (excess < 0) return entry.intervalMs;
    const backoff = Math.min(entry.intervalMs * 2 ** (excess + 1), MAX_BACKOFF_MS);
    return backoff * (0.8 + Math.random() * 0.4);
  }

  private async pollOnce(entry: Scheduled): Promise<void> {
    const { device, health } = entry;
    const started = this.now();
    try {
      const outcome = await device.poll(entry.timeoutMs, this.now);
      const finished = this.now();
      const cameUp = recordSuccess(health, finished, finished - started, outcome);
      if (cameUp) {
        this.log.info({ device: device.config.id }, 'device up');
        this.announce(health, finished);
      }
      if (outcome.rejected.length > 0) this.logRejects(entry, outcome.rejected);
      const readings = outcome.reading ? [outcome.reading] : [];
      readings.push(healthReading(health, outcome.reading?.time ?? finished, true));
      this.onReadings(readings);
    } catch (err) {
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
