import type { BalanceResult, SubstationBalance } from './types.ts';

/**
 * The last guard before a result leaves the engine (issue 15, defect 1): a number
 * that came out non-finite — an overflowing mean, a division by a zero that slipped
 * through — fails only its own field, shown as null and named in the station's
 * `invalidFields`, never the whole response: fast-json-stringify refuses Infinity
 * (a 500 for every reader) and JSON.stringify silently writes null. Ingest refuses
 * implausible values first; this holds whatever the engine's arithmetic does.
 */

const NULLABLE_NUMBERS = [
  'deviationC',
  'referenceSupplyC',
  'referenceReturnC',
  'flowRatio',
  'equilibriumIndoorC',
  'indoorMeanC',
  'coldShare',
  'heatIndex',
] as const;

const REQUIRED_NUMBERS = ['distanceM', 'roomsReporting', 'roomsOutliers'] as const;

const bad = (v: number | null | undefined) => typeof v === 'number' && !Number.isFinite(v);

/** The station as it is when every number is finite, else a copy with the bad ones nulled. */
export function finiteStation(s: SubstationBalance): SubstationBalance {
  // Looked over before anything is copied: 5,000 clean stations per evaluation (issue 10).
  if (allFinite(s)) return s;
  const invalid: string[] = [];
  const out: SubstationBalance = { ...s };
  for (const k of NULLABLE_NUMBERS) {
    if (bad(s[k])) {
      out[k] = null;
      invalid.push(k);
    }
  }
  for (const k of REQUIRED_NUMBERS) {
    if (bad(s[k])) {
      out[k] = 0;
      invalid.push(k);
    }
  }
  if (badRecommendation(s)) {
    // Half a recommendation is worse than none: it could be applied to a pump.
    out.recommendation = null;
    invalid.push('recommendation');
  }
  out.invalidFields = [...(s.invalidFields ?? []), ...invalid];
  return out;
}

function allFinite(s: SubstationBalance): boolean {
  for (const k of NULLABLE_NUMBERS) if (bad(s[k])) return false;
  for (const k of REQUIRED_NUMBERS) if (bad(s[k])) return false;
  return !badRecommendation(s);
}

function badRecommendation(s: SubstationBalance): boolean {
  const r = s.recommendation;
  return !!r && (bad(r.currentHz) || bad(r.targetHz) || bad(r.expectedFlowRatio));
}

/** The result itself when it is clean (so caches keyed by identity hold), else a cleaned copy. */
export function finiteResult(r: BalanceResult): BalanceResult {
  let changed = false;
  const substations = r.substations.map((s) => {
    const f = finiteStation(s);
    if (f !== s) changed = true;
    return f;
  });
  const { outdoorTempC, gradient } = r;
  if (bad(outdoorTempC) || bad(gradient.slopeCPerKm) || bad(gradient.r2)) changed = true;
  if (!changed) return r;
  return {
    ...r,
    outdoorTempC: bad(outdoorTempC) ? null : outdoorTempC,
    gradient: {
      ...gradient,
      slopeCPerKm: bad(gradient.slopeCPerKm) ? null : gradient.slopeCPerKm,
      r2: bad(gradient.r2) ? null : gradient.r2,
    },
    substations,
  };
}
