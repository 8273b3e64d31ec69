/**
 * Samples of one numeric field over a trailing time window, for window means, kept
 * as per-bucket sums and counts with running totals: a PLC polled every 5 s and a
 * room sensor reporting every 10 min cost the same few dozen buckets, and a mean is
 * two binary searches and a subtraction — so memory and evaluation time depend on
 * the window, not on the sampling rate or on uptime. Means are exact over whole
 * buckets; a bucket counts when it overlaps the asked interval.
 */
export class RollingWindow {
  private starts: number[] = [];
  /** Running totals up to and including each bucket (sum of values, number of samples). */
  private totals: number[] = [];
  private counts: number[] = [];
  /** Newest sample time in each bucket. */
  private lasts: number[] = [];
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
      this.starts.push(start);
      this.totals.push((n > 0 ? this.totals[n - 1]! : 0) + value);
      this.counts.push((n > 0 ? this.counts[n - 1]! : 0) + 1);
      this.lasts.push(time);
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
    // totals are rebased on the dropped prefix so they stay small and exact.
    if (this.head > 16 && this.head * 2 > this.starts.length) {
      const baseTotal = this.totals[this.head - 1]!;
      const baseCount = this.counts[this.head - 1]!;
      this.starts = this.starts.slice(this.head);
      this.totals = this.totals.slice(this.head).map((t) => t - baseTotal);
      this.counts = this.counts.slice(this.head).map((c) => c - baseCount);
      this.lasts = this.lasts.slice(this.head);
      this.head = 0;
    }
  }
}
