import type { BalanceResult, Recommendation, SubstationBalance } from '../../src/balance/types.ts';

/*
 * Balance results as the control path reads them: a station's id, status, deviationC and
 * recommendation, the result's evaluatedAt. Only those are set (through a cast), because
 * the engine's result type grows while the engine is written and the control path must
 * not depend on the rest of it.
 */

export function station(id: string, over: Partial<SubstationBalance> = {}): SubstationBalance {
  return {
    id,
    status: 'underheating',
    deviationC: -3,
    recommendation: null,
    ...over,
  } as Partial<SubstationBalance> as SubstationBalance;
}

export function balanceResult(at: number, substations: SubstationBalance[]): BalanceResult {
  return {
    evaluatedAt: at,
    substations,
  } as Partial<BalanceResult> as BalanceResult;
}

export function raise(pump: string, over: Partial<Recommendation> = {}): Recommendation {
  return {
    pump,
    action: 'raise',
    currentHz: 40,
    targetHz: 43,
    expectedFlowRatio: 0.86,
    limitedBy: null,
    reason: 'flow ratio 0.80 below 0.85',
    ...over,
  };
}
