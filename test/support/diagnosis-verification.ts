import { describe, expect, it } from 'vitest';
import { householdCauses } from '../../simulators/model/causes.ts';
import { steadyDemoConfig } from './balance-harness.ts';
import { accuracy, formatTally, foundFirst, verifyAt } from './diagnosis-scenarios.ts';

/**
 * Diagnosis against the simulator's ground truth (issue 10, verification): faults at every
 * level with pumps near balance, and the gradient at uniform pumps. One file per outdoor
 * temperature, so the two heavy halves run side by side.
 */
/*
 * Budget, issue 9: at least 3× what the test needs under load. Measured on the 2-core
 * machine shared with two other helpers' runs (load ≈ 8.5) plus a CPU hog beside it, the
 * other verification file running at the same time: 59 s (−5 °C) and 60 s (−13 °C).
 * Alone on a quiet machine each takes about 20 s (CPU ≈ 17 s).
 */
const BUDGET_MS = 240_000;

/** The verification at one outdoor temperature, seeds 1 and 2, as one test file runs it. */
export function describeVerification(outdoorC: number): void {
  describe(`diagnosis verified against ground truth at ${outdoorC} °C`, () => {
    it(
      'puts ≥ 90 % of cold calls on the right level with full sensors and finds most faults before the first call',
      async () => {
        const v = await verifyAt(steadyDemoConfig, outdoorC, [1, 2], householdCauses);
        const first = foundFirst(v.detections);
        console.info(
          [
            formatTally(`${outdoorC} °C, all households instrumented`, v.full),
            formatTally(`${outdoorC} °C, 30 % of households instrumented`, v.partial),
            `proactive (all sensors): ${first.first}/${first.total} found before the first call`,
            ...first.lines,
            `proactive (30 %): ${foundFirst(v.partialDetections).first}/${v.partialDetections.length}`,
            'grouping (all sensors; calls whose true cause is one fault):',
            ...v.grouping.map((g) => g.line),
          ].join('\n'),
        );
        const full = accuracy(v.full);
        const partial = accuracy(v.partial);
        expect(full.total).toBeGreaterThan(100);
        expect(full.right / full.total).toBeGreaterThanOrEqual(0.9);
        // 30 %: reported; asserted only against a conservative floor.
        expect(partial.right / partial.total).toBeGreaterThanOrEqual(0.7);
        expect(first.first / first.total).toBeGreaterThanOrEqual(0.6);
        // A station fault's many callers all name one place: one incident, not one per call.
        const stations = v.grouping.filter((g) => g.level === 'substation' && g.calls >= 10);
        expect(stations.length).toBeGreaterThan(0);
        for (const g of stations) expect(g.keys, g.line).toBe(1);
      },
      BUDGET_MS,
    );
  });
}
