/**
 * Samples of one numeric field over a trailing time window, for window means, kept
 * as per-bucket sums and counts with running totals: a PLC polled every 5 s and a
 * room sensor reporting every 10 min cost the same few dozen buckets, and a mean is
 * two binary searches and a subtraction — so memory and evaluation time depend on
 * the window, not on the sampling rate or on uptime. Means are exact over whole
 * buckets; a bucket counts when it overlaps the asked interval.
 */
export class RollingWindow {
  private readonly starts: number[] = [];
  /** Running totals up to and including each bucket (sum of values, number of samples). */
  private readonly totals: number[] = [];
  private readonly counts: number[] = [];
  /** Newest sample time in each bucket. */
  private readonly lasts: number[] = [];
  private head = 0;
  private newest = Number.NEGATIVE_INFINITY;

  /**
   * @param keepMs how far back buckets are kept (a little more than the window, so an
   *   evaluation slightly behind the newest sample still finds its data)
   * @param bucketMs bucket width: the resolution of the window's edges
   */
  constructor(
    private readonly keepMs: number,
    private readonly bucketMs: number,
  ) {}

  add(time: number, value: number): void {
    const start = Math.floor(time / this.bucketMs) * this.bucketMs;
    const n = this.starts.length;
    const last = n > this.head ? this.starts[n - 1]! : Number.NEGATIVE_INFINITY;
    if (start === last) {
      this.totals[n - 1]! += value;
      this.counts[n - 1]!++;
      if (time > this.lasts[n - 1]!) this.lasts[n - 1] = time;
    } else if (start > last) {
      // A sample that leaves nothing kept behind it (a sensor silent for longer than the
      // window, or a week-old backfill stepping through time) starts over in place: it
      // costs what a fresh sample costs (issue 14).
      if (last + this.bucketMs <= time - this.keepMs && n > 0) this.restart(start, time, value);
      else this.append(start, time, value);
    } else {
      this.addLate(start, time, value);
    }
    if (time > this.newest) this.newest = time;
    this.trim();
  }

  /** Mean of the samples in the buckets overlapping (from, to]; null when there are none. */
  mean(from: number, to: number): number | null {
    // First bucket ending after `from`, last bucket starting at or before `to`.
    const i = this.firstStartAbove(from - this.bucketMs);
    const j = this.firstStartAbove(to) - 1;
    if (i > j) return null;
    const count = this.counts[j]! - (i > 0 ? this.counts[i - 1]! : 0);
    if (count === 0) return null;
    return (this.totals[j]! - (i > 0 ? this.totals[i - 1]! : 0)) / count;
  }

  /**
   * Time of the newest sample at or before `to` (to bucket resolution: a bucket
   * straddling `to` answers `to`); null when none.
   */
  lastAt(to: number): number | null {
    const j = this.firstStartAbove(to) - 1;
    return j >= this.head ? Math.min(this.lasts[j]!, to) : null;
  }

  /** Buckets held (for tests and memory accounting). */
  get buckets(): number {
    return this.starts.length - this.head;
  }

  /** Index of the first live bucket whose start is > t (starts.length if none). */
  private firstStartAbove(t: number): number {
    let lo = this.head;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! > t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** A replayed or reordered sample goes to its bucket; the totals after it move up. */
  private addLate(start: number, time: number, value: number): void {
    // Older than what is kept: it would be trimmed at once, and must not land among
    // the dead buckets before `head`.
    if (start + this.bucketMs <= this.newest - this.keepMs) return;
    let i = this.firstStartAbove(start) - 1;
    if (i < this.head || this.starts[i] !== start) {
      i++;
      const before = i > 0 ? i - 1 : -1;
      this.starts.splice(i, 0, start);
      this.totals.splice(i, 0, before >= 0 ? this.totals[before]! : 0);
      this.counts.splice(i, 0, before >= 0 ? this.counts[before]! : 0);
      this.lasts.splice(i, 0, time);
    }
    if (time > this.lasts[i]!) this.lasts[i] = time;
    for (let k = i; k < this.starts.length; k++) {
      this.totals[k]! += value;
      this.counts[k]!++;
    }
  }

  private trim(): void {
    const horizon = this.newest - this.keepMs;
    while (this.head < this.starts.length && this.starts[this.head]! + this.bucketMs <= horizon) {
      this.head++;
    }
    // Compact once the dead prefix dominates, so the arrays do not grow forever; the
    // totals are rebased on the dropped prefix so they stay small and exact. In place: a
    // stream of readings must not make garbage here.
    if (this.head > 16 && this.head * 2 > this.starts.length) {
      const head = this.head;
      const baseTotal = this.totals[head - 1]!;
      const baseCount = this.counts[head - 1]!;
      const live = this.starts.length - head;
      for (let k = 0; k < live; k++) {
        this.starts[k] = this.starts[k + head]!;
        this.totals[k] = this.totals[k + head]! - baseTotal;
        this.counts[k] = this.counts[k + head]! - baseCount;
        this.lasts[k] = this.lasts[k + head]!;
      }
      this.truncate(live);
    }
  }

  private append(start: number, time: number, value: number): void {
    const n = this.starts.length;
    this.starts.push(start);
    this.totals.push((n > 0 ? this.totals[n - 1]! : 0) + value);
    this.counts.push((n > 0 ? this.counts[n - 1]! : 0) + 1);
    this.lasts.push(time);
  }

  /** The sample as the only bucket, in the first slot (an empty array would give its store up). */
  private restart(start: number, time: number, value: number): void {
    this.starts[0] = start;
    this.totals[0] = value;
    this.counts[0] = 1;
    this.lasts[0] = time;
    this.truncate(1);
  }

  /** Keeps the first `length` buckets; the arrays keep their capacity. */
  private truncate(length: number): void {
    this.head = 0;
    // Setting an array's length is a runtime call even when it does not change.
    if (this.starts.length === length) return;
    this.starts.length = length;
    this.totals.length = length;
    this.counts.length = length;
    this.lasts.length = length;
  }
}
