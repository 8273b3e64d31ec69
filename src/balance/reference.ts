import type { Config } from '../config/schema.ts';
import { heatingCurve, relativeLoad } from '../domain/heating-curve.ts';

/** ρ·c_p of water near 70 °C per m³/h, in kW/K (975 kg/m³ × 4.19 kJ/(kg·K) / 3600 s). */
export const KW_PER_M3H_K = (975 * 4.19) / 3600;

export type NetworkDesign = Config['network']['design'];

/**
 * Design primary flow of a station: configured, or its design heat load (heated
 * area × specific load) carried at the primary design temperature drop.
 */
export function designFlowM3h(
  design: NetworkDesign,
  station: { heatedAreaM2: number; designFlowM3h?: number | undefined },
): number {
  if (station.designFlowM3h !== undefined) return station.designFlowM3h;
  const designKw = (station.heatedAreaM2 * design.heatLoadWPerM2) / 1000;
  return designKw / (KW_PER_M3H_K * (design.primary.supplyC - design.primary.returnC));
}

/** What a station should see at this outdoor temperature (weather compensation). */
export interface Reference {
  secondarySupplyC: number;
  secondaryReturnC: number;
  primarySupplyC: number;
  primaryReturnC: number;
  /** Required primary flow over design flow: load over the curve's temperature drop. */
  flowFactor: number;
  /** Relative load q_rel (1 at the design outdoor temperature). */
  load: number;
}

export function referenceAt(design: NetworkDesign, outdoorC: number): Reference {
  const curve = (nom: { supplyC: number; returnC: number }) => ({
    supplyNomC: nom.supplyC,
    returnNomC: nom.returnC,
    indoorNomC: design.indoorC,
    outdoorNomC: design.outdoorC,
  });
  const secondary = heatingCurve(curve(design.secondary), outdoorC);
  const primary = heatingCurve(curve(design.primary), outdoorC);
  const load = relativeLoad(curve(design.primary), outdoorC);
  const nominalDrop = design.primary.supplyC - design.primary.returnC;
  const drop = primary.supplyC - primary.returnC;
  // G_req = Q/(c_p·ΔT): the load scales Q and the curve scales ΔT. Under the reset
  // curve both scale with q_rel, so a constant-flow network needs its design flow.
  const flowFactor = drop > 0 ? (load * nominalDrop) / drop : 0;
  return {
    secondarySupplyC: secondary.supplyC,
    secondaryReturnC: secondary.returnC,
    primarySupplyC: primary.supplyC,
    primaryReturnC: primary.returnC,
    flowFactor,
    load,
  };
}

/**
 * Specific heat use normalised by degree-days, over design: measured kW per m² and
 * kelvin of indoor–outdoor difference, divided by the design value. 1 = as designed.
 */
export function heatIndex(
  design: NetworkDesign,
  heatPowerKw: number | null,
  heatedAreaM2: number,
  outdoorC: number,
): number | null {
  const excess = design.indoorC - outdoorC;
  if (heatPowerKw === null || heatedAreaM2 <= 0 || excess <= 1) return null;
  const specific = (heatPowerKw * 1000) / heatedAreaM2 / excess;
  const designSpecific = design.heatLoadWPerM2 / (design.indoorC - design.outdoorC);
  return specific / designSpecific;
}

/** Radiator exponent of the design's emitters (as the heating curve's m). */
const RADIATOR_EXPONENT = 1.3;

/**
 * The indoor temperature the buildings settle at when their radiators see this mean
 * secondary water temperature: heat loss UA·(T_in − T_out) equals emission
 * Q_design·((T_m − T_in)/(T_m,nom − T_in,nom))^n, with UA from the design point.
 * Solved by bisection (the balance is monotonic in T_in). The hydraulic stand-in for
 * room sensors: where the rooms are heading, hours before they get there.
 */
export function equilibriumIndoorC(
  design: NetworkDesign,
  secondaryMeanC: number,
  outdoorC: number,
): number | null {
  const nominalExcess = (design.secondary.supplyC + design.secondary.returnC) / 2 - design.indoorC;
  const designSpan = design.indoorC - design.outdoorC;
  if (nominalExcess <= 0 || designSpan <= 0 || secondaryMeanC <= outdoorC) return null;
  const imbalance = (tin: number) =>
    (tin - outdoorC) / designSpan -
    (Math.max(0, secondaryMeanC - tin) / nominalExcess) ** RADIATOR_EXPONENT;
  let lo = outdoorC;
  let hi = secondaryMeanC;
  // 30 halvings of a span under 150 K: well below 0.001 K.
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (imbalance(mid) > 0) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}
