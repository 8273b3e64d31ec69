import type { RoomDayAggregate } from '../service/ledger-data-days.ts';
import {
  addSampleAt,
  aggregateAt,
  mergeAt,
  AGGREGATE_WIDTH as STRIDE,
  startAt,
  writeAt,
} from './room-day-columns.ts';
import type { RoomDayDelta } from './room-days-db.ts';

/**
 * The aggregates of one site day that are not in the households' rows (room-day-rows.ts):
 * late readings, days put back after a failed flush, days a row moved on from. Laid out as
 * numbers, found by the household's slot: a gateway flushing a week's buffer into a running
 * service sends nothing but late readings, and each one here is an index and six numbers
 * changed in place, where a map of households to aggregate objects cost two string lookups
 * and a box per changed number (issue 14). A page indexes every slot up to the highest it
 * holds (4 bytes each: 1 MB a day at 250,000 households), and lives until the next flush.
 */
export class RoomDayPage {
  /** Slot → its row + 1; 0 where the household has none. */
  private index = new Int32Array(0);
  private rows = new Float64Array(STRIDE * 64);
  /** Row → the household's slot. */
  private slots = new Int32Array(64);
  private count = 0;

  constructor(readonly day: string) {}

  /** Households with an aggregate here. */
  get size(): number {
    return this.count;
  }

  /** Adds one sample to the household's aggregate; true when it opened a new one. */
  add(slot: number, tempC: number, atMs: number): boolean {
    const row = this.rowOf(slot);
    if (row === 0) {
      const at = this.open(slot); // first: it may grow `rows`
      startAt(this.rows, at, tempC, atMs);
      return true;
    }
    addSampleAt(this.rows, (row - 1) * STRIDE, tempC, atMs);
    return false;
  }

  /** Adds a whole aggregate to the household's; true when it opened a new one. */
  merge(slot: number, a: RoomDayAggregate): boolean {
    const row = this.rowOf(slot);
    if (row === 0) {
      const at = this.open(slot); // first: it may grow `rows`
      writeAt(this.rows, at, a);
      return true;
    }
    mergeAt(this.rows, (row - 1) * STRIDE, a);
    return false;
  }

  /** Each aggregate as a delta onto `out`, in the order they were opened. */
  collect(households: readonly string[], out: RoomDayDelta[]): void {
    for (let row = 0; row < this.count; row++) {
      const household = households[this.slots[row]!]!;
      out.push({ day: this.day, household, ...aggregateAt(this.rows, row * STRIDE) });
    }
  }

  /** The household's row + 1; 0 when it has none here. */
  private rowOf(slot: number): number {
    return slot < this.index.length ? this.index[slot]! : 0;
  }

  /** A new row for the household; where its numbers start. */
  private open(slot: number): number {
    if (slot >= this.index.length) this.index = grown(this.index, slot + 1);
    if (this.count === this.slots.length) {
      this.slots = grown(this.slots, this.count + 1);
      const rows = new Float64Array(this.slots.length * STRIDE);
      rows.set(this.rows);
      this.rows = rows;
    }
    const row = this.count++;
    this.index[slot] = row + 1;
    this.slots[row] = slot;
    return row * STRIDE;
  }
}

/** A copy of `a` with room for at least `least` entries (doubling, so growth is amortised). */
function grown(a: Int32Array, least: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(Math.max(least, 2 * a.length, 64));
  out.set(a);
  return out;
}
