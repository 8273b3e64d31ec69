import { createRng } from '../rng.ts';

export interface WeatherSettings {
  meanC: number;
  dailyAmplitudeC: number;
  frontAmplitudeC: number;
}

const DAY_MS = 86_400_000;

/**
 * Outdoor temperature: a daily cycle (coldest near 05:00, warmest near 15:00 local
 * solar time) plus multi-day fronts — a few slow sinusoids with seeded periods
 * (2–9 days) and phases. A pure function of time, so the same seed gives the same
 * weather however the simulation is stepped.
 */
export class Weather {
  private readonly fronts: { periodMs: number; phase: number; weight: number }[];

  constructor(
    private readonly settings: WeatherSettings,
    seed: number,
    /** Offset of local solar time from UTC, hours (Yinchuan ≈ +7). */
    private readonly utcOffsetH = 7,
  ) {
    const rng = createRng(seed ^ 0x5eed);
    const raw = [0, 1, 2].map(() => ({
      periodMs: (2 + rng.next() * 7) * DAY_MS,
      phase: rng.next() * 2 * Math.PI,
      weight: 0.5 + rng.next(),
    }));
    const total = raw.reduce((s, f) => s + f.weight, 0);
    this.fronts = raw.map((f) => ({ ...f, weight: f.weight / total }));
  }

  outdoorC(timeMs: number): number {
    const hour = (((timeMs / 3_600_000 + this.utcOffsetH) % 24) + 24) % 24;
    const daily = -this.settings.dailyAmplitudeC * Math.cos((2 * Math.PI * (hour - 3)) / 24);
    let front = 0;
    for (const f of this.fronts)
      front += f.weight * Math.sin((2 * Math.PI * timeMs) / f.periodMs + f.phase);
    return this.settings.meanC + daily + this.settings.frontAmplitudeC * front * 1.6;
  }
}
