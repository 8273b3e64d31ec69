import {
  aggregateOf,
  mergeAggregates,
  type RoomDayAggregate,
} from '../service/ledger-data-days.ts';
import { AGGREGATE_WIDTH, addSampleAt, aggregateAt, writeAt } from './room-day-columns.ts';
import { RoomDayPage } from './room-day-page.ts';
import type { RoomDayDelta } from './room-days-db.ts';

// One household's row: its last sample's time and its current day's aggregate.
const LAST_AT = 0;
/** The start (epoch ms) of the site day the row's aggregate is for; NaN when it holds none. */
const DAY = 1;
/** Where the aggregate's numbers start (room-day-columns.ts). */
const AGGREGATE = 2;
/** Eight numbers: one cache line per household. */
const STRIDE = AGGREGATE + AGGREGATE_WIDTH;

/**
 * The room days gathered since the last flush, laid out for the readings stream (issue 14):
 * each household has a row of numbers in one Float64Array, holding its current day, so a
 * reading is one map lookup and one cache line, where objects per household, per day and per
 * number (every double field is a box of its own) cost a cache miss each at 250,000 rooms.
 * When a row moves on to a newer day (a backfill crosses midnight for every household), the
 * day it held is copied as numbers into `retired`: its delta object and key are made at the
 * flush, not on the readings stream. Aggregates of other days (a late reading, one put back
 * after a failed flush) wait in `others`, a page of numbers per day (room-day-page.ts);
 * `retired` is folded into `others` before either is added to, so no household and day is in
 * both. Late readings are the whole stream when a gateway flushes a week's buffer into a
 * running service (its rows hold today): each adds to its aggregate in place, found by its
 * day's page and its household's slot, with no key, object or box made per reading (issue 14).
 */
export class RoomDayRows {
  private readonly slots = new Map<string, number>();
  private readonly households: string[] = [];
  private rows = new Float64Array(STRIDE * 1024);
  /** Site-day labels by their start. */
  private readonly labels = new Map<number, string>();
  /** Day label → its aggregates, for the days not in the household's row. */
  private readonly others = new Map<string, RoomDayPage>();
  /** The page last added to: a backfill's readings come a day at a time. */
  private lastPage: RoomDayPage | undefined;
  /** Aggregates in `others`. */
  private othersCount = 0;
  /** Rows holding a day's aggregate. */
  private held = 0;
  /** Days rows moved on from, laid out as rows with the household's slot in `LAST_AT`. */
  private retired = new Float64Array(STRIDE * 256);
  private retiredCount = 0;

  /** Households × days waiting for the next flush. */
  get size(): number {
    return this.held + this.othersCount + this.retiredCount;
  }

  /**
   * Adds a sample of the site day starting at `dayStart` (labelled `day`); false when the
   * household's last sample had the same time (a redelivered reading counts once).
   */
  add(household: string, tempC: number, atMs: number, dayStart: number, day: string): boolean {
    return this.addAt(this.slotOf(household), tempC, atMs, dayStart, day);
  }

  /** The household's row, made on its first sample: a caller may keep it (it never moves). */
  slotOf(household: string): number {
    return this.slots.get(household) ?? this.slotFor(household);
  }

  /** As `add`, for the household whose row `slotOf` gave. */
  addAt(slot: number, tempC: number, atMs: number, dayStart: number, day: string): boolean {
    const rows = this.rows;
    const at = slot * STRIDE;
    if (rows[at + LAST_AT] === atMs) return false;
    rows[at + LAST_AT] = atMs;
    const rowDay = rows[at + DAY]!;
    if (rowDay === dayStart) {
      addSampleAt(rows, at + AGGREGATE, tempC, atMs);
      return true;
    }
    // Apart from the path above, so the readings stream's compiled code stays small.
    this.otherDay(slot, tempC, atMs, dayStart, day);
    return true;
  }

  /** Every aggregate gathered, and starts over (households keep their last sample's time). */
  takeAll(): RoomDayDelta[] {
    const deltas: RoomDayDelta[] = [];
    for (const page of this.others.values()) page.collect(this.households, deltas);
    this.others.clear();
    this.lastPage = undefined;
    this.othersCount = 0;
    for (let r = 0; r < this.retiredCount; r++) deltas.push(this.retiredDelta(r));
    this.retiredCount = 0;
    for (let slot = 0; slot < this.households.length; slot++) {
      const at = slot * STRIDE;
      if (Number.isNaN(this.rows[at + DAY]!)) continue;
      deltas.push(this.deltaAt(slot));
      this.rows[at + DAY] = Number.NaN;
    }
    this.held = 0;
    return deltas;
  }

