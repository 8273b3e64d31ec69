import type { Reading } from '../core/reading.ts';
import type { HistoryField } from '../live/events-contract.ts';
import { eachHistoryValue } from './fields.ts';

export const MINUTE_MS = 60_000;
export const QUARTER_MS = 15 * MINUTE_MS;

/** One bucket's samples as the store adds them up. */
export interface BucketDelta {
  substation: string;
  field: string;
  bucketMs: number;
  sum: number;
  samples: number;
}

interface Cell {
  substation: string;
  field: HistoryField;
  bucketMs: number;
  sum: number;
  samples: number;
}

/**
 * Sums of the history values since the last flush, per substation, field and minute.
 * On the ingest path: one map lookup per value kept; the quarter buckets are derived
 * from the minutes at flush time, not per reading.
 */
export class HistoryAccumulator {
  private cells = new Map<string, Cell>();
  private readonly add = (substation: string, field: HistoryField, value: number) => {
    const bucketMs = this.time - (this.time % MINUTE_MS);
    const key = `${substation}\u0000${field}\u0000${bucketMs}`;
    const cell = this.cells.get(key);
    if (cell) {
      cell.sum += value;
      cell.samples++;
    } else this.cells.set(key, { substation, field, bucketMs, sum: value, samples: 1 });
  };
  private time = 0;

  get size(): number {
    return this.cells.size;
  }

  record(readings: readonly Reading[]): void {
    for (const r of readings) {
      this.time = r.time;
      eachHistoryValue(r, this.add);
    }
  }

  /** Takes what was summed: the minute buckets, and the same samples by quarter. */
  take(): { minutes: BucketDelta[]; quarters: BucketDelta[] } {
    const cells = this.cells;
    this.cells = new Map();
    const minutes: BucketDelta[] = [];
    const quarters = new Map<string, BucketDelta>();
    for (const c of cells.values()) {
      minutes.push(c);
      const bucketMs = c.bucketMs - (c.bucketMs % QUARTER_MS);
      const key = `${c.substation}\u0000${c.field}\u0000${bucketMs}`;
      const q = quarters.get(key);
      if (q) {
        q.sum += c.sum;
        q.samples += c.samples;
      } else quarters.set(key, { ...c, bucketMs });
    }
    return { minutes, quarters: [...quarters.values()] };
  }
}
