import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import {
  type Indicators,
  type IndoorStandard,
  persist,
  rawStatus,
} from '../../src/balance/classify.ts';
import type { BalanceStatus, StationMemory } from '../../src/balance/types.ts';
import type { BalanceConfig } from '../../src/config/schema.ts';
import { BalanceSchema } from '../../src/config/schema-balance.ts';

/**
 * Defaults: overheatMarginK 2, hysteresisK 0.3, coldShare 0.5, flowRatioHigh 1.15,
 * flowRatioLow 0.85, hysteresisRatio 0.03; indoor min 18, target 20.
 * So: overheating above 20 + 2 = 22 (21.7 while overheating), underheating below 18
 * (18.3 while underheating), cold share above 0.5 (0.45 while underheating), flow
 * ratio above 1.15 (1.12) / below 0.85 (0.88).
 */
const balance = Value.Default(BalanceSchema, {}) as BalanceConfig;
const t = balance.thresholds;
const indoor: IndoorStandard = { minC: 18, targetC: 20, maxC: 24 };

const ind = (over: Partial<Indicators> = {}): Indicators => ({
  deviationC: null,
  equilibriumIndoorC: null,
  flowRatio: null,
  indoorMeanC: null,
  coldShare: null,
  roomsDecide: false,
  ...over,
});

const status = (i: Partial<Indicators>, current?: BalanceStatus) =>
  rawStatus(ind(i), current, t, indoor).status;

describe('thresholds under test', () => {
  it('are the schema defaults the arithmetic below assumes', () => {
    expect(t).toMatchObject({
      overheatMarginK: 2,
      hysteresisK: 0.3,
      coldShare: 0.5,
      flowRatioHigh: 1.15,
      flowRatioLow: 0.85,
      hysteresisRatio: 0.03,
    });
  });
});

describe('rawStatus: which signal decides', () => {
  it('rooms decide when enough report, whatever the water says', () => {
    const water = { equilibriumIndoorC: 15, flowRatio: 0.5, deviationC: -10 };
    expect(
      rawStatus(ind({ ...water, roomsDecide: true, indoorMeanC: 23 }), undefined, t, indoor),
    ).toEqual({
      status: 'overheating',
      basis: 'rooms',
    });
    expect(
      rawStatus(ind({ ...water, roomsDecide: true, indoorMeanC: 20 }), undefined, t, indoor),
    ).toEqual({
      status: 'normal',
      basis: 'rooms',
    });
    expect(
      rawStatus(
        ind({ equilibriumIndoorC: 25, roomsDecide: true, indoorMeanC: 17 }),
        undefined,
        t,
        indoor,
      ),
    ).toEqual({ status: 'underheating', basis: 'rooms' });
  });

  it('rooms: strict limits at 22 °C and 18 °C', () => {
    const rooms = (mean: number, cold = 0) =>
      status({ roomsDecide: true, indoorMeanC: mean, coldShare: cold });
    expect(rooms(22)).toBe('normal'); // 22 > 22 is false
    expect(rooms(22.01)).toBe('overheating');
    expect(rooms(18)).toBe('normal'); // 18 < 18 is false
    expect(rooms(17.99)).toBe('underheating');
  });

  it('rooms: a cold share above the threshold makes a station underheating even at a normal mean', () => {
    const rooms = (cold: number | null) =>
      status({ roomsDecide: true, indoorMeanC: 20, coldShare: cold });
    expect(rooms(0.6)).toBe('underheating');
    expect(rooms(0.5)).toBe('normal'); // 0.5 > 0.5 is false
    expect(rooms(null)).toBe('normal'); // unknown share counts as 0
  });

  it('the equilibrium indoor temperature decides when too few rooms report', () => {
    // Rooms would say overheating, but they do not decide.
    expect(
      rawStatus(
        ind({ roomsDecide: false, indoorMeanC: 25, equilibriumIndoorC: 20 }),
        undefined,
        t,
        indoor,
      ),
    ).toEqual({ status: 'normal', basis: 'hydraulic' });
    // Rooms decide but have no mean: the water decides.
    expect(
      rawStatus(
        ind({ roomsDecide: true, indoorMeanC: null, equilibriumIndoorC: 17 }),
        undefined,
        t,
        indoor,
      ),
    ).toEqual({ status: 'underheating', basis: 'hydraulic' });
  });

  it('equilibrium basis: same limits as the rooms, flow ratio ignored', () => {
    expect(status({ equilibriumIndoorC: 22.5, flowRatio: 0.5 })).toBe('overheating');
    expect(status({ equilibriumIndoorC: 17.5, flowRatio: 2 })).toBe('underheating');
    expect(status({ equilibriumIndoorC: 20, flowRatio: 2 })).toBe('normal');
    expect(status({ equilibriumIndoorC: 22 })).toBe('normal');
    expect(status({ equilibriumIndoorC: 18 })).toBe('normal');
  });

  it('the flow ratio decides only when temperatures are missing', () => {
    const flow = (x: number) => rawStatus(ind({ flowRatio: x }), undefined, t, indoor);
    expect(flow(1.2)).toEqual({ status: 'overheating', basis: 'hydraulic' });
    expect(flow(0.8)).toEqual({ status: 'underheating', basis: 'hydraulic' });
    expect(flow(1)).toEqual({ status: 'normal', basis: 'hydraulic' });
    expect(flow(1.15).status).toBe('normal'); // strict
    expect(flow(0.85).status).toBe('normal'); // strict
  });

  it('no-data when there is nothing to judge', () => {
    expect(rawStatus(ind(), undefined, t, indoor)).toEqual({ status: 'no-data', basis: 'none' });
    // rooms "decide" but without a mean, and no water signals either
    expect(rawStatus(ind({ roomsDecide: true }), 'normal', t, indoor)).toEqual({
      status: 'no-data',
      basis: 'none',
    });
  });
});

