/**
 * Small physical building blocks of the network model. Units: flows m³/h,
 * temperatures °C, heat kW, pressures kPa.
 */

/** ρ·c_p of water near 70 °C per m³/h, in kW/K (975 kg/m³ × 4.19 kJ/(kg·K) / 3600 s). */
export const KW_PER_M3H_K = (975 * 4.19) / 3600;

/** Heat capacity rate of a flow, kW/K. */
export const capacityRate = (flowM3h: number) => flowM3h * KW_PER_M3H_K;

/**
 * Counter-flow heat-exchanger effectiveness from the ε-NTU relation:
 * ε = (1 − e^(−NTU(1−Cr))) / (1 − Cr·e^(−NTU(1−Cr))), and NTU/(1+NTU) when Cr = 1.
 */
export function counterFlowEffectiveness(uaKwPerK: number, cHot: number, cCold: number): number {
  const cMin = Math.min(cHot, cCold);
  const cMax = Math.max(cHot, cCold);
  if (cMin <= 0) return 0;
  const ntu = uaKwPerK / cMin;
  const cr = cMin / cMax;
  if (Math.abs(1 - cr) < 1e-9) return ntu / (1 + ntu);
  const e = Math.exp(-ntu * (1 - cr));
  return (1 - e) / (1 - cr * e);
}

/** Log-mean temperature difference; the arithmetic mean where the two are equal. */
export function lmtd(dt1: number, dt2: number): number {
  if (dt1 <= 0 || dt2 <= 0) return 0;
  if (Math.abs(dt1 - dt2) < 1e-6) return dt1;
  return (dt1 - dt2) / Math.log(dt1 / dt2);
}

/**
 * Radiator return temperature and output for a given supply temperature and flow:
 * output = design × ((T_mean − T_in) / ΔT_design)^n with n ≈ 1.3, solved together
 * with the water-side balance output = C·(T_sup − T_ret) by bisection on T_ret.
 */
export function radiator(
  supplyC: number,
  flowM3h: number,
  indoorC: number,
  designKw: number,
  designExcessK: number,
  n = 1.3,
): { returnC: number; heatKw: number } {
  const c = capacityRate(flowM3h);
  if (c <= 0 || supplyC <= indoorC || designKw <= 0)
    return { returnC: Math.max(indoorC, Math.min(supplyC, indoorC)), heatKw: 0 };
  const output = (ret: number) =>
    designKw * Math.max(0, ((supplyC + ret) / 2 - indoorC) / designExcessK) ** n;
  let lo = indoorC;
  let hi = supplyC;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    // Water gives up more than the radiator can emit → the return is warmer.
    if (c * (supplyC - mid) > output(mid)) lo = mid;
    else hi = mid;
  }
  const returnC = (lo + hi) / 2;
  return { returnC, heatKw: c * (supplyC - returnC) };
}

/** First-order lag over `dtS` seconds toward `target` with time constant `tauS`. */
export function lag(value: number, target: number, dtS: number, tauS: number): number {
  return target + (value - target) * Math.exp(-dtS / tauS);
}
