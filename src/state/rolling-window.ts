/**
 * Samples of one numeric field over a trailing time window, for window means, kept
 * as per-bucket sums and counts: a PLC polled every 5 s and a room sensor reporting
 * every 10 min cost the same few dozen buckets, so memory and the time to take a
 * mean depend on the window, not on the sampling rate or on uptime. Means are exact
 * over whole buckets; a bucket counts when it overlaps the asked interval.
 */
export class RollingWindow {
  private starts: number[] = [];
  private sums: number[] = [];
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
      this.sums[n - 1]! += value;
      this.counts[n - 1]!++;
      if (time > this.lasts[n - 1]!) this.lasts[n - 1] = time;
    } else if (start > last) {
      this.starts.push(start);
      this.sums.push(value);
      this.counts.push(1);
      this.lasts.push(time);
    } else {
      this.addLate(start, time, value);
    }
    if (time > this.newest) this.newest = time;
    this.trim();
  }

  /** Mean of the samples in the buckets overlapping (from, to]; null when there are none. */
  mean(from: number, to: number): number | null {
    let sum = 0;
    let count = 0;
    for (let i = this.head; i < this.starts.length; i++) {
      const start = this.starts[i]!;
      if (start + this.bucketMs > from && start <= to) {
        sum += this.sums[i]!;
        count += this.counts[i]!;
      }
    }
    return count > 0 ? sum / count : null;
  }

  /**
   * Time of the newest sample at or before `to` (to bucket resolution: a bucket
   * straddling `to` answers `to`); null when none.
   */
  lastAt(to: number): number | null {
    for (let i = this.starts.length - 1; i >= this.head; i--) {
      if (this.starts[i]! <= to) return Math.min(this.lasts[i]!, to);
    }
    return null;
  }

  /** Buckets held (for tests and memory accounting). */
  get buckets(): number {
    return this.starts.length - this.head;
  }

  /** A replayed or reordered sample goes to its bucket, so means stay right. */
  private addLate(start: number, time: number, value: number): void {
    let i = this.starts.length - 1;
    while (i >= this.head && this.starts[i]! > start) i--;
    if (i >= this.head && this.starts[i] === start) {
      this.sums[i]! += value;
      this.counts[i]!++;
      if (time > this.lasts[i]!) this.lasts[i] = time;
      return;
    }
    this.starts.splice(i + 1, 0, start);
    this.sums.splice(i + 1, 0, value);
    this.counts.splice(i + 1, 0, 1);
    this.lasts.splice(i + 1, 0, time);
  }

  private trim(): void {
    const horizon = this.newest - this.keepMs;
    while (this.head < this.starts.length && this.starts[this.head]! + this.bucketMs <= horizon) {
      this.head++;
    }
    // Compact once the dead prefix dominates, so the arrays do not grow forever.
    if (this.head > 16 && this.head * 2 > this.starts.length) {
      this.starts = this.starts.slice(this.head);
      this.sums = this.sums.slice(this.head);
      this.counts = this.counts.slice(this.head);
      this.lasts = this.lasts.slice(this.head);
      this.head = 0;
    }
  }
}
