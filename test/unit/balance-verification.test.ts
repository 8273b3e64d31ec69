import { describe, expect, it } from 'vitest';
import { groundTruth, type NetworkTruth } from '../../simulators/model/truth.ts';
import type { BalanceFlag, BalanceResult } from '../../src/balance/types.ts';
import { DAY, EngineHarness, HOUR, steadyDemoConfig } from '../support/balance-harness.ts';

/**
 * The engine against the simulator's ground truth (issue 5): flags at uniform pump
 * settings, a clogged strainer near the plant, and the closed loop over days. Runs
 * in one process on the simulator's model (days in seconds); the wire path is
 * covered by the integration tests.
 */
const START = Date.parse('2026-01-10T00:00:00Z');

/** What the flag should be, from the truth's indoor state and the engine's position. */
function truthFlag(position: string, state: NetworkTruth['substations'][number]['indoorState']) {
  if (position === 'near' && state === 'overheated') return 'near-end-overheating';
  if (position === 'far' && state === 'underheated') return 'far-end-underheating';
  return null;
}

function score(results: { result: BalanceResult; truth: NetworkTruth }[]) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const { result, truth } of results) {
    for (const s of result.substations) {
      const t = truth.substations.find((x) => x.id === s.id)!;
      const expected: BalanceFlag | null = truthFlag(s.position, t.indoorState);
      if (s.flag !== null && s.flag === expected) tp++;
      else {
        if (s.flag !== null) fp++;
        if (expected !== null) fn++;
      }
    }
  }
  return { tp, fp, fn, precision: tp / (tp + fp), recall: tp / (tp + fn) };
}

/** Settled at uniform 40 Hz, then 90 minutes observed and evaluated twice (persistence 2). */
function uniformRun(outdoorC: number, seed: number, rooms: boolean) {
  const config = steadyDemoConfig(outdoorC, seed);
  if (!rooms) config.balance.rooms.minCount = Number.MAX_SAFE_INTEGER;
  const h = new EngineHarness(config, START);
  const t0 = START + 3 * DAY;
  h.model.advanceTo(t0);
  h.run(t0, t0 + HOUR);
  const result = h.run(t0 + HOUR, t0 + 1.5 * HOUR);
  return { result, truth: groundTruth(h.model) };
}

describe('flags against ground truth at uniform pump settings', () => {
  const conditions = [-13, -5, 3].flatMap((outdoor) => [1, 2].map((seed) => ({ outdoor, seed })));

  it('matches near-end overheating and far-end underheating from room sensors (precision and recall ≥ 0.9)', () => {
    const runs = conditions.map((c) => uniformRun(c.outdoor, c.seed, true));
    const s = score(runs);
    console.info(
      `rooms: tp ${s.tp} fp ${s.fp} fn ${s.fn} precision ${s.precision.toFixed(3)} recall ${s.recall.toFixed(3)}`,
    );
    expect(s.tp).toBeGreaterThan(40);
    expect(s.precision).toBeGreaterThanOrEqual(0.9);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
    for (const { result } of runs)
      expect(result.substations.every((x) => x.basis === 'rooms')).toBe(true);
  });

  it('matches them from the water temperatures alone when no room sensors report', () => {
    const runs = conditions.map((c) => uniformRun(c.outdoor, c.seed, false));
    const s = score(runs);
    console.info(
      `hydraulic: tp ${s.tp} fp ${s.fp} fn ${s.fn} precision ${s.precision.toFixed(3)} recall ${s.recall.toFixed(3)}`,
    );
    expect(s.precision).toBeGreaterThanOrEqual(0.9);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
    for (const { result } of runs)
      expect(result.substations.every((x) => x.basis === 'hydraulic')).toBe(true);
  });

  it('sees the network tilted: deviation falls with distance, r² high', () => {
    const { result } = uniformRun(-5, 1, true);
    expect(result.gradient.slopeCPerKm).toBeLessThan(-1);
    expect(result.gradient.r2).toBeGreaterThan(0.9);
    expect(result.gradient.stations).toBe(22);
  });
});

