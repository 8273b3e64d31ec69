import type { Static } from 'typebox';
import type { Reading } from '../../core/reading.ts';
import { Words } from '../../core/words.ts';
import type { PollOutcome } from './device.ts';
import type { PlannedRequest } from './plan.ts';
import type { PollStats } from './poll-stats.ts';

/** A polled device's state; the API serves the same words (one schema, DESIGN §3). */
export const DeviceStateSchema = Words(['unknown', 'up', 'down', 'disabled'] as const);
export type DeviceState = Static<typeof DeviceStateSchema>;

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
  /** Requests that got no answer in time, or got it only after the timeout. */
  timeouts: number;
  /** Requests answered after their timeout (also in `timeouts`): values kept, deadline missed. */
  lateAnswers: number;
  /** How late the last poll started against its schedule, ms (timers wait for a busy event loop). */
  startLateMs: number | null;
  /** The latest start of any poll so far, ms. */
  maxStartLateMs: number;
  /** Polls that started more than `LATE_START_MS` after their schedule. */
  lateStarts: number;
  /** Requests that failed on the link itself (refused, reset, closed by the peer). */
  connectionErrors: number;
  /** Exception answers by code — every one, also those a split or a busy retry got past. */
  exceptions: Record<string, number>;
  /** Requests repeated after exception 6 (busy). */
  busyRetries: number;
  /** Times this device's requests found its link closed and reopened it. */
  reconnects: number;
  /** Address ranges the device refuses (exception 2/3) on their own: skipped, probed now and then. */
  badRanges: number;
  /** What those ranges are, e.g. "holding 40+2 (flow_m3h)": what a technician needs to look at. */
  badRangeList: string[];
  rejected: { sentinel: number; range: number };
  /** Field → why its last values were rejected: what a technician needs to look at. */
  rejectedFields: Record<string, { reason: string; count: number; lastRaw: string }>;
  nextPollAt: number | null;
}

/** Consecutive failed polls after which a device counts as down. */
export const DOWN_AFTER_FAILURES = 3;

/**
 * A poll that starts this much after its schedule counts as late: timer jitter is a few
 * ms, so 100 ms means the event loop was busy elsewhere (an API request, a big batch).
 */
export const LATE_START_MS = 100;

/** Records how late (ms, real time) a poll started against its schedule. */
export function recordStart(h: DeviceHealth, lateMs: number): void {
  const late = Math.max(0, Math.round(lateMs * 10) / 10);
  h.startLateMs = late;
  h.maxStartLateMs = Math.max(h.maxStartLateMs, late);
  if (late > LATE_START_MS) h.lateStarts++;
}

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
    lateAnswers: 0,
    startLateMs: null,
    maxStartLateMs: 0,
    lateStarts: 0,
    connectionErrors: 0,
    exceptions: {},
    busyRetries: 0,
    reconnects: 0,
    badRanges: 0,
    badRangeList: [],
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

/** Adds what one poll saw on the wire (success or not) and the device's bad ranges now. */
export function recordPollStats(
  h: DeviceHealth,
  stats: PollStats,
  bad: readonly PlannedRequest[],
): void {
  h.timeouts += stats.timeouts;
  h.lateAnswers += stats.lateAnswers;
  h.connectionErrors += stats.connectionErrors;
  h.busyRetries += stats.busyRetries;
  h.reconnects += stats.reconnects;
  for (const [code, n] of Object.entries(stats.exceptions)) {
    h.exceptions[code] = (h.exceptions[code] ?? 0) + n;
  }
  if (bad.length === 0 && h.badRanges === 0) return;
  const list = bad.map(
    (r) => `${r.area} ${r.address}+${r.count} (${r.fields.map((f) => f.spec.field).join(', ')})`,
  );
  // A new array only when the ranges changed, so a caller can tell by identity.
  if (list.join('\n') !== h.badRangeList.join('\n')) h.badRangeList = list;
  h.badRanges = bad.length;
}

/**
 * Records a failed poll; returns true when this failure took the device down. What
 * the failure was (timeout, exception, link) is counted by `recordPollStats`.
 */
export function recordFailure(h: DeviceHealth, at: number, err: unknown): boolean {
  h.polls++;
  h.failures++;
  h.consecutiveFailures++;
  h.lastAttemptAt = at;
  h.lastError = err instanceof Error ? err.message : String(err);
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
      ...(h.startLateMs !== null ? { start_late_ms: h.startLateMs } : {}),
      late_starts: h.lateStarts,
      late_answers: h.lateAnswers,
      rejected: h.rejected.sentinel + h.rejected.range,
      reconnects: h.reconnects,
      bad_ranges: h.badRanges,
    },
    intFields: HEALTH_INT_FIELDS,
    time,
  };
}

const HEALTH_INT_FIELDS: ReadonlySet<string> = new Set([
  'errors',
  'timeouts',
  'late_starts',
  'late_answers',
  'rejected',
  'reconnects',
  'bad_ranges',
]);
