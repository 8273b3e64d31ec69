/**
 * Simulated time: `speed` simulated seconds per real second from a start instant
 * (DESIGN §4.6). Physics, publishing intervals and timestamps all read this clock,
 * so `--speed 60` makes one simulated hour pass per real minute consistently.
 */
export class SimClock {
  private readonly realStart: number;

  constructor(
    private readonly realNow: () => number,
    readonly startMs: number,
    readonly speed: number,
  ) {
    this.realStart = realNow();
  }

  now(): number {
    return this.startMs + (this.realNow() - this.realStart) * this.speed;
  }

  /** Real milliseconds until simulated time `simMs` (0 if past). */
  realDelayUntil(simMs: number): number {
    return Math.max(0, (simMs - this.now()) / this.speed);
  }
}
