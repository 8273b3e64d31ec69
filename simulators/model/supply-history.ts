/** How much supply-temperature history is kept: longer than any transport delay. */
const KEEP_MS = 12 * 3600_000;

/**
 * The plant's supply temperature over time, so each substation sees the water that
 * left the plant distance/velocity ago (temperature changes take hours to travel;
 * flow changes travel in seconds).
 */
export class SupplyHistory {
  private readonly times: number[] = [];
  private readonly temps: number[] = [];

  constructor(private readonly initialC: number) {}

  record(timeMs: number, tempC: number): void {
    this.times.push(timeMs);
    this.temps.push(tempC);
    let drop = 0;
    while (drop < this.times.length - 2 && this.times[drop + 1]! < timeMs - KEEP_MS) drop++;
    if (drop > 0) {
      this.times.splice(0, drop);
      this.temps.splice(0, drop);
    }
  }

  /** Linear interpolation; before the first sample, the initial temperature. */
  at(timeMs: number): number {
    const n = this.times.length;
    if (n === 0 || timeMs <= this.times[0]!) return n === 0 ? this.initialC : this.temps[0]!;
    if (timeMs >= this.times[n - 1]!) return this.temps[n - 1]!;
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid]! <= timeMs) lo = mid;
      else hi = mid;
    }
    const t0 = this.times[lo]!;
    const t1 = this.times[hi]!;
    const w = (timeMs - t0) / (t1 - t0);
    return this.temps[lo]! + w * (this.temps[hi]! - this.temps[lo]!);
  }
}
