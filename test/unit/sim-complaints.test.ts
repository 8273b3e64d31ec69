import { describe, expect, it } from 'vitest';
import {
  COOLDOWN_MS,
  type Complaint,
  NO_HEAT_BELOW_C,
  type ResidentRates,
  Residents,
  requestBody,
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

describe('residents: how they call (issue 10)', () => {
  const addressOf = (id: string) => {
    const n = Number(id.split('-')[1]);
    return { building: 'B1', floor: 1 + Math.floor(n / 4), unit: 1 + (n % 4) };
  };
  const households = flats(4_000, (i) => (i % 2 === 0 ? 15 : 21));
  const calls = new Residents(
    { ...RATES, coldPerHour: 1, warmPerHour: 1, warmColdShare: 0.1 },
    9,
    addressOf,
  ).decide(households, T0, 1);
  const warm = calls.filter((c) => Number(c.household.split('-')[1]) % 2 === 1);

  it('gives each call a key that is the same for the same call: seed, household, time', () => {
    expect(calls).toHaveLength(4_000);
    for (const c of calls) expect(c.key).toBe(`sim-9-${c.household}-${T0}`);
    expect(new Set(calls.map((c) => c.key)).size).toBe(calls.length);
  });

  it('gives the address instead of the household id in about 30 % of the calls', () => {
    const byAddress = calls.filter((c) => c.address);
    expect(byAddress.length / calls.length).toBeGreaterThan(0.26);
    expect(byAddress.length / calls.length).toBeLessThan(0.34);
    for (const c of byAddress) {
      expect(c.address).toEqual(addressOf(c.household));
      expect(requestBody(c)).not.toHaveProperty('household');
      expect(requestBody(c)).not.toHaveProperty('key');
      expect(requestBody(c)).toMatchObject({ address: c.address, category: c.category });
    }
    const byId = calls.find((c) => !c.address)!;
    expect(requestBody(byId)).toMatchObject({ household: byId.household });
    expect(requestBody(byId)).not.toHaveProperty('address');
  });

  it('draws the channel, the hotline most', () => {
    const share = (ch: string) => calls.filter((c) => c.channel === ch).length / calls.length;
    expect(share('hotline')).toBeGreaterThan(0.5);
    expect(share('hotline')).toBeLessThan(0.6);
    for (const ch of ['wechat', 'app', 'window']) expect(share(ch)).toBeGreaterThan(0.05);
    expect(share('hotline') + share('wechat') + share('app') + share('window')).toBe(1);
  });

  it('has some warm households call "too cold" anyway, a degree or two below the minimum', () => {
    const feltCold = warm.filter((c) => c.category === 'low-temperature');
    // Binomial(2000, 0.1): mean 200, sd 13.4.
    expect(feltCold.length).toBeGreaterThan(200 - 54);
    expect(feltCold.length).toBeLessThan(200 + 54);
    for (const c of feltCold) {
      expect([16, 17]).toContain(c.reportedTempC);
      expect(c.description).toContain(`${c.reportedTempC} °C`);
    }
    expect(warm.filter((c) => c.category === 'no-heat')).toHaveLength(0);
  });

  it('stays seeded: the same households, seed and time give the same calls', () => {
    const again = new Residents(
      { ...RATES, coldPerHour: 1, warmPerHour: 1, warmColdShare: 0.1 },
      9,
      addressOf,
    ).decide(households, T0, 1);
    expect(again).toEqual(calls);
  });
});