  /** Merges aggregates back (a flush that failed), into the rows where their day is. */
  putBack(deltas: readonly RoomDayDelta[]): void {
    this.foldRetired();
    for (const d of deltas) {
      const slot = this.slotOf(d.household);
      const at = slot * STRIDE;
      const dayStart = this.startOf(d.day);
      const rowDay = this.rows[at + DAY]!;
      if (dayStart !== undefined && rowDay === dayStart) {
        this.fill(at, dayStart, mergeAggregates(d, this.deltaAt(slot)));
        this.held--;
      } else if (dayStart !== undefined && Number.isNaN(rowDay)) this.fill(at, dayStart, d);
      else this.addOther(d);
    }
  }

  /** A sample of another day than its row's: the row's first, a newer day, or a late one. */
  private otherDay(slot: number, tempC: number, atMs: number, dayStart: number, day: string) {
    if (!this.labels.has(dayStart)) this.labels.set(dayStart, day);
    const at = slot * STRIDE;
    const rowDay = this.rows[at + DAY]!;
    // The row follows the newest day: in-order readings then stay on the fast path.
    if (Number.isNaN(rowDay)) this.fill(at, dayStart, aggregateOf(tempC, atMs));
    else if (dayStart > rowDay) {
      this.retire(at);
      this.held--;
      this.fill(at, dayStart, aggregateOf(tempC, atMs));
    } else {
      this.foldRetired();
      if (this.pageOf(day).add(slot, tempC, atMs)) this.othersCount++;
    }
  }

  /** Copies the row at `at` (its slot in place of its last sample's time) into `retired`. */
  private retire(at: number): void {
    if ((this.retiredCount + 1) * STRIDE > this.retired.length) {
      const grown = new Float64Array(this.retired.length * 2);
      grown.set(this.retired);
      this.retired = grown;
    }
    const to = this.retiredCount++ * STRIDE;
    for (let k = 0; k < STRIDE; k++) this.retired[to + k] = this.rows[at + k]!;
    this.retired[to + LAST_AT] = at / STRIDE;
  }

  /** Moves the retired days into `others` (before `others` is added to: no key in both). */
  private foldRetired(): void {
    const count = this.retiredCount;
    this.retiredCount = 0;
    for (let r = 0; r < count; r++) this.addOther(this.retiredDelta(r));
  }

  /** Adds `d` to its day's page (its numbers are copied: `d` stays the caller's). */
  private addOther(d: RoomDayDelta): void {
    const slot = this.slotOf(d.household);
    if (this.pageOf(d.day).merge(slot, d)) this.othersCount++;
  }

  private pageOf(day: string): RoomDayPage {
    const last = this.lastPage;
    if (last?.day === day) return last;
    let page = this.others.get(day);
    if (!page) {
      page = new RoomDayPage(day);
      this.others.set(day, page);
    }
    this.lastPage = page;
    return page;
  }

  private fill(at: number, dayStart: number, a: RoomDayAggregate): void {
    this.rows[at + DAY] = dayStart;
    writeAt(this.rows, at + AGGREGATE, a);
    this.held++;
  }

  private deltaAt(slot: number): RoomDayDelta {
    return this.deltaOf(this.rows, slot * STRIDE, this.households[slot]!);
  }

  /** The aggregate of a row of `rows` (the rows, or `retired`) as a delta. */
  private deltaOf(rows: Float64Array, at: number, household: string): RoomDayDelta {
    const day = this.labels.get(rows[at + DAY]!)!;
    return { day, household, ...aggregateAt(rows, at + AGGREGATE) };
  }

  /** Retired day `r`'s delta (its household by the slot kept in `LAST_AT`). */
  private retiredDelta(r: number): RoomDayDelta {
    const at = r * STRIDE;
    return this.deltaOf(this.retired, at, this.households[this.retired[at + LAST_AT]!]!);
  }

  private startOf(day: string): number | undefined {
    for (const [start, label] of this.labels) if (label === day) return start;
    return undefined;
  }

  private slotFor(household: string): number {
    const slot = this.households.length;
    if ((slot + 1) * STRIDE > this.rows.length) {
      const grown = new Float64Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    this.households.push(household);
    this.slots.set(household, slot);
    this.rows[slot * STRIDE + LAST_AT] = Number.NaN;
    this.rows[slot * STRIDE + DAY] = Number.NaN;
    return slot;
  }
}
