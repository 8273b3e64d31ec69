import { describe, expect, it } from 'vitest';
import type { DeskDb } from '../../src/complaints/desk-db.ts';
import { IncidentWatch } from '../../src/complaints/incident-watch.ts';
import type { DeskSignals } from '../../src/complaints/signals.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Diagnoser } from '../../src/diagnosis/diagnoser.ts';
import type { Finding } from '../../src/diagnosis/schemas.ts';
import { steadyDemoConfig } from '../support/balance-harness.ts';

/** Issue 10 (performance): the proactive sweep runs in slices, one sweep after another. */

describe('IncidentWatch sweeps in slices', () => {
  it('runs the sweeps of evaluations that come quickly one after another, in their order', async () => {
    const log: string[] = [];
    const diagnoser: Diagnoser = {
      diagnose: () => {
        throw new Error('not asked');
      },
      findings: () => {
        throw new Error('the sliced sweep is used when the diagnoser offers it');
      },
      *findingSteps(at: number) {
        for (let i = 0; i < 3; i++) {
          log.push(`${at}:${i}`);
          yield;
        }
        return [] as Finding[];
      },
    };
    // Nothing found: the watch reads the open incidents once and writes nothing.
    const db = { read: async () => [] } as unknown as DeskDb;
    const signals = {
      refreshAll: async () => undefined,
      resend: async () => undefined,
    } as unknown as DeskSignals;
    const watch = new IncidentWatch({
      config: steadyDemoConfig(),
      diagnoser,
      db,
      signals,
      log: silentLogger(),
    });
    await Promise.all([watch.onEvaluation(1), watch.onEvaluation(2), watch.onEvaluation(3)]);
    expect(log).toEqual(['1:0', '1:1', '1:2', '2:0', '2:1', '2:2', '3:0', '3:1', '3:2']);
  });
});
