import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { type EngineSettings, evaluateBalance } from '../../src/balance/evaluate.ts';
import { type NetworkDesign, referenceAt } from '../../src/balance/reference.ts';
import type {
  BalanceInput,
  BalanceResult,
  PumpSignals,
  RoomSignals,
  StationMemory,
  SubstationBalance,
  SubstationInput,
} from '../../src/balance/types.ts';
import type { BalanceConfig } from '../../src/config/schema.ts';
import { BalanceSchema } from '../../src/config/schema-balance.ts';
import { NetworkDesignSchema } from '../../src/config/schema-network.ts';
import { pumpSignals } from './balance-fixtures.ts';

/**
 * A hand-made network at −5 °C, evaluated with the default settings:
 * persistence 2, position split 0.34 / 0.66, status limits 22 °C / 18 °C on the
 * rooms or on the equilibrium indoor temperature, gain 0.8, deadband 0.05.
 *
 * Every station's design flow is 10 m³/h and the flow factor is 1 at −5 °C, so the
 * primary flow in m³/h is 10 × the flow ratio. Secondary temperatures are the
 * curve's plus a deviation `dev`; equilibrium indoor temperatures at −5 °C
 * (python3 bisection of (T+5)/33 = ((46.250295+dev−T)/32.5)^1.3):
 *   dev +5 → 22.78 (over), +4.5 → 22.50 (over), +3.3 → 21.83 (over only with
 *   hysteresis), 0 → 20, −4 → 17.80 (under), −4.5 → 17.52, −5 → 17.25, −6 → 16.70.
 */
const OUTDOOR = -5;
const AT = Date.parse('2026-01-10T06:00:00Z');
const design = Value.Default(NetworkDesignSchema, {}) as NetworkDesign;
const settings: EngineSettings = {
  balance: Value.Default(BalanceSchema, {}) as BalanceConfig,
  indoor: { minC: 18, targetC: 20, maxC: 24 },
  design,
};
const ref = referenceAt(design, OUTDOOR);

const pump = (id: string, over: Partial<PumpSignals> = {}) => pumpSignals({ id, ...over });

const NO_ROOMS: RoomSignals = { households: 0, reporting: 0, meanC: null, coldShare: null };

interface Spec {
  dev?: number | null;
  x?: number | null;
  pump?: Partial<PumpSignals>;
  rooms?: RoomSignals;
  settling?: boolean;
  source?: string;
  makeupM3h?: number;
}

function station(id: string, branch: string, distanceM: number, spec: Spec = {}): SubstationInput {
  const dev = spec.dev === undefined ? 0 : spec.dev;
  const x = spec.x === undefined ? 1 : spec.x;
  const noData = dev === null && x === null;
  return {
    id,
    source: spec.source ?? 'P1',
    branch,
    distanceM,
    heatedAreaM2: 10_000,
    designFlowM3h: 10,
    signals: {
      primarySupplyC: noData ? null : ref.primarySupplyC,
      primaryReturnC: noData ? null : ref.primaryReturnC,
      primaryFlowM3h: x === null ? null : 10 * x,
      primaryDpMpa: noData ? null : 0.05,
      secondarySupplyC: dev === null ? null : ref.secondarySupplyC + dev,
      secondaryReturnC: dev === null ? null : ref.secondaryReturnC + dev,
      heatPowerKw: noData ? null : 300,
      makeupM3h: noData ? null : (spec.makeupM3h ?? 0.1),
    },
    pumps: [pump(`${id}-P1`, spec.pump)],
    rooms: spec.rooms ?? NO_ROOMS,
    settling: spec.settling ?? false,
  };
}

/**
 * north ends at 3000 m, east at 2000 m.
 *   N1  300 near   dev +5,   x 1.2  → overheating, near-end flag, lower 40 → 34.7 Hz
 *   N2  800 near   dev −6,   x 0.6  → underheating, flow-restriction anomaly
 *   N3 1500 middle dev −4.5, x 0.9  → underheating, no flag, raise 40 → 43.6 Hz
 *   N4 2200 far    dev −4,   x 1.0, rooms 10 of 20 at 20.5 °C → normal (rooms decide)
 *   N5 3000 far    dev −5,   x 0.7, pump at 50 = maxHz → underheating, far-end flag, hold
 *   E1  200 near   dev +4.5, x 1.2  → overheating, near-end flag
 *   E2 1000 middle dev 0,    x 1.0, pump fault 7 → normal, pump-fault anomaly
 *   E3 1600 far    dev +5,   x 1.3  → overheating, excess-flow anomaly
 *   E4 2000 far    no signals       → no-data
 */
