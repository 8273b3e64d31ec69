import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { gradient } from '../../src/balance/gradient.ts';
import { positions } from '../../src/balance/position.ts';
import type { BalanceConfig } from '../../src/config/schema.ts';
import { BalanceSchema } from '../../src/config/schema-balance.ts';

const split = (Value.Default(BalanceSchema, {}) as BalanceConfig).position;

const st = (id: string, branch: string, distanceM: number, source = 'P1') => ({
  id,
  source,
  branch,
  distanceM,
});

describe('positions', () => {
  // north: farthest 3000 m; east: farthest 1000 m.
  const stations = [
    st('N-A', 'north', 500), // 500/3000 = 0.1667 → near
    st('N-B', 'north', 1020), // 1020/3000 = 0.34 → near (≤ nearUntil)
    st('N-C', 'north', 1500), // 0.5 → middle
    st('N-D', 'north', 1980), // 1980/3000 = 0.66 → far (≥ farFrom)
    st('N-E', 'north', 3000), // 1 → far
    st('E-F', 'east', 300), // 300/1000 = 0.3 → near
    st('E-G', 'east', 500), // 0.5 → middle (same distance as N-A, which is near)
    st('E-H', 'east', 1000), // 1 → far
  ];

  it('uses the default split 0.34 / 0.66', () => {
    expect(split).toEqual({ nearUntil: 0.34, farFrom: 0.66 });
  });

  it('places stations by share of their own branch length', () => {
    const p = positions(stations, split);
    expect(Object.fromEntries(p)).toEqual({
      'N-A': 'near',
      'N-B': 'near',
      'N-C': 'middle',
      'N-D': 'far',
      'N-E': 'far',
      'E-F': 'near',
      'E-G': 'middle',
      'E-H': 'far',
    });
  });

  it('does not depend on input order', () => {
    const p1 = positions(stations, split);
    const p2 = positions([...stations].reverse(), split);
    expect(Object.fromEntries(p2)).toEqual(Object.fromEntries(p1));
  });

  it('follows the configured split', () => {
    const p = positions(stations, { nearUntil: 0.2, farFrom: 0.9 });
    expect(Object.fromEntries(p)).toEqual({
      'N-A': 'near', // 0.1667 ≤ 0.2
      'N-B': 'middle', // 0.34
      'N-C': 'middle',
      'N-D': 'middle', // 0.66 < 0.9
      'N-E': 'far',
      'E-F': 'middle', // 0.3
      'E-G': 'middle',
      'E-H': 'far',
    });
  });

  it('keeps the same branch name under another source apart', () => {
    // P2's north ends at 600 m: 300/600 = 0.5 → middle, though 300/3000 would be near.
    const p = positions(
      [...stations, st('Q-1', 'north', 300, 'P2'), st('Q-2', 'north', 600, 'P2')],
      split,
    );
    expect(p.get('Q-1')).toBe('middle');
    expect(p.get('Q-2')).toBe('far');
    expect(p.get('N-A')).toBe('near');
  });

  it('a single-station branch is its own far end; a station at the source is near', () => {
    const p = positions([st('solo', 'west', 800), st('zero', 'south', 0)], split);
    expect(p.get('solo')).toBe('far'); // 800/800 = 1
    expect(p.get('zero')).toBe('near'); // farthest 0 → share 0
  });
});

it('places a single-station branch against the farthest station of its source, not at its own far end', () => {
  const p = positions([st('solo', 'spur', 200), st('A1', 'main', 1000), st('A2', 'main', 8000)], {
    nearUntil: 0.34,
    farFrom: 0.66,
  });
  expect(p.get('solo')).toBe('near'); // 200/8000 = 0.025
  expect(p.get('A2')).toBe('far');
});

