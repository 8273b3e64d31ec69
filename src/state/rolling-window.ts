import { BucketPool, type Segment } from './bucket-pool.ts';

/** A new window's segment: a room sensor every ten minutes needs eight buckets per window. */
const FIRST_CAPACITY = 8;
/**
 * A window with a pool of its own reserves address space for a million buckets, not the
 * shared pool's 2^27: tests and tools make thousands of such windows.
 */
const ALONE_MAX_BUCKETS = 2 ** 20;

/**
 * Samples of one numeric field over a trailing time window, for window means, kept
 * as per-bucket sums and counts with running totals: a PLC polled every 5 s and a
 * room sensor reporting every 10 min cost the same few dozen buckets, and a mean is
 * two binary searches and a subtraction — so memory and evaluation time depend on
 * the window, not on the sampling rate or on uptime. Means are exact over whole
 * buckets; a bucket counts when it overlaps the asked interval.
 *
 * The buckets live in a segment of a `BucketPool` that many windows share (the balance
 * windows keep 250,000 at scale); the window itself holds only small integers. Its
 * buckets are positions `head … length-1` of the segment; those before `head` have left
 * the window and go at the next compaction.
 */
export class RollingWindow implements Segment {
  /** Where the segment starts in the pool (the pool moves it when it compacts). */
  offset: number;
  capacity = FIRST_CAPACITY;
  private length = 0;
  private head = 0;

  /**
   * @param keepMs how far back buckets are kept (a little more than the window, so an
   *   evaluation slightly behind the newest sample still finds its data)
   * @param bucketMs bucket width: the resolution of the window's edges
   * @param pool where the buckets are kept (shared by a set of windows)
   */
  constructor(
    private readonly keepMs: number,
    private readonly bucketMs: number,
    private readonly pool: BucketPool = new BucketPool(FIRST_CAPACITY, ALONE_MAX_BUCKETS),
  ) {
    this.offset = pool.take(FIRST_CAPACITY);
    pool.adopt(this);
  }

  add(time: number, value: number): void {
    const start = Math.floor(time / this.bucketMs) * this.bucketMs;
    const n = this.length;
    const p = this.pool;
    const i = this.offset + n - 1;
    const last = n > this.head ? p.starts[i]! : Number.NEGATIVE_INFINITY;
    // Only a sample newer than the newest moves the horizon: each path trims for itself
    // (a late sample never does), rather than every sample walking the front afterwards.
    if (start === last) {
      p.totals[i]! += value;
      p.counts[i]!++;
      if (time > p.lasts[i]!) {
        p.lasts[i] = time;
        this.trimTo(time - this.keepMs);
      }
    } else if (start > last) {
      // A sample that leaves nothing kept behind it (a sensor silent for longer than the
      // window, or a week-old backfill stepping through time) starts over in place: it
      // costs what a fresh sample costs (issue 14).
      if (n > this.head && last + this.bucketMs <= time - this.keepMs)
        this.restart(start, time, value);
      else this.append(start, time, value);
    } else {
      this.addLate(start, time, value);
    }
  }

  /** Mean of the samples in the buckets overlapping (from, to]; null when there are none. */
  mean(from: number, to: number): number | null {
    // First bucket ending after `from`, last bucket starting at or before `to`.
    const i = this.firstStartAbove(from - this.bucketMs);
    const j = this.firstStartAbove(to) - 1;
    if (i > j) return null;
    const { totals, counts } = this.pool;
    const o = this.offset;
    const count = counts[o + j]! - (i > 0 ? counts[o + i - 1]! : 0);
    if (count === 0) return null;
    return (totals[o + j]! - (i > 0 ? totals[o + i - 1]! : 0)) / count;
  }

  /**
   * Time of the newest sample at or before `to` (to bucket resolution: a bucket
   * straddling `to` answers `to`); null when none.
   */
  lastAt(to: number): number | null {
    const j = this.firstStartAbove(to) - 1;
    return j >= this.head ? Math.min(this.pool.lasts[this.offset + j]!, to) : null;
  }

  /** Buckets held (for tests and memory accounting). */
  get buckets(): number {
    return this.length - this.head;
  }

