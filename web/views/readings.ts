import type { StationBalance, SubstationSummary } from '../types.ts';

/** A numeric reading, or null (missing, or a flag/string field). */
export function reading(s: SubstationSummary, field: string): number | null {
  const v = s.readings[field]?.value;
  return typeof v === 'number' ? v : null;
}

export function availableDp(s: SubstationSummary): number | null {
  const sup = reading(s, 'primary_supply_pressure_mpa');
  const ret = reading(s, 'primary_return_pressure_mpa');
  return sup === null || ret === null ? null : sup - ret;
}

export function pumpHz(s: SubstationSummary): number | null {
  const p = s.pumps[0];
  const v = p?.readings['frequency_hz']?.value ?? p?.readings['frequency_setpoint_hz']?.value;
  return typeof v === 'number' ? v : null;
}

/** One row of the substation table: what it shows and sorts by. */
export interface Row {
  id: string;
  name: string;
  branch: string;
  distanceM: number;
  status: StationBalance['status'];
  flag: StationBalance['flag'];
  deviationC: number | null;
  flowRatio: number | null;
  indoorC: number | null;
  supplyC: number | null;
  returnC: number | null;
  dpMpa: number | null;
  pumpHz: number | null;
  recommendation: StationBalance['recommendation'];
  stale: boolean;
}

export function rowsOf(list: SubstationSummary[], balance: Map<string, StationBalance>): Row[] {
  return list.map((s) => {
    const b = balance.get(s.id);
    return {
      id: s.id,
      name: s.name ?? '',
      branch: s.branch,
      distanceM: s.distanceM,
      status: b?.status ?? s.balance.status,
      flag: b?.flag ?? s.balance.flag,
      deviationC: b?.deviationC ?? s.balance.deviationC,
      flowRatio: b?.flowRatio ?? s.balance.flowRatio,
      indoorC: b?.indoorMeanC ?? null,
      supplyC: reading(s, 'secondary_supply_temp_c'),
      returnC: reading(s, 'secondary_return_temp_c'),
      dpMpa: availableDp(s),
      pumpHz: pumpHz(s),
      recommendation: b?.recommendation ?? null,
      stale: s.stale,
    };
  });
}
