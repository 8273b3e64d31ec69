import { describe, expect, it } from 'vitest';
import { groundTruth } from '../../simulators/model/truth.ts';
import {
  DAY,
  EngineHarness,
  steadyDemoConfig,
  yieldToEventLoop,
} from '../support/balance-harness.ts';

/**
 * The closed loop over days (issue 5), apart from the flag checks in
 * balance-verification.test.ts so the two heaviest files run side by side. Runs in one
 * process on the simulator's model (days in seconds); the wire path is covered by the
 * integration tests (auto-balance.test.ts).
 */
const START = Date.parse('2026-01-10T00:00:00Z');

/*
 * Budgets, issue 9: at least 3× what each test needs here under load. Measured on a
 * 2-core machine shared with four other test runs (load ≈ 12) plus a CPU hog beside it,
 * the other heavy balance files running at the same time: 84 s (−5 °C, varied) and 43 s
 * (−13 °C). Alone on a quiet machine they take a few seconds; CPU time of the −5 °C run
 * fell from 36 s to 13 s when the model got faster (issue 9).
 */
const BUDGET_VARIED_MS = 260_000;
const BUDGET_DESIGN_DAY_MS = 135_000;

describe('closed loop: applying the recommendations for three simulated days', () => {
  async function closedLoop(outdoorC: number, varied: boolean) {
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
      await yieldToEventLoop();
    }
    return { before, after: groundTruth(h.model), hottest, changes };
  }

  for (const [outdoor, varied, budget] of [
    [-5, true, BUDGET_VARIED_MS],
    [-13, false, BUDGET_DESIGN_DAY_MS],
  ] as const) {
    it(
      `halves the indoor spread and brings cold households below 3 % (${outdoor} °C${varied ? ', daily cycle and fronts' : ', design day'})`,
      async () => {
        const { before, after, hottest, changes } = await closedLoop(outdoor, varied);
        console.info(
          `closed loop ${outdoor} °C${varied ? ' varied' : ''}: spread ${before.indoorSpreadC.toFixed(2)} → ${after.indoorSpreadC.toFixed(2)} K, cold share ${(100 * before.coldShare).toFixed(1)} → ${(100 * after.coldShare).toFixed(1)} %, hottest station ${hottest.toFixed(2)} °C, ${changes} changes`,
        );
        expect(before.coldShare).toBeGreaterThan(0.1);
        expect(after.indoorSpreadC).toBeLessThanOrEqual(before.indoorSpreadC / 2);
        expect(after.coldShare).toBeLessThan(0.03);
        expect(hottest).toBeLessThanOrEqual(24);
      },
      budget,
    );
  }
});