function network(
  over: Partial<Record<string, Spec>> = {},
  outdoorC: number | null = OUTDOOR,
): BalanceInput {
  const specs: [string, string, number, Spec][] = [
    ['N1', 'north', 300, { dev: 5, x: 1.2 }],
    ['N2', 'north', 800, { dev: -6, x: 0.6 }],
    ['N3', 'north', 1500, { dev: -4.5, x: 0.9 }],
    [
      'N4',
      'north',
      2200,
      { dev: -4, x: 1, rooms: { households: 20, reporting: 10, meanC: 20.5, coldShare: 0.1 } },
    ],
    ['N5', 'north', 3000, { dev: -5, x: 0.7, pump: { hz: 50, setpointHz: 50 } }],
    ['E1', 'east', 200, { dev: 4.5, x: 1.2 }],
    ['E2', 'east', 1000, { dev: 0, x: 1, pump: { faultCode: 7 } }],
    ['E3', 'east', 1600, { dev: 5, x: 1.3 }],
    ['E4', 'east', 2000, { dev: null, x: null }],
  ];
  return {
    at: AT,
    outdoorC,
    substations: specs.map(([id, branch, d, spec]) =>
      station(id, branch, d, { ...spec, ...over[id] }),
    ),
  };
}

const byId = (r: BalanceResult) => new Map(r.substations.map((s) => [s.id, s]));
const get = (r: BalanceResult, id: string): SubstationBalance => byId(r).get(id)!;

