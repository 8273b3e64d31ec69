import { describe, expect, it } from 'vitest';
import { groundTruth, type NetworkTruth } from '../../simulators/model/truth.ts';
import type { BalanceFlag, BalanceResult } from '../../src/balance/types.ts';
import {
  DAY,
  EngineHarness,
  HOUR,
  steadyDemoConfig,
  yieldToEventLoop,
} from '../support/balance-harness.ts';

/**
 * The engine against the simulator's ground truth (issue 5): flags at uniform pump
 * settings and a clogged strainer near the plant; the closed loop over days is in
 * balance-closed-loop.test.ts. Runs in one process on the simulator's model (days in
 * seconds); the wire path is covered by the integration tests.
 */
const START = Date.parse('2026-01-10T00:00:00Z');

/*
 * Budget of each six-run flag test, issue 9: at least 3× what it needs here under load.
 * Measured on a 2-core machine shared with four other test runs (load ≈ 12) plus a CPU
 * hog: 50 s from room sensors, 36 s from water temperatures. The other tests here need
 * at most 7 s so measured and keep the default 30 s.
 */
const BUDGET_FLAGS_MS = 155_000;

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

  /** One run per condition, letting the worker's event loop turn between them. */
  async function uniformRuns(rooms: boolean) {
    const runs: ReturnType<typeof uniformRun>[] = [];
    for (const c of conditions) {
      runs.push(uniformRun(c.outdoor, c.seed, rooms));
      await yieldToEventLoop();
    }
    return runs;
  }

  it(
    'matches near-end overheating and far-end underheating from room sensors (precision and recall ≥ 0.9)',
    async () => {
      const runs = await uniformRuns(true);
      const s = score(runs);
      console.info(
        `rooms: tp ${s.tp} fp ${s.fp} fn ${s.fn} precision ${s.precision.toFixed(3)} recall ${s.recall.toFixed(3)}`,
      );
      expect(s.tp).toBeGreaterThan(40);
      expect(s.precision).toBeGreaterThanOrEqual(0.9);
      expect(s.recall).toBeGreaterThanOrEqual(0.9);
      for (const { result } of runs)
        expect(result.substations.every((x) => x.basis === 'rooms')).toBe(true);
    },
    BUDGET_FLAGS_MS,
  );

  it(
    'matches them from the water temperatures alone when no room sensors report',
    async () => {
      const runs = await uniformRuns(false);
      const s = score(runs);
      console.info(
        `hydraulic: tp ${s.tp} fp ${s.fp} fn ${s.fn} precision ${s.precision.toFixed(3)} recall ${s.recall.toFixed(3)}`,
      );
      expect(s.precision).toBeGreaterThanOrEqual(0.9);
      expect(s.recall).toBeGreaterThanOrEqual(0.9);
      for (const { result } of runs)
        expect(result.substations.every((x) => x.basis === 'hydraulic')).toBe(true);
    },
    BUDGET_FLAGS_MS,
  );

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