describe('telling a fault from the gradient', () => {
  function faulted(spec: Parameters<EngineHarness['model']['faults']['add']>[0]) {
    const h = new EngineHarness(steadyDemoConfig(-5, 1), START);
    const t0 = START + 2 * DAY;
    h.model.advanceTo(t0);
    h.run(t0, t0 + HOUR);
    h.model.faults.add(spec, t0 + HOUR);
    h.run(t0 + HOUR, t0 + 2 * HOUR);
    return { h, result: h.run(t0 + 2 * HOUR, t0 + 2.5 * HOUR) };
  }

  it('reports a clogged strainer at a near-end station as an anomaly with its cause, not as a gradient member', () => {
    const { h, result } = faulted({ type: 'strainer-clog', substation: 'S01', factor: 20 });
    const truth = groundTruth(h.model).substations.find((s) => s.id === 'S01')!;
    expect(truth.flowRatio).toBeLessThan(0.85);
    const s01 = result.substations.find((s) => s.id === 'S01')!;
    expect(s01.position).toBe('near');
    expect(s01.anomaly?.cause).toBe('flow-restriction');
    expect(s01.anomaly?.evidence.join(' ')).toMatch(/flow only \d+ % of required/);
    expect(s01.flag).toBeNull();
    expect(s01.recommendation).toBeNull();
    expect(result.gradient.stations).toBe(21);
    // Its neighbours keep their place in the gradient.
    expect(result.substations.find((s) => s.id === 'S12')!.flag).toBe('near-end-overheating');
  });

  it('names a tripped pump at the far end as a pump fault, not as far-end underheating', () => {
    const { result } = faulted({ type: 'pump-trip', pump: 'S11-P1' });
    const s11 = result.substations.find((s) => s.id === 'S11')!;
    expect(s11.anomaly?.cause).toBe('pump-fault');
    expect(s11.flag).toBeNull();
    expect(result.substations.find((s) => s.id === 'S22')!.flag).toBe('far-end-underheating');
  });

  it('names a leak from the make-up water', () => {
    const { result } = faulted({ type: 'leak', substation: 'S06', m3h: 2 });
    expect(result.substations.find((s) => s.id === 'S06')!.anomaly?.cause).toBe('leak');
  });
});

describe('closed loop: applying the recommendations for three simulated days', () => {
  function closedLoop(outdoorC: number, varied: boolean) {
    const config = steadyDemoConfig(outdoorC, 1);
    if (varied) {
      config.simulation.weather.dailyAmplitudeC = 4;
      config.simulation.weather.frontAmplitudeC = 4;
    }
    const h = new EngineHarness(config, START);
    let t = START + 2 * DAY;
    h.model.advanceTo(t);
    const before = groundTruth(h.model);
    let hottest = Number.NEGATIVE_INFINITY;
    let changes = 0;
    // A dispatcher acting every 30 minutes on what the engine recommends; each change
    // is bounded by the pump's maxStep, and 30 min exceeds control.minIntervalS.
    for (let round = 0; round < (3 * DAY) / (30 * 60_000); round++) {
      const result = h.run(t, t + 30 * 60_000);
      t += 30 * 60_000;
      for (const s of result.substations) {
        const rec = s.recommendation;
        if (!rec || rec.action === 'hold') continue;
        expect(Math.abs(rec.targetHz - rec.currentHz)).toBeLessThanOrEqual(5 + 1e-9);
        h.model.pumps.get(rec.pump)!.setSetpoint(rec.targetHz);
        changes++;
      }
      const truth = groundTruth(h.model);
      hottest = Math.max(hottest, ...truth.substations.map((s) => s.indoorMeanC));
    }
    return { before, after: groundTruth(h.model), hottest, changes };
  }

  for (const [outdoor, varied] of [
    [-5, true],
    [-13, false],
  ] as const) {
    it(`halves the indoor spread and brings cold households below 3 % (${outdoor} °C${varied ? ', daily cycle and fronts' : ', design day'})`, () => {
      const { before, after, hottest, changes } = closedLoop(outdoor, varied);
      console.info(
        `closed loop ${outdoor} °C${varied ? ' varied' : ''}: spread ${before.indoorSpreadC.toFixed(2)} → ${after.indoorSpreadC.toFixed(2)} K, cold share ${(100 * before.coldShare).toFixed(1)} → ${(100 * after.coldShare).toFixed(1)} %, hottest station ${hottest.toFixed(2)} °C, ${changes} changes`,
      );
      expect(before.coldShare).toBeGreaterThan(0.1);
      expect(after.indoorSpreadC).toBeLessThanOrEqual(before.indoorSpreadC / 2);
      expect(after.coldShare).toBeLessThan(0.03);
      expect(hottest).toBeLessThanOrEqual(24);
    });
  }
});
