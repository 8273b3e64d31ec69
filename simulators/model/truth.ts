import type { NetworkModel } from './network-model.ts';

/** Flow ratio beyond which a substation counts as over- (or under-) supplied. */
const SUPPLY_TOLERANCE = 0.1;
/** Above target by this much, a substation's rooms count as overheated. */
const OVERHEAT_MARGIN_K = 2;

export interface SubstationTruth {
  id: string;
  branch: string;
  distanceM: number;
  requiredFlowM3h: number;
  actualFlowM3h: number;
  flowRatio: number;
  /** over: more flow than required (> +10 %); under: less (< −10 %). */
  supply: 'over' | 'under' | 'ok';
  /** overheated: indoor mean above target + 2 K; underheated: below the legal minimum. */
  indoorState: 'overheated' | 'underheated' | 'ok';
  availableKpa: number;
  pumpHz: number;
  primarySupplyC: number;
  primaryReturnC: number;
  secondarySupplyC: number;
  secondaryReturnC: number;
  requiredHeatKw: number;
  actualHeatKw: number;
  indoorMeanC: number;
  coldShare: number;
  makeupM3h: number;
  faults: string[];
}

export interface NetworkTruth {
  time: string;
  outdoorTempC: number;
  plantSupplyC: number;
  plantFlowM3h: number;
  plantHeatKw: number;
  /** Heat the buildings' radiators give off (equals plantHeatKw at steady state). */
  radiatorHeatKw: number;
  coldShare: number;
  indoorSpreadC: number;
  substations: SubstationTruth[];
  faults: { id: string; type: string; from: string; until: string | null; spec: unknown }[];
}

/** What is really going on in the simulated network — for tests and the demo, never for heatnet. */
export function groundTruth(model: NetworkModel): NetworkTruth {
  const std = model.config.standards.indoor;
  const outdoor = model.outdoorC();
  const active = model.faults.active(model.timeMs);
  let households = 0;
  let cold = 0;
  let plantHeat = 0;
  let radiatorHeat = 0;
  const substations: SubstationTruth[] = [];
  for (const s of model.topology.substations) {
    const design = model.designs.get(s.id)!;
    const state = model.substations.get(s.id)!;
    let area = 0;
    let weighted = 0;
    let subCold = 0;
    let required = 0;
    for (const b of design.buildings) {
      const bs = state.buildings.get(b.building.id)!;
      radiatorHeat += bs.heatKw;
      required += Math.max(0, b.uaKwPerK * (std.targetC - outdoor) - b.gainsKw);
      for (const h of b.building.households) {
        const t = model.households.temperatureC(h.id, bs.indoorC)!;
        area += h.areaM2;
        weighted += t * h.areaM2;
        if (t < std.minC) subCold++;
      }
    }
    const count = s.buildings.reduce((n, b) => n + b.households.length, 0);
    households += count;
    cold += subCold;
    plantHeat += state.heatKw;
    const ratio = state.primaryFlowM3h / design.primaryFlowM3h;
    const indoor = area > 0 ? weighted / area : Number.NaN;
    substations.push({
      id: s.id,
      branch: s.branch,
      distanceM: s.distanceM,
      requiredFlowM3h: design.primaryFlowM3h,
      actualFlowM3h: state.primaryFlowM3h,
      flowRatio: ratio,
      supply: ratio > 1 + SUPPLY_TOLERANCE ? 'over' : ratio < 1 - SUPPLY_TOLERANCE ? 'under' : 'ok',
      indoorState:
        indoor > std.targetC + OVERHEAT_MARGIN_K
          ? 'overheated'
          : indoor < std.minC
            ? 'underheated'
            : 'ok',
      availableKpa: state.availableKpa,
      pumpHz: Math.max(0, ...s.pumps.map((p) => model.pumps.get(p.id)?.hz ?? 0)),
      primarySupplyC: state.primarySupplyC,
      primaryReturnC: state.primaryReturnC,
      secondarySupplyC: state.secondarySupplyC,
      secondaryReturnC: state.secondaryReturnC,
      requiredHeatKw: required,
      actualHeatKw: state.heatKw,
      indoorMeanC: indoor,
      coldShare: count > 0 ? subCold / count : 0,
      makeupM3h: state.makeupM3h,
      faults: active.filter((f) => faultTouches(f.spec, s.id, model)).map((f) => f.id),
    });
  }
  const means = substations.map((s) => s.indoorMeanC).filter(Number.isFinite);
  return {
    time: new Date(model.timeMs).toISOString(),
    outdoorTempC: outdoor,
    plantSupplyC: model.plantSupplyC(),
    plantFlowM3h: [...model.hydraulicState().sourceFlowM3h.values()].reduce((a, b) => a + b, 0),
    plantHeatKw: plantHeat,
    radiatorHeatKw: radiatorHeat,
    coldShare: households > 0 ? cold / households : 0,
    indoorSpreadC: means.length > 0 ? Math.max(...means) - Math.min(...means) : 0,
    substations,
    faults: model.faults.all().map((f) => ({
      id: f.id,
      type: f.spec.type,
      from: new Date(f.fromMs).toISOString(),
      until: Number.isFinite(f.untilMs) ? new Date(f.untilMs).toISOString() : null,
      spec: f.spec,
    })),
  };
}

/** True temperature of every household (the "household" view of ground truth). */
export function householdTruth(
  model: NetworkModel,
): { id: string; building: string; substation: string; tempC: number }[] {
  const out: { id: string; building: string; substation: string; tempC: number }[] = [];
  for (const [id, state] of model.substations) {
    for (const [bid, bs] of state.buildings) {
      for (const h of model.topology.building(bid)!.households) {
        out.push({
          id: h.id,
          building: bid,
          substation: id,
          tempC: model.households.temperatureC(h.id, bs.indoorC)!,
        });
      }
    }
  }
  return out;
}

function faultTouches(
  spec: { type: string } & Record<string, unknown>,
  substation: string,
  model: NetworkModel,
): boolean {
  if (spec.substation === substation) return true;
  if (typeof spec.pump === 'string')
    return model.topology.pump(spec.pump)?.substation === substation;
  if (typeof spec.building === 'string')
    return model.topology.building(spec.building)?.substation === substation;
  if (typeof spec.household === 'string')
    return model.topology.household(spec.household)?.substation === substation;
  if (typeof spec.device === 'string') {
    return model.config.ingest.modbus.devices.some(
      (d) => d.id === spec.device && d.substation === substation,
    );
  }
  return false;
}
