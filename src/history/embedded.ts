import type { Store } from '../store/store.ts';
import { MINUTE_MS, QUARTER_MS } from './accumulator.ts';
import { fieldSource, SITE } from './fields.ts';
import { type HistoryTable, readBuckets } from './history-db.ts';
import {
  foldBuckets,
  type HistoryQuery,
  type HistorySeries,
  type HistorySource,
} from './source.ts';

export interface Retention {
  /** Days the 1-minute buckets are kept. */
  minuteDays: number;
  /** Days the 15-minute buckets are kept (a heating season and some). */
  quarterDays: number;
}

const DAY_MS = 86_400_000;
const roundUp = (ms: number, unit: number) => Math.max(unit, Math.ceil(ms / unit) * unit);

/**
 * The embedded store's history: minute buckets while they are kept, else quarters. A step
 * is a whole number of minutes; one that reaches back past the minutes' retention becomes
 * a whole number of quarters (the answer says which step it used).
 */
export class EmbeddedHistory implements HistorySource {
  readonly kind = 'embedded';

  constructor(
    private readonly store: Store,
    private readonly retention: Retention,
    private readonly now: () => number,
  ) {}

  /** Which table and step answer `q`. */
  plan(q: HistoryQuery): { table: HistoryTable; stepMs: number } {
    const minutesFrom = this.now() - this.retention.minuteDays * DAY_MS;
    const stepMs = roundUp(q.stepMs, MINUTE_MS);
    if (stepMs % QUARTER_MS === 0) return { table: 'history_quarter', stepMs };
    if (q.fromMs < minutesFrom) {
      return { table: 'history_quarter', stepMs: roundUp(stepMs, QUARTER_MS) };
    }
    return { table: 'history_minute', stepMs };
  }

  async query(q: HistoryQuery): Promise<HistorySeries> {
    const { table, stepMs } = this.plan(q);
    const substation = fieldSource(q.field).perSubstation ? q.substation : SITE;
    // Whole steps: the first step starts at or before `from`, as InfluxDB's GROUP BY time.
    const fromMs = q.fromMs - (q.fromMs % stepMs);
    const buckets = await readBuckets(this.store.db, table, {
      substation,
      field: q.field,
      fromMs,
      toMs: q.toMs,
    });
    return { stepMs, source: 'embedded', points: foldBuckets(buckets, stepMs) };
  }
}
