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
  /** Cells by `substation NUL minute`, then by field: one key string per reading, not per value. */
  private cells = new Map<string, Map<HistoryField, Cell>>();
  private cellCount = 0;
  private time = 0;
  // The last reading's series: consecutive values of one reading share it.
  private lastSubstation = '';
  private lastBucket = Number.NaN;
  private lastRow: Map<HistoryField, Cell> | undefined;

  private readonly add = (substation: string, field: HistoryField, value: number) => {
    const bucketMs = this.time - (this.time % MINUTE_MS);
    let row = this.lastRow;
    if (row === undefined || substation !== this.lastSubstation || bucketMs !== this.lastBucket) {
      const key = `${substation}\u0000${bucketMs}`;
      row = this.cells.get(key);
      if (!row) {
        row = new Map();
        this.cells.set(key, row);
      }
      [this.lastRow, this.lastSubstation, this.lastBucket] = [row, substation, bucketMs];
    }
    const cell = row.get(field);
    if (cell) {
      cell.sum += value;
      cell.samples++;
    } else {
      row.set(field, { substation, field, bucketMs, sum: value, samples: 1 });
      this.cellCount++;
    }
  };

  get size(): number {
    return this.cellCount;
  }

  record(readings: readonly Reading[]): void {
    for (const r of readings) {
      this.time = r.time;
      eachHistoryValue(r, this.add);
    }
  }

  /**
   * Takes what was summed, in parts of about `size` rows: the minute buckets, then the
   * same samples by quarter. The parts are made as they are asked for, so a caller that
   * writes one part per turn of the event loop never holds it for the whole flush
   * (130,000 minute cells at 5,000 substations took ~140 ms in one go).
   */
  *take(size: number): Generator<{ kind: 'minute' | 'quarter'; rows: BucketDelta[] }> {
    const rows = this.cells;
    [this.cells, this.cellCount, this.lastRow] = [new Map(), 0, undefined];
    const quarters = new Map<string, BucketDelta>();
    let part: BucketDelta[] = [];
    for (const row of rows.values()) {
      for (const c of row.values()) {
        part.push(c);
        const bucketMs = c.bucketMs - (c.bucketMs % QUARTER_MS);
        const key = `${c.substation}\u0000${c.field}\u0000${bucketMs}`;
        const q = quarters.get(key);
        if (q) {
          q.sum += c.sum;
          q.samples += c.samples;
        } else quarters.set(key, { ...c, bucketMs });
      }
      if (part.length >= size) {
        yield { kind: 'minute', rows: part };
        part = [];
      }
    }
    if (part.length > 0) yield { kind: 'minute', rows: part };
    part = [];
    for (const q of quarters.values()) {
      part.push(q);
      if (part.length === size) {
        yield { kind: 'quarter', rows: part };
        part = [];
      }
    }
    if (part.length > 0) yield { kind: 'quarter', rows: part };
  }
}