describe('gradient', () => {
  it('fits a least-squares line of deviation against distance in km', () => {
    // x = 0.5, 1, 2, 3 km; y = 3, 1.5, 0.5, −2.5 K
    // x̄ = 6.5/4 = 1.625, ȳ = 2.5/4 = 0.625
    // Sxx = 1.265625 + 0.390625 + 0.140625 + 1.890625 = 3.6875
    // Sxy = (−1.125)(2.375) + (−0.625)(0.875) + (0.375)(−0.125) + (1.375)(−3.125)
    //     = −2.671875 − 0.546875 − 0.046875 − 4.296875 = −7.5625
    // slope = −7.5625 / 3.6875 = −121/59 = −2.0508475 K/km
    // Syy = 5.640625 + 0.765625 + 0.015625 + 9.765625 = 16.1875
    // r² = Sxy² / (Sxx·Syy) = 57.19140625 / 59.69140625 = 0.9581179
    const g = gradient([
      { distanceM: 500, deviationC: 3 },
      { distanceM: 1000, deviationC: 1.5 },
      { distanceM: 2000, deviationC: 0.5 },
      { distanceM: 3000, deviationC: -2.5 },
    ]);
    expect(g.stations).toBe(4);
    expect(g.slopeCPerKm).toBeCloseTo(-121 / 59, 10);
    expect(g.r2).toBeCloseTo(57.19140625 / 59.69140625, 10);
  });

  it('gives r² 1 on a perfect line and a weak r² on scatter', () => {
    // y = 4 − 2x exactly
    const perfect = gradient([
      { distanceM: 500, deviationC: 3 },
      { distanceM: 1000, deviationC: 2 },
      { distanceM: 3000, deviationC: -2 },
    ]);
    expect(perfect.slopeCPerKm).toBeCloseTo(-2, 12);
    expect(perfect.r2).toBeCloseTo(1, 12);
    // (0,1), (1,0), (2,2): x̄ = 1, ȳ = 1, Sxx = 2, Sxy = 1, Syy = 2 → slope 0.5, r² = 1/4
    const weak = gradient([
      { distanceM: 0, deviationC: 1 },
      { distanceM: 1000, deviationC: 0 },
      { distanceM: 2000, deviationC: 2 },
    ]);
    expect(weak.slopeCPerKm).toBeCloseTo(0.5, 12);
    expect(weak.r2).toBeCloseTo(0.25, 12);
  });

  it('does not depend on point order', () => {
    const pts = [
      { distanceM: 3000, deviationC: -2.5 },
      { distanceM: 500, deviationC: 3 },
      { distanceM: 2000, deviationC: 0.5 },
      { distanceM: 1000, deviationC: 1.5 },
    ];
    expect(gradient(pts).slopeCPerKm).toBeCloseTo(-121 / 59, 10);
  });

  it('is null with fewer than 3 points', () => {
    expect(gradient([])).toEqual({ slopeCPerKm: null, r2: null, stations: 0 });
    expect(gradient([{ distanceM: 100, deviationC: 1 }])).toEqual({
      slopeCPerKm: null,
      r2: null,
      stations: 1,
    });
    expect(
      gradient([
        { distanceM: 100, deviationC: 1 },
        { distanceM: 900, deviationC: -1 },
      ]),
    ).toEqual({ slopeCPerKm: null, r2: null, stations: 2 });
  });

  it('is null when all stations sit at one distance', () => {
    expect(
      gradient([
        { distanceM: 1200, deviationC: 1 },
        { distanceM: 1200, deviationC: -1 },
        { distanceM: 1200, deviationC: 3 },
      ]),
    ).toEqual({ slopeCPerKm: null, r2: null, stations: 3 });
  });

  it('a flat network has slope 0 and no meaningful r²', () => {
    // Syy = 0 → r² = 0/0: reported as null rather than NaN.
    const g = gradient([
      { distanceM: 0, deviationC: 1 },
      { distanceM: 1000, deviationC: 1 },
      { distanceM: 2000, deviationC: 1 },
    ]);
    expect(g.slopeCPerKm).toBeCloseTo(0, 12);
    expect(g.r2).toBeNull();
    expect(g.stations).toBe(3);
  });
});
