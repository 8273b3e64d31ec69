import type { BalanceConfig } from '../config/schema.ts';
import type { BalanceStatus, StationMemory, StatusBasis } from './types.ts';

export interface IndoorStandard {
  minC: number;
  targetC: number;
  maxC: number;
}

export interface Indicators {
  deviationC: number | null;
  /** Indoor temperature the secondary water temperatures lead to (steady state). */
  equilibriumIndoorC: number | null;
  flowRatio: number | null;
  indoorMeanC: number | null;
  coldShare: number | null;
  /** Enough households report for the rooms to decide. */
  roomsDecide: boolean;
}

/**
 * The status a station's own signals give now. Rooms decide when enough report
 * (they are what residents feel); otherwise the indoor temperature the secondary
 * water temperatures lead to, judged by the same limits; the flow ratio only when
 * temperatures are missing. Thresholds widen by the
 * hysteresis in favour of the current status, so a value hovering at a threshold
 * does not flip the status on every evaluation.
 */
export function rawStatus(
  ind: Indicators,
  current: BalanceStatus | undefined,
  t: BalanceConfig['thresholds'],
  indoor: IndoorStandard,
): { status: BalanceStatus; basis: StatusBasis } {
  const keep = (s: BalanceStatus, margin: number) => (current === s ? margin : 0);
  const overC = indoor.targetC + t.overheatMarginK - keep('overheating', t.hysteresisK);
  const underC = indoor.minC + keep('underheating', t.hysteresisK);
  if (ind.roomsDecide && ind.indoorMeanC !== null) {
    const mean = ind.indoorMeanC;
    const cold = ind.coldShare ?? 0;
    const coldLimit = t.coldShare - keep('underheating', t.hysteresisRatio);
    if (mean > overC) return { status: 'overheating', basis: 'rooms' };
    if (mean < underC || cold > coldLimit) return { status: 'underheating', basis: 'rooms' };
    return { status: 'normal', basis: 'rooms' };
  }
  if (ind.equilibriumIndoorC !== null) {
    if (ind.equilibriumIndoorC > overC) return { status: 'overheating', basis: 'hydraulic' };
    if (ind.equilibriumIndoorC < underC) return { status: 'underheating', basis: 'hydraulic' };
    return { status: 'normal', basis: 'hydraulic' };
  }
  if (ind.flowRatio !== null) {
    const high = t.flowRatioHigh - keep('overheating', t.hysteresisRatio);
    const low = t.flowRatioLow + keep('underheating', t.hysteresisRatio);
    if (ind.flowRatio > high) return { status: 'overheating', basis: 'hydraulic' };
    if (ind.flowRatio < low) return { status: 'underheating', basis: 'hydraulic' };
    return { status: 'normal', basis: 'hydraulic' };
  }
  return { status: 'no-data', basis: 'none' };
}

/**
 * Persistence: a new status is reported once it held `persistence` evaluations in
 * a row. Missing data is reported at once (never a stale guess), and a station seen
 * for the first time takes its status directly.
 */
export function persist(
  raw: BalanceStatus,
  previous: StationMemory | undefined,
  persistence: number,
): StationMemory {
  if (!previous || raw === 'no-data' || previous.status === 'no-data') {
    return { status: raw, candidate: raw, streak: 0 };
  }
  if (raw === previous.status) return { status: raw, candidate: raw, streak: 0 };
  const streak = raw === previous.candidate ? previous.streak + 1 : 1;
  if (streak >= persistence) return { status: raw, candidate: raw, streak: 0 };
  return { status: previous.status, candidate: raw, streak };
}
