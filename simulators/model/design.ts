import type { Config } from '../../src/config/schema.ts';
import type { Building, Substation, Topology } from '../../src/domain/topology.ts';
import type { HydraulicBranch } from './hydraulics.ts';
import { KW_PER_M3H_K, lmtd } from './physics.ts';

/** kPa per metre of water column. */
export const KPA_PER_M = 9.79;
/** Default pump shut-off head at rated speed, m. */
const DEFAULT_PUMP_HEAD_M = 35;
/** Share of the pump's shut-off head lost inside it at design flow. */
const PUMP_INTERNAL_SHARE = 0.25;
/** Speed the pumps are commissioned at (the demo's uniform setting). */
export const COMMISSIONING_HZ = 40;

export interface BuildingDesign {
  building: Building;
  designKw: number;
  /** Heat loss coefficient, kW/K. */
  uaKwPerK: number;
  /** Share of the substation's secondary flow. */
  flowShare: number;
  /** Internal gains, kW. */
  gainsKw: number;
}

export interface SubstationDesign {
  substation: Substation;
  designKw: number;
  primaryFlowM3h: number;
  secondaryFlowM3h: number;
  hxUaKwPerK: number;
  buildings: BuildingDesign[];
}

/**
 * Sizes every substation and the mains from the config's design data the way a
 * designer would: heat load from heated area, design flows from the design
 * temperature drops, the exchanger's UA from its design LMTD, main segments for a
 * constant specific pressure drop at design flows, and each substation's resistance
 * so that one at the network's median distance gets exactly its design flow with
 * its pump at the commissioning speed. Nothing here knows which stations will end
 * up over- or under-supplied.
 */
export function designNetwork(config: Config, topology: Topology) {
  const d = config.network.design;
  const excessDesign = d.indoorC - d.outdoorC;
  const substations = new Map<string, SubstationDesign>();
  for (const s of topology.substations) {
    const designKw = (s.heatedAreaM2 * d.heatLoadWPerM2) / 1000;
    const primaryFlowM3h = designKw / (KW_PER_M3H_K * (d.primary.supplyC - d.primary.returnC));
    const secondaryFlowM3h =
      designKw / (KW_PER_M3H_K * (d.secondary.supplyC - d.secondary.returnC));
    const hxLmtd = lmtd(
      d.primary.supplyC - d.secondary.supplyC,
      d.primary.returnC - d.secondary.returnC,
    );
    const area = s.buildings.reduce((sum, b) => sum + b.areaM2, 0) || 1;
    substations.set(s.id, {
      substation: s,
      designKw,
      primaryFlowM3h,
      secondaryFlowM3h,
      hxUaKwPerK: designKw / hxLmtd,
      buildings: s.buildings.map((b) => {
        const bKw = (designKw * b.areaM2) / area;
        return {
          building: b,
          designKw: bKw,
          uaKwPerK: bKw / excessDesign,
          flowShare: b.areaM2 / area,
          gainsKw: (b.areaM2 * 1.0) / 1000,
        };
      }),
    });
  }
  return { substations, branches: sizeBranches(config, topology, substations) };
}

function sizeBranches(
  config: Config,
  topology: Topology,
  designs: Map<string, SubstationDesign>,
): HydraulicBranch[] {
  const d = config.network.design;
  const distances = topology.substations.map((s) => s.distanceM).sort((a, b) => a - b);
  const medianKm = (distances[Math.floor(distances.length / 2)] ?? 0) / 1000;
  const groups = new Map<string, Substation[]>();
  for (const s of topology.substations) {
    const key = `${s.source}\u0000${s.branch}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const branches: HydraulicBranch[] = [];
  for (const members of groups.values()) {
    const source = config.network.sources.find((x) => x.id === members[0]!.source)!;
    const sourceDp = source.differentialPressureMpa * 1000;
    let downstream = members.reduce((sum, s) => sum + designs.get(s.id)!.primaryFlowM3h, 0);
    let previousKm = 0;
    const segmentResistance: number[] = [];
    const substations = members.map((s) => {
      const design = designs.get(s.id)!;
      const lengthKm = Math.max(0.01, s.distanceM / 1000 - previousKm);
      previousKm = s.distanceM / 1000;
      segmentResistance.push((d.mainDropKpaPerKm * lengthKm) / downstream ** 2);
      downstream -= design.primaryFlowM3h;
      const pump = s.pumps[0];
      const headKpa = pump ? (pump.ratedHeadM ?? DEFAULT_PUMP_HEAD_M) * KPA_PER_M : 0;
      const ratedHz = pump?.ratedHz ?? 50;
      const g2 = design.primaryFlowM3h ** 2;
      const pumpResistance = (PUMP_INTERNAL_SHARE * headKpa) / g2;
      // Balanced at the median distance: there Δp + pump head = (R + r_pump)·G².
      const drive =
        sourceDp - d.mainDropKpaPerKm * medianKm + headKpa * (COMMISSIONING_HZ / ratedHz) ** 2;
      const resistance = Math.max(drive / g2 - pumpResistance, 0.05 * pumpResistance);
      return { id: s.id, resistance, pumpHeadKpa: headKpa, pumpResistance, ratedHz };
    });
    branches.push({ source: source.id, substations, segmentResistance });
  }
  return branches;
}
