import { isHeatnetError } from '../../core/errors.ts';
import type { Reading } from '../reading.ts';
import type { PollOutcome } from './device.ts';

export type DeviceState = 'unknown' | 'up' | 'down' | 'disabled';

export interface DeviceHealth {
  id: string;
  substation: string;
  url: string;
  unitId: number;
  state: DeviceState;
  lastSuccessAt: number | null;
  lastAttemptAt: number | null;
  lastError: string | null;
  latencyMs: number | null;
  polls: number;
  failures: number;
  consecutiveFailures: number;
  timeouts: number;
  connectionErrors: number;
  exceptions: Record<string, number>;
  rejected: { sentinel: number; range: number };
  /** Field → why its last values were rejected: what a technician needs to look at. */
  rejectedFields: Record<string, { reason: string; count: number; lastRaw: string }>;
  nextPollAt: number | null;
}

/** Consecutive failed polls after which a device counts as down. */
export const DOWN_AFTER_FAILURES = 3;

export function newHealth(
  id: string,
  substation: string,
  url: string,
  unitId: number,
): DeviceHealth {
  return {
    id,
    substation,
    url,
    unitId,
    state: 'unknown',
    lastSuccessAt: null,
    lastAttemptAt: null,
    lastError: null,
    latencyMs: null,
    polls: 0,
    failures: 0,
    consecutiveFailures: 0,
    timeouts: 0,
    connectionErrors: 0,
    exceptions: {},
    rejected: { sentinel: 0, range: 0 },
    rejectedFields: {},
    nextPollAt: null,
  };
}

/** Records a successful poll; returns true when the device came back up. */
export function recordSuccess(
  h: DeviceHealth,
  at: number,
  latencyMs: number,
  outcome: PollOutcome,
): boolean {
  const cameUp = h.state !== 'up';
  h.polls++;
  h.lastAttemptAt = at;
  h.lastSuccessAt = at;
  h.latencyMs = latencyMs;
  h.consecutiveFailures = 0;
  h.lastError = null;
  h.state = 'up';
  for (const r of outcome.rejected) {
    h.rejected[r.reason]++;
    const entry = h.rejectedFields[r.field] ?? { reason: r.reason, count: 0, lastRaw: '' };
    h.rejectedFields[r.field] = entry;
    entry.reason = r.reason;
    entry.count++;
    entry.lastRaw = String(r.raw);
  }
  return cameUp;
}

/** Records a failed poll; returns true when this failure took the device down. */
export function recordFailure(h: DeviceHealth, at: number, err: unknown): boolean {
  h.polls++;
  h.failures++;
  h.consecutiveFailures++;
  h.lastAttemptAt = at;
  h.lastError = err instanceof Error ? err.message : String(err);
  if (isHeatnetError(err, 'MODBUS_TIMEOUT')) h.timeouts++;
  else if (isHeatnetError(err, 'MODBUS_EXCEPTION')) {
    const code = String(err.context.exceptionCode);
    h.exceptions[code] = (h.exceptions[code] ?? 0) + 1;
  } else h.connectionErrors++;
  if (h.state !== 'down' && h.consecutiveFailures >= DOWN_AFTER_FAILURES) {
    h.state = 'down';
    return true;
  }
  return false;
}

/** The `device_health` point written after every poll (DESIGN §4.2). */
export function healthReading(h: DeviceHealth, time: number, ok: boolean): Reading {
  return {
    measurement: 'device_health',
    tags: { device: h.id, substation: h.substation },
    fields: {
      ok,
      ...(ok && h.latencyMs !== null ? { latency_ms: h.latencyMs } : {}),
      errors: h.failures,
      timeouts: h.timeouts,
      rejected: h.rejected.sentinel + h.rejected.range,
    },
    intFields: HEALTH_INT_FIELDS,
    time,
  };
}

const HEALTH_INT_FIELDS: ReadonlySet<string> = new Set(['errors', 'timeouts', 'rejected']);
