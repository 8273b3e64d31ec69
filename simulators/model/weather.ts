import { resolveWhen } from '../faults.ts';
import { createRng } from '../rng.ts';

export interface WeatherSettings {
  meanC: number;
  dailyAmplitudeC: number;
  frontAmplitudeC: number;
  coldSnaps?: { at: string; until: string; deltaC: number }[] | undefined;
}

/** Half a day to fall into a snap and to climb out of it: weather does not jump. */
const SNAP_RAMP_MS = 12 * 3_600_000;

const DAY_MS = 86_400_000;

/**
 * Outdoor temperature: a daily cycle (coldest near 05:00, warmest near 15:00 local
 * solar time) plus multi-day fronts — a few slow sinusoids with seeded periods
 * (2–9 days) and phases. A pure function of time, so the same seed gives the same
 * weather however the simulation is stepped.
 */
export class Weather {
  private readonly fronts: { periodMs: number; phase: number; weight: number }[];
  private readonly snaps: { fromMs: number; untilMs: number; deltaC: number }[];

  constructor(
    private readonly settings: WeatherSettings,
    seed: number,
    /** Offset of local solar time from UTC, hours (Yinchuan ≈ +7). */
    private readonly utcOffsetH = 7,
    /** What a snap's "+30d" counts from (the simulation's start). */
    startMs = 0,
  ) {
    this.snaps = (settings.coldSnaps ?? []).map((s) => ({
      fromMs: resolveWhen(s.at, startMs, startMs),
      untilMs: resolveWhen(s.until, startMs, startMs),
      deltaC: s.deltaC,
    }));
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
    const fronts = this.settings.frontAmplitudeC * front * 1.6;
    return this.settings.meanC + daily + fronts + this.snapC(timeMs);
  }

  /** The cold snaps' offset at `timeMs`: full inside a snap, ramping in and out over SNAP_RAMP_MS. */
  private snapC(timeMs: number): number {
    let sum = 0;
    for (const s of this.snaps) {
      const into = Math.min(timeMs - s.fromMs, s.untilMs - timeMs);
      if (into > 0) sum += s.deltaC * Math.min(1, into / SNAP_RAMP_MS);
    }
    return sum;
  }
}
