import type { BalanceResult } from '../balance/types.ts';
import type { Config } from '../config/schema.ts';
import type { Diagnoser } from '../diagnosis/diagnoser.ts';
import type { Topology } from '../domain/topology.ts';
import type { LiveState } from '../state/live-state.ts';

/** What diagnosis reads: the latest readings (rooms, building meters, PLCs, drives) and evaluation. */
export interface LiveDiagnoserSources {
  config: Config;
  topology: Topology;
  state: LiveState;
  balance: () => BalanceResult;
}

/**
 * The diagnoser over the live state (issue 10). PLACEHOLDER while the rules are built
 * on their own branch: it answers `unknown` for every complaint and finds nothing.
 */
export function createLiveDiagnoser(_sources: LiveDiagnoserSources): Diagnoser {
  return {
    diagnose: () => ({
      level: 'unknown',
      cause: 'insufficient-data',
      confidence: 0,
      place: null,
      evidence: [],
      missing: ['diagnosis rules'],
      action: {
        who: 'service',
        code: 'restore-data',
        target: 'heatnet',
        what: { en: 'diagnosis is not built yet', zh: '诊断尚未实现' },
      },
      summary: { en: 'not diagnosed', zh: '未诊断' },
    }),
    findings: () => [],
  };
}
