import type { BalanceResult } from '../balance/types.ts';
import type { Config } from '../config/schema.ts';
import { diagnose } from '../diagnosis/diagnose.ts';
import type { Diagnoser } from '../diagnosis/diagnoser.ts';
import { findingSteps, findings } from '../diagnosis/findings.ts';
import { stationNeighbours } from '../diagnosis/station.ts';
import type { Topology } from '../domain/topology.ts';
import type { LiveState } from '../state/live-state.ts';
import { diagnosisView } from './context.ts';

/** What diagnosis reads: the latest readings (rooms, building meters, PLCs, drives) and evaluation. */
export interface LiveDiagnoserSources {
  config: Config;
  topology: Topology;
  state: LiveState;
  balance: () => BalanceResult;
}

/**
 * The diagnoser over the live state (issue 10): the pure rules (src/diagnosis) over a
 * view of the latest readings and evaluation, taken at the time each call is asked for.
 */
export function createLiveDiagnoser(sources: LiveDiagnoserSources): Diagnoser {
  // The branch neighbours a station's flow is judged against: fixed with the topology.
  const neighbours = stationNeighbours(sources.topology);
  return {
    diagnose: (request) => diagnose(diagnosisView(sources, request.at), request, neighbours),
    findings: (at) => findings(diagnosisView(sources, at), neighbours),
    findingSteps: (at) => findingSteps(diagnosisView(sources, at), neighbours),
  };
}
