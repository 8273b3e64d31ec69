/**
 * Weather-compensated supply and return temperatures (the heating curve), in the
 * form of Modelica Buildings' `SupplyReturnTemperatureReset`:
 *
 *   q_rel = (T_in,set − T_out) / (T_in,nom − T_out,nom)
 *   ΔT_m  = (T_sup,nom + T_ret,nom)/2 − T_in,nom
 *   T_sup = T_in,set + ΔT_m·q_rel^(1/m) + ½(T_sup,nom − T_ret,nom)·q_rel
 *   T_ret = T_in,set + ΔT_m·q_rel^(1/m) − ½(T_sup,nom − T_ret,nom)·q_rel
 *
 * with m ≈ 1.3 for radiators. Pure: used by the simulator's plant and by the
 * balancing engine's reference alike.
 */
export interface HeatingCurve {
  supplyNomC: number;
  returnNomC: number;
  indoorNomC: number;
  outdoorNomC: number;
  /** Radiator exponent. */
  m?: number;
}

/** Relative load: 1 at design outdoor temperature, 0 when no heating is needed. */
export function relativeLoad(curve: HeatingCurve, outdoorC: number, indoorSetC = curve.indoorNomC) {
  const q = (indoorSetC - outdoorC) / (curve.indoorNomC - curve.outdoorNomC);
  return Math.max(0, q);
}

export function heatingCurve(
  curve: HeatingCurve,
  outdoorC: number,
  indoorSetC = curve.indoorNomC,
): { supplyC: number; returnC: number } {
  const q = relativeLoad(curve, outdoorC, indoorSetC);
  const m = curve.m ?? 1.3;
  const meanExcess = (curve.supplyNomC + curve.returnNomC) / 2 - curve.indoorNomC;
  const base = indoorSetC + meanExcess * q ** (1 / m);
  const half = 0.5 * (curve.supplyNomC - curve.returnNomC) * q;
  return { supplyC: base + half, returnC: base - half };
}