describe('evaluateBalance on a 9-station, 2-branch network', () => {
  const { result, memory } = evaluateBalance(network(), new Map(), settings);

  it('reports time, weather and every station in input order', () => {
    expect(result.evaluatedAt).toBe(Date.parse('2026-01-10T06:00:00.000Z'));
    expect(result.outdoorTempC).toBe(-5);
    expect(result.substations.map((s) => s.id)).toEqual([
      'N1',
      'N2',
      'N3',
      'N4',
      'N5',
      'E1',
      'E2',
      'E3',
      'E4',
    ]);
    expect([...memory.keys()].sort()).toEqual([
      'E1',
      'E2',
      'E3',
      'E4',
      'N1',
      'N2',
      'N3',
      'N4',
      'N5',
    ]);
  });

  it('places stations per branch', () => {
    const pos = Object.fromEntries(result.substations.map((s) => [s.id, s.position]));
    expect(pos).toEqual({
      N1: 'near', // 0.1
      N2: 'near', // 0.267
      N3: 'middle', // 0.5
      N4: 'far', // 0.733
      N5: 'far', // 1
      E1: 'near', // 0.1
      E2: 'middle', // 0.5
      E3: 'far', // 0.8
      E4: 'far', // 1
    });
  });

  it('gives each station the status its signals call for (first sighting: no persistence)', () => {
    const st = Object.fromEntries(result.substations.map((s) => [s.id, [s.status, s.basis]]));
    expect(st).toEqual({
      N1: ['overheating', 'hydraulic'],
      N2: ['underheating', 'hydraulic'],
      N3: ['underheating', 'hydraulic'],
      // equilibrium 17.8 °C would say underheating, but the rooms decide
      N4: ['normal', 'rooms'],
      N5: ['underheating', 'hydraulic'],
      E1: ['overheating', 'hydraulic'],
      E2: ['normal', 'hydraulic'],
      E3: ['overheating', 'hydraulic'],
      E4: ['no-data', 'none'],
    });
  });

  it('computes the indicators against the heating curve', () => {
    const n1 = get(result, 'N1');
    expect(n1.deviationC).toBeCloseTo(5, 9);
    expect(n1.flowRatio).toBeCloseTo(1.2, 9);
    expect(n1.referenceSupplyC).toBeCloseTo(51.9321128657541, 9);
    expect(n1.referenceReturnC).toBeCloseTo(40.56847650211774, 9);
    expect(n1.equilibriumIndoorC).toBeCloseTo(22.781209120587484, 4);
    // 300 kW on 10 000 m² over 25 K = 1.2 W/(m²·K); design 45/33 = 1.363636 → 0.88
    expect(n1.heatIndex).toBeCloseTo(0.88, 9);
    const n4 = get(result, 'N4');
    expect(n4.indoorMeanC).toBe(20.5);
    expect(n4.coldShare).toBe(0.1);
    expect(n4.roomsReporting).toBe(10);
    const e4 = get(result, 'E4');
    expect(e4).toMatchObject({
      deviationC: null,
      flowRatio: null,
      equilibriumIndoorC: null,
      heatIndex: null,
      anomaly: null,
      flag: null,
      recommendation: null,
    });
  });

  it('flags only near-end overheating and far-end underheating', () => {
    const flags = Object.fromEntries(result.substations.map((s) => [s.id, s.flag]));
    expect(flags).toEqual({
      N1: 'near-end-overheating',
      N2: null, // near but cold: an anomaly
      N3: null, // underheating, but in the middle
      N4: null,
      N5: 'far-end-underheating',
      E1: 'near-end-overheating',
      E2: null,
      E3: null, // far but hot: an anomaly
      E4: null,
    });
  });

  it('finds the anomalies and gives them no flag and no pump recommendation', () => {
    const causes = Object.fromEntries(
      result.substations.map((s) => [s.id, s.anomaly?.cause ?? null]),
    );
    expect(causes).toEqual({
      N1: null,
      N2: 'flow-restriction',
      N3: null,
      N4: null,
      N5: null,
      E1: null,
      E2: 'pump-fault',
      E3: 'excess-flow',
      E4: null,
    });
    for (const id of ['N2', 'E2', 'E3']) {
      expect(get(result, id).recommendation).toBeNull();
      expect(get(result, id).flag).toBeNull();
    }
    expect(get(result, 'E2').anomaly!.evidence).toEqual(['E2-P1 fault code 7']);
  });

  it('an anomaly takes the flag away from a station that would carry one', () => {
    // N1 (near, overheating) leaking, N5 (far, underheating) with its pump faulted
    const { result: r } = evaluateBalance(
      network({
        N1: { dev: 5, x: 1.2, makeupM3h: 0.8 },
        N5: { dev: -5, x: 0.7, pump: { faultCode: 9 } },
      }),
      new Map(),
      settings,
    );
    expect(get(r, 'N1')).toMatchObject({ status: 'overheating', flag: null, recommendation: null });
    expect(get(r, 'N1').anomaly?.cause).toBe('leak');
    expect(get(r, 'N5')).toMatchObject({
      status: 'underheating',
      flag: null,
      recommendation: null,
    });
    expect(get(r, 'N5').anomaly?.cause).toBe('pump-fault');
    // N5 no longer asks for plant pressure; N1 and N5 leave the gradient (5 − 2 = 3)
    expect(r.network).toEqual([]);
    expect(r.gradient.stations).toBe(3);
  });

  it('counts stations per status', () => {
    expect(result.counts).toEqual({ overheating: 3, underheating: 3, normal: 2, 'no-data': 1 });
  });

  it('fits the gradient without anomalies and no-data stations', () => {
    // Points (km, K): N1 (0.3, 5), N3 (1.5, −4.5), N4 (2.2, −4), N5 (3.0, −5), E1 (0.2, 4.5)
    // x̄ = 7.2/5 = 1.44, ȳ = −4/5 = −0.8
    // Sxx = 1.2996 + 0.0036 + 0.5776 + 2.4336 + 1.5376 = 5.852
    // Sxy = (−1.14)(5.8) + (0.06)(−3.7) + (0.76)(−3.2) + (1.56)(−4.2) + (−1.24)(5.3)
    //     = −6.612 − 0.222 − 2.432 − 6.552 − 6.572 = −22.39
    // slope = −22.39 / 5.852 = −3.826042 K/km
    // Syy = 33.64 + 13.69 + 10.24 + 17.64 + 28.09 = 103.3
    // r² = Sxy²/(Sxx·Syy) = 501.3121 / 604.5116 = 0.829285
    expect(result.gradient.stations).toBe(5);
    expect(result.gradient.slopeCPerKm).toBeCloseTo(-22.39 / 5.852, 6);
    expect(result.gradient.r2).toBeCloseTo(501.3121 / 604.5116, 6);
  });

  it('recommends pump speeds by the affinity law', () => {
    // N1: 40·(1 + 0.8·(1/1.2 − 1)) = 40·0.866667 = 34.667 → 34.7
    expect(get(result, 'N1').recommendation).toMatchObject({
      pump: 'N1-P1',
      action: 'lower',
      targetHz: 34.7,
      limitedBy: null,
    });
    // N3: 40·(1 + 0.8·(1/0.9 − 1)) = 43.556 → 43.6
    expect(get(result, 'N3').recommendation).toMatchObject({ action: 'raise', targetHz: 43.6 });
    // N4: flow ratio 1.0 inside the deadband
    expect(get(result, 'N4').recommendation).toBeNull();
    // N5: at its maximum already
    expect(get(result, 'N5').recommendation).toMatchObject({
      action: 'hold',
      currentHz: 50,
      targetHz: 50,
      limitedBy: 'maxHz',
    });
  });

  it('advises more plant differential pressure for the far station its pump cannot help', () => {
    expect(result.network).toHaveLength(1);
    expect(result.network[0]).toMatchObject({
      action: 'raise-plant-differential-pressure',
      substations: ['N5'],
    });
    expect(result.network[0]!.reason).toContain('N5 70 %');
    // 2 of 5 judged stations cold (N3, N5): no supply-temperature advice
    expect(result.network.some((a) => a.action === 'raise-supply-temperature')).toBe(false);
  });

  it('skips unhealthy or stopped pumps for recommendations', () => {
    const sick = evaluateBalance(
      network({ N3: { pump: { healthy: false } } }),
      new Map(),
      settings,
    );
    expect(get(sick.result, 'N3').recommendation).toBeNull();
    expect(get(sick.result, 'N3').status).toBe('underheating');
  });

  it('recommends nothing new for a station whose last setpoint change has not settled', () => {
    const { result } = evaluateBalance(network({ N3: { settling: true } }), new Map(), settings);
    expect(get(result, 'N3').recommendation).toBeNull();
    expect(get(result, 'N3').status).toBe('underheating');
  });
});

