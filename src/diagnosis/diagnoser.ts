import type { ComplaintCategory, Diagnosis, Finding } from './schemas.ts';

/**
 * What the service desk asks of diagnosis (issue 10): one complaint's diagnosis from the
 * network data of now, and the faults those data show on their own. Implemented over the
 * live state (src/complaints/diagnoser.ts); the rules themselves are pure (this folder).
 */
export interface DiagnosisRequest {
  household: string;
  category: ComplaintCategory;
  /** What the resident's own thermometer says, if they said. */
  reportedTempC?: number;
  /** Service clock (epoch ms). */
  at: number;
}

export interface Diagnoser {
  diagnose(request: DiagnosisRequest): Diagnosis;
  /** Every fault the network data show at `at`, one per place (network-wide sweep). */
  findings(at: number): Finding[];
  /**
   * The same findings, yielding between stations, for a caller that runs the sweep in
   * slices (a diagnoser without it is swept in one go).
   */
  findingSteps?(at: number): Generator<void, Finding[], void>;
}
