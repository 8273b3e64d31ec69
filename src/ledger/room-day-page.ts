import type { RoomDayAggregate } from '../service/ledger-data-days.ts';
import type { RoomDayDelta } from './room-days-db.ts';

// One household's aggregate in a page: six numbers.
const SUM = 0;
const SAMPLES = 1;
const MIN = 2;
const MAX = 3;
const FIRST = 4;
const LAST = 5;
const STRIDE = 6;

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
    const row = slot < this.index.length ? this.index[slot]! : 0;
    if (row === 0) {
      this.open(slot, tempC, 1, tempC, tempC, atMs, atMs);
      return true;
    }
    const r = this.rows;
    const at = (row - 1) * STRIDE;
    r[at + SUM]! += tempC;
    r[at + SAMPLES]!++;
    if (tempC < r[at + MIN]!) r[at + MIN] = tempC;
    if (tempC > r[at + MAX]!) r[at + MAX] = tempC;
    if (atMs < r[at + FIRST]!) r[at + FIRST] = atMs;
    if (atMs > r[at + LAST]!) r[at + LAST] = atMs;
    return false;
  }

  /** Adds a whole aggregate to the household's; true when it opened a new one. */
  merge(slot: number, a: RoomDayAggregate): boolean {
    const row = slot < this.index.length ? this.index[slot]! : 0;
    if (row === 0) {
      this.open(slot, a.sumC, a.samples, a.minC, a.maxC, a.firstMs, a.lastMs);
      return true;
    }
    const r = this.rows;
    const at = (row - 1) * STRIDE;
    r[at + SUM]! += a.sumC;
    r[at + SAMPLES]! += a.samples;
    r[at + MIN] = Math.min(r[at + MIN]!, a.minC);
    r[at + MAX] = Math.max(r[at + MAX]!, a.maxC);
    r[at + FIRST] = Math.min(r[at + FIRST]!, a.firstMs);
    r[at + LAST] = Math.max(r[at + LAST]!, a.lastMs);
    return false;
  }

  /** Each aggregate as a delta onto `out`, in the order they were opened. */
  collect(households: readonly string[], out: RoomDayDelta[]): void {
    const r = this.rows;
    for (let row = 0; row < this.count; row++) {
      const at = row * STRIDE;
      out.push({
        day: this.day,
        household: households[this.slots[row]!]!,
        sumC: r[at + SUM]!,
        samples: r[at + SAMPLES]!,
        minC: r[at + MIN]!,
        maxC: r[at + MAX]!,
        firstMs: r[at + FIRST]!,
        lastMs: r[at + LAST]!,
      });
    }
  }

  private open(
    slot: number,
    sumC: number,
    samples: number,
    minC: number,
    maxC: number,
    firstMs: number,
    lastMs: number,
  ): void {
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
    const r = this.rows;
    const at = row * STRIDE;
    r[at + SUM] = sumC;
    r[at + SAMPLES] = samples;
    r[at + MIN] = minC;
    r[at + MAX] = maxC;
    r[at + FIRST] = firstMs;
    r[at + LAST] = lastMs;
  }
}

/** A copy of `a` with room for at least `least` entries (doubling, so growth is amortised). */
function grown(a: Int32Array, least: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(Math.max(least, 2 * a.length, 64));
  out.set(a);
  return out;
}