describe('evaluateBalance: network advice on supply temperature', () => {
  const branch = (cold: string[]): BalanceInput => ({
    at: AT,
    outdoorC: OUTDOOR,
    substations: [
      // 400/3000 near, 1500 middle, 2100 (0.7) far, 3000 far
      station('A', 'main', 400, { dev: cold.includes('A') ? -5 : 0 }),
      station('B', 'main', 1500, { dev: cold.includes('B') ? -5 : 0 }),
      station('C', 'main', 2100, { dev: cold.includes('C') ? -5 : 0 }),
      station('D', 'main', 3000, { dev: cold.includes('D') ? -5 : 0 }),
    ],
  });

  it('advises a higher supply temperature when most stations are cold', () => {
    // 3 of 4 judged stations underheating (flow 1.0 everywhere: no pump advice)
    const { result } = evaluateBalance(branch(['B', 'C', 'D']), new Map(), settings);
    expect(result.counts.underheating).toBe(3);
    expect(result.network).toEqual([
      expect.objectContaining({ action: 'raise-supply-temperature', substations: ['B', 'C', 'D'] }),
    ]);
    expect(result.network[0]!.reason).toContain('3 of 4');
  });

  it('not when only half are cold', () => {
    // 2 of 4: 2·2 > 4 is false
    const { result } = evaluateBalance(branch(['C', 'D']), new Map(), settings);
    expect(result.counts.underheating).toBe(2);
    expect(result.network).toEqual([]);
  });
});

