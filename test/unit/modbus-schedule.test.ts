import { describe, expect, it } from 'vitest';
import {
  DOWN_AFTER_FAILURES,
  newHealth,
  recordFailure,
  recordPollStats,
  recordSuccess,
} from '../../src/ingest/modbus/health.ts';
import { newPollStats } from '../../src/ingest/modbus/poll-stats.ts';
import {
  backoffDelay,
  FIRST_POLL_SPREAD_MS,
  firstPollDelay,
  MAX_BACKOFF_MS,
} from '../../src/ingest/modbus/schedule.ts';

const mid = () => 0.5; // no jitter: the ±20 % band's centre

describe('backoffDelay: the circuit breaker schedule', () => {
  it('keeps the interval until the device is down', () => {
    for (let failures = 0; failures < DOWN_AFTER_FAILURES; failures++) {
      expect(backoffDelay(10_000, failures, mid)).toBe(10_000);
    }
  });

  it('doubles the wait with every further failure, up to five minutes', () => {
    const waits = [3, 4, 5, 6, 7, 8, 20, 1000].map((n) => backoffDelay(10_000, n, mid));
    expect(waits).toEqual([20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000, 300_000]);
    expect(MAX_BACKOFF_MS).toBe(300_000);
  });

  it('jitters by ±20 % and never past the cap', () => {
    expect(backoffDelay(1000, 3, () => 0)).toBeCloseTo(1600, 6);
    expect(backoffDelay(1000, 3, () => 1)).toBeCloseTo(2400, 6);
    expect(backoffDelay(10_000, 50, () => 1)).toBe(MAX_BACKOFF_MS);
    expect(backoffDelay(10_000, 50, () => 0)).toBeCloseTo(0.8 * MAX_BACKOFF_MS, 6);
  });

  it('spreads first polls over at most a second, or the interval when shorter', () => {
    expect(firstPollDelay(10_000, () => 0.999)).toBeLessThan(FIRST_POLL_SPREAD_MS);
    expect(firstPollDelay(200, () => 0.5)).toBe(100);
    expect(firstPollDelay(10_000, () => 0)).toBe(0);
  });
});

describe('device health from poll stats', () => {
  it('counts what the wire saw, success or not, without counting a failure twice', () => {
    const h = newHealth('S01-plc', 'S01', 'tcp://127.0.0.1:1', 1);
    const stats = { ...newPollStats(), timeouts: 1, exceptions: { '6': 2 }, busyRetries: 2 };
    recordPollStats(h, stats, []);
    recordFailure(h, 1000, new Error('unit 1: no answer in 500 ms'));
    recordPollStats(h, { ...newPollStats(), exceptions: { '6': 1, '2': 1 }, reconnects: 1 }, []);
    recordSuccess(h, 2000, 12, { reading: undefined, rejected: [] });
    expect(h).toMatchObject({
      polls: 2,
      failures: 1,
      timeouts: 1,
      exceptions: { '6': 3, '2': 1 },
      busyRetries: 2,
      reconnects: 1,
      state: 'up',
      badRanges: 0,
    });
  });

  it('lists bad ranges with their fields, and clears them when they recover', () => {
    const h = newHealth('S01-plc', 'S01', 'tcp://127.0.0.1:1', 1);
    const spec = { field: 'flow_m3h' } as never;
    const bad = [{ area: 'input' as const, address: 40, count: 2, fields: [{ spec, offset: 0 }] }];
    recordPollStats(h, newPollStats(), bad);
    expect(h.badRanges).toBe(1);
    expect(h.badRangeList).toEqual(['input 40+2 (flow_m3h)']);
    recordPollStats(h, newPollStats(), []);
    expect(h.badRanges).toBe(0);
    expect(h.badRangeList).toEqual([]);
  });
});
