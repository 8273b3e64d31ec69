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

/** A radiator at one supply temperature, flow and room temperature (kW, °C, K). */
interface RadiatorCase {
  supplyC: number;
  indoorC: number;
  /** Capacity rate of the flow, kW/K. */
  c: number;
  designKw: number;
  designExcessK: number;
  n: number;
}

/** Radiator output at return temperature `ret`: design × (mean excess / design excess)^n. */
function emitted(r: RadiatorCase, ret: number): number {
  return r.designKw * Math.max(0, ((r.supplyC + ret) / 2 - r.indoorC) / r.designExcessK) ** r.n;
}

/**
 * Radiator return temperature and output for a given supply temperature and flow:
 * output = design × ((T_mean − T_in) / ΔT_design)^n with n ≈ 1.3, solved together
 * with the water-side balance output = C·(T_sup − T_ret) by bisection on T_ret
 * (40 halvings of [indoor, supply]).
 *
 * `guessC` (e.g. the previous return temperature) only saves time, never changes the
 * answer: the bisection's early halvings, far from the root, are decided by a bracket
 * proven on both sides of it instead of by a power each (issue 9: the power was half
 * of a simulated day's cost), so the result is the plain bisection's, bit for bit
 * (test/unit/sim-radiator.test.ts checks that against a reference).
 */
export function radiator(
  supplyC: number,
  flowM3h: number,
  indoorC: number,
  designKw: number,
  designExcessK: number,
  n = 1.3,
  guessC?: number,
): { returnC: number; heatKw: number } {
  const c = capacityRate(flowM3h);
  if (c <= 0 || supplyC <= indoorC || designKw <= 0)
    return { returnC: Math.max(indoorC, Math.min(supplyC, indoorC)), heatKw: 0 };
  const r: RadiatorCase = { supplyC, indoorC, c, designKw, designExcessK, n };
  const root = newtonRoot(r, guessC);
  const halfWidth = root === undefined ? undefined : provenHalfWidth(r, root);
  const below = halfWidth === undefined ? Number.NEGATIVE_INFINITY : root! - halfWidth;
  const above = halfWidth === undefined ? Number.POSITIVE_INFINITY : root! + halfWidth;
  let lo = indoorC;
  let hi = supplyC;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    // Water gives up more than the radiator can emit → the return is warmer.
    const warmer =
      mid <= below ? true : mid >= above ? false : c * (supplyC - mid) > emitted(r, mid);
    if (warmer) lo = mid;
    else hi = mid;
  }
  const returnC = (lo + hi) / 2;
  return { returnC, heatKw: c * (supplyC - returnC) };
}

/**
 * Relative margin by which a bracket end must decide. Every operation of the comparison
 * is monotone under IEEE rounding except the power, which is within an ulp of exact: a
 * margin of 1e-14 (some 20 ulps) is far more than can flip a comparison beyond the end.
 */
const BRACKET_MARGIN = 1e-14;

/** Half-widths tried, narrowest first: each halving inside the bracket costs a power. */
const HALF_WIDTHS_K = [1e-11, 1e-9, 1e-6];

/**
 * A half-width δ such that at `root − δ` the bisection's comparison, computed exactly
 * as it computes it, holds by a relative margin, and at `root + δ` fails by one. Both
 * sides of the comparison are monotone in T_ret (water side falling, radiator side
 * rising), so every point at or below root − δ compares as that end does, and every
 * point at or above root + δ as the other. Undefined (decide every halving) if none.
 */
function provenHalfWidth(r: RadiatorCase, root: number): number | undefined {
  for (const delta of HALF_WIDTHS_K) {
    const below = root - delta;
    const above = root + delta;
    if (
      r.c * (r.supplyC - below) > emitted(r, below) * (1 + BRACKET_MARGIN) &&
      r.c * (r.supplyC - above) < emitted(r, above) * (1 - BRACKET_MARGIN)
    )
      return delta;
  }
  return undefined;
}

/** Newton's method on C·(T_sup − T_ret) − output(T_ret) = 0, from the guess or the middle. */
function newtonRoot(r: RadiatorCase, guessC: number | undefined): number | undefined {
  // Plain clamps rather than a helper closure: this runs a million times a simulated day.
  let ret =
    guessC !== undefined && Number.isFinite(guessC)
      ? Math.min(r.supplyC, Math.max(r.indoorC, guessC))
      : (r.supplyC + r.indoorC) / 2;
  for (let i = 0; i < 8; i++) {
    const q = ((r.supplyC + ret) / 2 - r.indoorC) / r.designExcessK;
    if (!(q > 0)) return undefined;
    const power = r.designKw * q ** r.n;
    const slope = -r.c - (power * r.n) / (2 * r.designExcessK * q);
    const step = (r.c * (r.supplyC - ret) - power) / slope;
    ret = Math.min(r.supplyC, Math.max(r.indoorC, ret - step));
    if (Math.abs(step) < 1e-11) return ret;
  }
  return ret;
}

/** First-order lag over `dtS` seconds toward `target` with time constant `tauS`. */
export function lag(value: number, target: number, dtS: number, tauS: number): number {
  return target + (value - target) * Math.exp(-dtS / tauS);
}
