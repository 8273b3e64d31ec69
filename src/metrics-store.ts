import { type Family, family } from './metrics-family.ts';
import type { LogSyncs } from './store/sqlite-dialect.ts';
import { SLOW_FLUSH_MS } from './store/wal-sync.ts';

/**
 * SQLite's flushes of its log (issue 10): every write a person submits waits for one, so
 * their count, time and slow ones show when the disk, not heatnet, makes answers late.
 * SQLite only: PostgreSQL reports its own.
 */
export function storeFamilies(syncs: () => LogSyncs | null): Family[] {
  const one = (type: Family['type'], name: string, help: string, value: (s: LogSyncs) => number) =>
    family(type, `heatnet_store_log_${name}`, help, [], function* () {
      const s = syncs();
      if (s) yield [{}, value(s)];
    });
  return [
    one('counter', 'flushes_total', 'Flushes of the log to stable storage', (s) => s.flushes.count),
    one('counter', 'flush_seconds_total', 'Time spent flushing the log', (s) => s.flushes.seconds),
    one(
      'counter',
      'slow_flushes_total',
      `Flushes of the log longer than ${SLOW_FLUSH_MS} ms`,
      (s) => s.flushes.slow,
    ),
    one(
      'gauge',
      'flush_longest_seconds',
      'The longest flush of the log since start',
      (s) => s.flushes.longestMs / 1000,
    ),
    one('counter', 'writes_total', 'Writes made durable by the flushes', (s) => s.requests),
  ];
}
