import { describe, expect, it } from 'vitest';
import {
  COOLDOWN_MS,
  type Complaint,
  NO_HEAT_BELOW_C,
  type ResidentRates,
  Residents,
} from '../../simulators/complaints.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2025-01-10T08:00:00Z');
const RATES: ResidentRates = { minC: 18, coldPerHour: 0.02, warmPerHour: 0.0002 };

function flats(count: number, tempC: (i: number) => number, prefix = 'B1') {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, tempC: tempC(i) }));
}

/** Runs `hours` decision steps of `stepH` hours each and returns every complaint. */
function run(
  residents: Residents,
  households: readonly { id: string; tempC: number }[],
  hours: number,
  stepH = 1,
): Complaint[] {
  const out: Complaint[] = [];
  for (let k = 1; k <= hours / stepH; k++) {
    out.push(...residents.decide(households, T0 + k * stepH * HOUR, stepH));
  }
  return out;
}

describe('residents: who complains', () => {
  it('cold households complain at about coldPerHour, warm ones at about warmPerHour', () => {
    const cold = flats(20_000, () => 16, 'cold');
    const warm = flats(20_000, () => 21, 'warm');
    const calls = new Residents({ ...RATES, warmPerHour: 0.01 }, 7).decide(
      [...cold, ...warm],
      T0,
      1,
    );
    const fromCold = calls.filter((c) => c.household.startsWith('cold')).length;
    const fromWarm = calls.filter((c) => c.household.startsWith('warm')).length;
    // Binomial(20000, 0.02): mean 400, sd 19.8; (20000, 0.01): mean 200, sd 14 — ±4 sd.
    expect(fromCold).toBeGreaterThan(400 - 80);
    expect(fromCold).toBeLessThan(400 + 80);
    expect(fromWarm).toBeGreaterThan(200 - 56);
    expect(fromWarm).toBeLessThan(200 + 56);
  });

  it('keeps the hourly rate when evaluated in smaller steps', () => {
    const cold = flats(20_000, () => 15);
    // Six 10-minute steps make one hour: still about 2 % of the households.
    const calls = run(new Residents(RATES, 11), cold, 1, 1 / 6);
    expect(calls.length).toBeGreaterThan(400 - 80);
    expect(calls.length).toBeLessThan(400 + 80);
  });

  it('never calls twice within 24 simulated hours, and may again after', () => {
    const residents = new Residents({ ...RATES, coldPerHour: 1 }, 3);
    const cold = flats(50, () => 12);
    expect(residents.decide(cold, T0, 1)).toHaveLength(50);
    for (let h = 1; h < 24; h++) expect(residents.decide(cold, T0 + h * HOUR, 1)).toHaveLength(0);
    expect(residents.decide(cold, T0 + COOLDOWN_MS, 1)).toHaveLength(50);
  });

  it('over three days a cold flat calls at most three times', () => {
    const calls = run(
      new Residents({ ...RATES, coldPerHour: 0.3 }, 5),
      flats(200, () => 16),
      72,
    );
    const perFlat = new Map<string, number[]>();
    for (const c of calls) {
      perFlat.set(c.household, [...(perFlat.get(c.household) ?? []), Date.parse(c.reportedAt)]);
    }
    for (const times of perFlat.values()) {
      expect(times.length).toBeLessThanOrEqual(3);
      for (let i = 1; i < times.length; i++) {
        expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(COOLDOWN_MS);
      }
    }
  });
});

describe('residents: what they say', () => {
  const temps = [10, 13.9, 14, 15.5, 17.9, 18, 21, 26];
  const households = temps.map((t, i) => ({ id: `H${i}`, tempC: t }));
  const calls = new Residents({ minC: 18, coldPerHour: 1, warmPerHour: 1 }, 1).decide(
    households,
    T0,
    1,
  );
  const byId = new Map(calls.map((c) => [c.household, c]));
  const tempOf = (c: Complaint) => temps[Number(c.household.slice(1))]!;

  it('categorises by temperature: no-heat below 14 °C, low-temperature below 18 °C', () => {
    expect(calls).toHaveLength(temps.length);
    for (const c of calls) {
      const t = tempOf(c);
      if (t < NO_HEAT_BELOW_C) expect(c.category).toBe('no-heat');
      else if (t < 18) expect(c.category).toBe('low-temperature');
      else expect(['noise', 'billing', 'leak', 'other']).toContain(c.category);
    }
  });

  it('reports the temperature as felt: whole degrees within a kelvin (plus rounding) of the truth', () => {
    for (const c of calls.filter((x) => tempOf(x) < 18)) {
      expect(Number.isInteger(c.reportedTempC)).toBe(true);
      expect(Math.abs(c.reportedTempC! - tempOf(c))).toBeLessThanOrEqual(1.5);
      expect(c.description).toContain(`${c.reportedTempC} °C`);
    }
    expect(byId.get('H6')?.reportedTempC).toBeUndefined();
  });

  it('stamps the simulated time and writes a short description', () => {
    for (const c of calls) {
      expect(c.reportedAt).toBe(new Date(T0).toISOString());
      expect(c.description.length).toBeGreaterThan(10);
      expect(c.description.length).toBeLessThan(80);
    }
  });

  it('warm residents call about several different things', () => {
    const warm = run(
      new Residents({ ...RATES, warmPerHour: 1 }, 2),
      flats(400, () => 21),
      1,
    );
    const categories = new Set(warm.map((c) => c.category));
    expect([...categories].sort()).toEqual(['billing', 'leak', 'noise', 'other']);
  });
});

describe('residents: reproducible', () => {
  const households = flats(2_000, (i) => 12 + (i % 12));

  it('same seed, same complaints; another seed, others', () => {
    const a = run(new Residents(RATES, 42), households, 48);
    const b = run(new Residents(RATES, 42), households, 48);
    const c = run(new Residents(RATES, 43), households, 48);
    expect(a.length).toBeGreaterThan(50);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });
});
