/**
 * Scheduling and noise for the MQTT publisher: publications spread evenly over their
 * interval, and sensor noise that depends only on (seed, sensor, cycle).
 */

/** Called for each due slot: which item, in which cycle, due at which simulated time. */
export type SlotVisitor = (item: number, cycle: number, dueMs: number) => void;

/**
 * `count` publications spread evenly over `intervalMs` of simulated time, repeating
 * (not one burst of thousands per interval): slot k is due at origin + k·interval/count
 * and belongs to item k mod count in cycle ⌊k/count⌋.
 */
export class Spread {
  private slot = 0;
  skipped = 0;

  constructor(
    readonly count: number,
    private readonly intervalMs: number,
    private readonly originMs: number,
  ) {}

  dueMs(): number {
    return this.originMs + (this.slot * this.intervalMs) / this.count;
  }

  /** Visits the slots due by `nowMs` (at most `max`); more than an interval behind, skips ahead. */
  drain(nowMs: number, max: number, visit: SlotVisitor): void {
    if (this.count === 0) return;
    const lastDue = Math.floor(((nowMs - this.originMs) * this.count) / this.intervalMs);
    const excess = lastDue + 1 - this.slot - this.count;
    if (excess > 0) {
      this.skipped += excess;
      this.slot += excess;
    }
    for (let n = 0; n < max; n++) {
      const due = this.dueMs();
      if (due > nowMs) return;
      visit(this.slot % this.count, Math.floor(this.slot / this.count), due);
      this.slot++;
    }
  }
}

/** murmur3's finaliser: every input bit flips about half the output bits. */
function fmix32(x: number): number {
  let h = x ^ (x >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Sensor noise (standard normal) as a function of (seed, sensor, cycle) alone, not of
 * a shared random stream: a reading keeps its noise whatever else was published,
 * silenced or dropped, so the same seed gives the same data (DESIGN §4.6).
 */
export function sensorNoise(seed: number, sensor: number, cycle: number): number {
  const h = fmix32(fmix32(fmix32(seed) ^ sensor) ^ cycle);
  const u = ((h >>> 0) + 0.5) / 4294967296;
  const v = ((fmix32(h ^ 0x9e3779b9) >>> 0) + 0.5) / 4294967296;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