describe('rawStatus: hysteresis', () => {
  it('rooms: an overheating station stays so just inside the limit (21.7 °C), not beyond', () => {
    const rooms = (mean: number, current: BalanceStatus) =>
      status({ roomsDecide: true, indoorMeanC: mean, coldShare: 0 }, current);
    // 22 − 0.3 = 21.7
    expect(rooms(21.8, 'overheating')).toBe('overheating');
    expect(rooms(21.8, 'normal')).toBe('normal');
    expect(rooms(21.6, 'overheating')).toBe('normal');
  });

  it('rooms: an underheating station stays so up to 18.3 °C', () => {
    const rooms = (mean: number, current: BalanceStatus) =>
      status({ roomsDecide: true, indoorMeanC: mean, coldShare: 0 }, current);
    // 18 + 0.3 = 18.3
    expect(rooms(18.2, 'underheating')).toBe('underheating');
    expect(rooms(18.2, 'normal')).toBe('normal');
    expect(rooms(18.4, 'underheating')).toBe('normal');
  });

  it('rooms: the cold share limit drops to 0.45 while underheating', () => {
    const rooms = (cold: number, current: BalanceStatus) =>
      status({ roomsDecide: true, indoorMeanC: 20, coldShare: cold }, current);
    // 0.5 − 0.05 = 0.45
    expect(rooms(0.48, 'underheating')).toBe('underheating');
    expect(rooms(0.48, 'normal')).toBe('normal');
    expect(rooms(0.44, 'underheating')).toBe('normal');
  });

  it('equilibrium basis: same hysteresis in kelvin', () => {
    const eq = (v: number, current: BalanceStatus) => status({ equilibriumIndoorC: v }, current);
    expect(eq(21.8, 'overheating')).toBe('overheating');
    expect(eq(21.8, 'normal')).toBe('normal');
    expect(eq(21.6, 'overheating')).toBe('normal');
    expect(eq(18.2, 'underheating')).toBe('underheating');
    expect(eq(18.2, 'normal')).toBe('normal');
    expect(eq(18.4, 'underheating')).toBe('normal');
  });

  it('flow basis: hysteresis in ratio (1.12 / 0.88)', () => {
    const flow = (x: number, current: BalanceStatus) => status({ flowRatio: x }, current);
    // 1.15 − 0.03 = 1.12
    expect(flow(1.13, 'overheating')).toBe('overheating');
    expect(flow(1.13, 'normal')).toBe('normal');
    expect(flow(1.11, 'overheating')).toBe('normal');
    // 0.85 + 0.03 = 0.88
    expect(flow(0.87, 'underheating')).toBe('underheating');
    expect(flow(0.87, 'normal')).toBe('normal');
    expect(flow(0.89, 'underheating')).toBe('normal');
  });

  it('favours only the current status, never the opposite one', () => {
    // Underheating now: the overheating limit stays 22, the cold one moves to 18.3.
    expect(status({ equilibriumIndoorC: 21.8 }, 'underheating')).toBe('normal');
    // Overheating now: the underheating limit stays 18.
    expect(status({ equilibriumIndoorC: 18.2 }, 'overheating')).toBe('normal');
    expect(status({ flowRatio: 0.87 }, 'overheating')).toBe('normal');
    expect(status({ flowRatio: 1.13 }, 'underheating')).toBe('normal');
  });
});