describe('evaluateBalance without weather', () => {
  it('leaves every station without deciding rooms at no-data', () => {
    const { result } = evaluateBalance(network({}, null), new Map(), settings);
    expect(result.outdoorTempC).toBeNull();
    for (const s of result.substations) {
      if (s.id === 'N4') {
        expect(s.status).toBe('normal');
        expect(s.basis).toBe('rooms');
      } else {
        expect(s.status).toBe('no-data');
        expect(s.basis).toBe('none');
        expect(s.flag).toBeNull();
      }
      expect(s.deviationC).toBeNull();
      expect(s.flowRatio).toBeNull();
      expect(s.referenceSupplyC).toBeNull();
      expect(s.heatIndex).toBeNull();
      expect(s.recommendation).toBeNull();
    }
    expect(result.counts).toEqual({ overheating: 0, underheating: 0, normal: 1, 'no-data': 8 });
    expect(result.gradient).toEqual({ slopeCPerKm: null, r2: null, stations: 0 });
    expect(result.network).toEqual([]);
  });

  it('still reports fault signals of a station without temperatures', () => {
    const { result } = evaluateBalance(network({}, null), new Map(), settings);
    // E2's drive shows fault code 7: the dispatcher must see it, weather or not.
    expect(get(result, 'E2').status).toBe('no-data');
    expect(get(result, 'E2').anomaly?.cause).toBe('pump-fault');
  });

  it('drops to no-data at once even after a known status', () => {
    const first = evaluateBalance(network(), new Map(), settings);
    const { result } = evaluateBalance(network({}, null), first.memory, settings);
    expect(get(result, 'N1').status).toBe('no-data');
    expect(get(result, 'N3').status).toBe('no-data');
  });
});

describe('evaluateBalance across evaluations (memory)', () => {
  const hotRooms: Spec = { rooms: { households: 20, reporting: 10, meanC: 23, coldShare: 0 } };

  it('a new status needs two evaluations in a row', () => {
    const first = evaluateBalance(network(), new Map(), settings);
    expect(get(first.result, 'N4').status).toBe('normal');

    const second = evaluateBalance(network({ N4: hotRooms }), first.memory, settings);
    expect(get(second.result, 'N4').rawStatus).toBe('overheating');
    expect(get(second.result, 'N4').status).toBe('normal');
    expect(second.result.counts.overheating).toBe(3);

    const third = evaluateBalance(network({ N4: hotRooms }), second.memory, settings);
    expect(get(third.result, 'N4').status).toBe('overheating');
    expect(third.result.counts.overheating).toBe(4);
    // now a hot far-end station: an anomaly (flow 1.0 → cause unknown)
    expect(get(third.result, 'N4').anomaly?.cause).toBe('unknown');
  });

  it('without memory the same input reports the new status at once', () => {
    const { result } = evaluateBalance(network({ N4: hotRooms }), new Map(), settings);
    expect(get(result, 'N4').status).toBe('overheating');
  });

  it('hysteresis keeps an overheating station overheating just inside the limit', () => {
    // dev +3.3 → equilibrium 21.83 °C: above 21.7 (overheating kept), below 22 (new)
    const first = evaluateBalance(network(), new Map(), settings);
    expect(get(first.result, 'N1').status).toBe('overheating');
    const kept = evaluateBalance(network({ N1: { dev: 3.3, x: 1.2 } }), first.memory, settings);
    expect(get(kept.result, 'N1').rawStatus).toBe('overheating');
    const fresh = evaluateBalance(network({ N1: { dev: 3.3, x: 1.2 } }), new Map(), settings);
    expect(get(fresh.result, 'N1').rawStatus).toBe('normal');
    expect(get(fresh.result, 'N1').status).toBe('normal');
  });

  it('is deterministic and leaves its inputs alone', () => {
    const first = evaluateBalance(network(), new Map(), settings);
    const input = network({ N4: hotRooms, N1: { dev: 0, x: 1 } });
    const inputCopy = structuredClone(input);
    const memCopy = new Map<string, StationMemory>(
      [...first.memory].map(([k, v]) => [k, { ...v }]),
    );
    const a = evaluateBalance(input, first.memory, settings);
    const b = evaluateBalance(input, first.memory, settings);
    expect(b.result).toEqual(a.result);
    expect(b.memory).toEqual(a.memory);
    expect(input).toEqual(inputCopy);
    expect(first.memory).toEqual(memCopy);
  });
});