  /**
   * The newest sample's time: always in the last bucket, which never leaves the window
   * (its end is after the newest sample).
   */
  private newest(): number {
    return this.length > this.head
      ? this.pool.lasts[this.offset + this.length - 1]!
      : Number.NEGATIVE_INFINITY;
  }

  /** Index of the first live bucket whose start is > t (length if none). */
  private firstStartAbove(t: number): number {
    const starts = this.pool.starts;
    const o = this.offset;
    let lo = this.head;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[o + mid]! > t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** A replayed or reordered sample goes to its bucket; the totals after it move up. */
  private addLate(start: number, time: number, value: number): void {
    // Older than what is kept: it would be trimmed at once, and must not land among
    // the buckets before `head`.
    if (start + this.bucketMs <= this.newest() - this.keepMs) return;
    if (this.length === this.capacity) this.makeRoom();
    const p = this.pool;
    const o = this.offset;
    let i = this.firstStartAbove(start) - 1;
    if (i < this.head || p.starts[o + i] !== start) {
      i++;
      const end = o + this.length;
      for (const column of [p.starts, p.totals, p.counts, p.lasts])
        column.copyWithin(o + i + 1, o + i, end);
      p.starts[o + i] = start;
      p.totals[o + i] = i > 0 ? p.totals[o + i - 1]! : 0;
      p.counts[o + i] = i > 0 ? p.counts[o + i - 1]! : 0;
      p.lasts[o + i] = time;
      this.length++;
    }
    if (time > p.lasts[o + i]!) p.lasts[o + i] = time;
    for (let k = o + i; k < o + this.length; k++) {
      p.totals[k]! += value;
      p.counts[k]!++;
    }
  }

  /** Drops (moves `head` past) the buckets that end at or before `horizon`. */
  private trimTo(horizon: number): void {
    const starts = this.pool.starts;
    while (this.head < this.length && starts[this.offset + this.head]! + this.bucketMs <= horizon) {
      this.head++;
    }
  }

  private append(start: number, time: number, value: number): void {
    // What this sample pushes out of the window goes first, so a full segment makes room
    // by dropping it rather than by growing (a sensor's window then keeps its size).
    this.trimTo(time - this.keepMs);
    if (this.length === this.capacity) this.makeRoom();
    const p = this.pool;
    const i = this.offset + this.length;
    const first = this.length === 0;
    p.starts[i] = start;
    p.totals[i] = (first ? 0 : p.totals[i - 1]!) + value;
    p.counts[i] = (first ? 0 : p.counts[i - 1]!) + 1;
    p.lasts[i] = time;
    this.length++;
  }

  /** The sample as the only bucket, at the segment's start. */
  private restart(start: number, time: number, value: number): void {
    const p = this.pool;
    const o = this.offset;
    p.starts[o] = start;
    p.totals[o] = value;
    p.counts[o] = 1;
    p.lasts[o] = time;
    this.length = 1;
    this.head = 0;
  }

  /**
   * A full segment drops the buckets that left the window, or moves to a segment twice
   * the size when none did. A new bucket at most every `bucketMs` copies at most the
   * window's buckets: a bounded cost, with no segment larger than twice the window.
   */
  private makeRoom(): void {
    if (this.head > 0) {
      this.moveLive(this.offset);
      return;
    }
    const capacity = this.capacity * 2;
    // Taking may compact the pool and move this window: its offset is read after.
    const offset = this.pool.take(capacity);
    this.pool.release(this.offset, this.capacity);
    this.moveLive(offset);
    this.capacity = capacity;
  }

  /**
   * Copies the live buckets to the start of the segment at `offset` (this one or a new
   * one), their running totals rebased on the dropped prefix so they stay small and exact.
   */
  private moveLive(offset: number): void {
    const { starts, totals, counts, lasts } = this.pool;
    const from = this.offset + this.head;
    const baseTotal = this.head > 0 ? totals[from - 1]! : 0;
    const baseCount = this.head > 0 ? counts[from - 1]! : 0;
    const live = this.length - this.head;
    for (let k = 0; k < live; k++) {
      starts[offset + k] = starts[from + k]!;
      totals[offset + k] = totals[from + k]! - baseTotal;
      counts[offset + k] = counts[from + k]! - baseCount;
      lasts[offset + k] = lasts[from + k]!;
    }
    this.offset = offset;
    this.length = live;
    this.head = 0;
  }
}