describe('persist', () => {
  const mem = (s: BalanceStatus, candidate = s, streak = 0): StationMemory => ({
    status: s,
    candidate,
    streak,
  });

  it('takes the status of a station seen for the first time at once', () => {
    expect(persist('overheating', undefined, 3)).toEqual(mem('overheating'));
    expect(persist('normal', undefined, 3)).toEqual(mem('normal'));
  });

  it('a changed status needs `persistence` evaluations in a row', () => {
    let m = mem('normal');
    m = persist('overheating', m, 3);
    expect(m).toEqual({ status: 'normal', candidate: 'overheating', streak: 1 });
    m = persist('overheating', m, 3);
    expect(m).toEqual({ status: 'normal', candidate: 'overheating', streak: 2 });
    m = persist('overheating', m, 3);
    expect(m).toEqual(mem('overheating'));
  });

  it('with the default persistence of 2, the second sighting switches', () => {
    expect(balance.persistence).toBe(2);
    const first = persist('underheating', mem('normal'), balance.persistence);
    expect(first.status).toBe('normal');
    expect(persist('underheating', first, balance.persistence).status).toBe('underheating');
  });

  it('persistence 1 switches at once', () => {
    expect(persist('underheating', mem('normal'), 1)).toEqual(mem('underheating'));
  });

  it('an interrupted streak starts again', () => {
    let m = mem('normal');
    m = persist('overheating', m, 3); // streak 1
    m = persist('overheating', m, 3); // streak 2
    m = persist('normal', m, 3); // interrupted by the reported status
    expect(m).toEqual(mem('normal'));
    m = persist('overheating', m, 3);
    expect(m).toEqual({ status: 'normal', candidate: 'overheating', streak: 1 });
    // interrupted by another candidate
    m = persist('underheating', m, 3);
    expect(m).toEqual({ status: 'normal', candidate: 'underheating', streak: 1 });
    m = persist('overheating', m, 3);
    expect(m).toEqual({ status: 'normal', candidate: 'overheating', streak: 1 });
  });

  it('no-data is reported at once, and data after no-data too', () => {
    expect(persist('no-data', mem('overheating'), 5)).toEqual(mem('no-data'));
    expect(persist('no-data', mem('normal', 'underheating', 4), 5)).toEqual(mem('no-data'));
    expect(persist('underheating', mem('no-data'), 5)).toEqual(mem('underheating'));
  });
});
