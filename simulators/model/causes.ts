import type { Cause, Level } from '../../src/diagnosis/schemas.ts';
import type { ActiveFault } from '../faults.ts';
import type { NetworkModel } from './network-model.ts';

/** The true cause of one household's temperature: what a diagnosis is scored against. */
export interface HouseholdCause {
  level: Level;
  cause: Cause;
  /** The fault behind it, or null (the network's own gradient, a cold top-floor flat, a warm flat). */
  fault: string | null;
  tempC: number;
}

interface Blame {
  level: Level;
  cause: Cause;
  fault: string | null;
}

/**
 * A building-level fault still explains its buildings' deficit after it ends, while they
 * warm back up with their own time constant (16 h): a pump back on at 08:00 has not made
 * the flats warm by 09:00.
 */
export const RECOVERY_MS = 16 * 3_600_000;

/** Substation faults that make rooms cold, in the order they are blamed. A leak is not one. */
const SUBSTATION_CAUSES = [
  ['pump-trip', 'pump-fault'],
  ['strainer-clog', 'flow-restriction'],
  ['hx-fouling', 'heat-exchanger'],
] as const;

/** Below this share of its design flow a substation is under-supplied by the network. */
const UNDER_SUPPLIED_RATIO = 0.9;

/**
 * Ground truth per household: why it is at the temperature it is.
 *
 * - At or above `standards.indoor.minC`: level `none`, cause `room-warm`.
 * - Cold: its temperature is its building's indoor temperature plus three parts (a
 *   starved riser zone's drift, a household fault's drift, its static offset), so its
 *   deficit below `targetC` has four contributors and the largest takes the blame:
 *   (a) the building below target — blamed outermost first on a supply stop of its
 *       substation (substation/heat-stopped); a pump trip, clogged strainer or fouled
 *       exchanger there (substation/pump-fault, flow-restriction, heat-exchanger); a
 *       supply stop of the building (building/heat-stopped); a clogged branch
 *       (building/branch-restriction); else the network: supply-temperature-low when the
 *       plant runs below its heating curve and the station gets its flow, otherwise
 *       hydraulic-imbalance (the gradient at uniform pumps). Faults count while active
 *       and for RECOVERY_MS after they end;
 *   (b) its zone's starved drift (zone/zone-circulation);
 *   (c) its household fault's drift (household/household-restriction);
 *   (d) its static offset (top floor, corner …): household/household-restriction, no fault.
 * A leak never makes a room cold in the model (it shows only in make-up water), so it is
 * never a cold household's cause.
 */
export function householdCauses(model: NetworkModel): Map<string, HouseholdCause> {
  const { minC, targetC } = model.config.standards.indoor;
  const out = new Map<string, HouseholdCause>();
  const blame = buildingBlames(model);
  for (const [substation, state] of model.substations) {
    for (const [building, bs] of state.buildings) {
      const buildingDeficit = Math.max(0, targetC - bs.indoorC);
      for (const h of model.topology.building(building)!.households) {
        const parts = model.households.parts(h.id)!;
        const tempC = bs.indoorC + parts.offsetK + parts.zoneK + parts.faultK;
        if (tempC >= minC) {
          out.set(h.id, { level: 'none', cause: 'room-warm', fault: null, tempC });
          continue;
        }
        const contributors: [number, () => Blame][] = [
          [buildingDeficit, () => blame(substation, building)],
          [-parts.zoneK, () => zoneBlame(parts.zoneFault)],
          [-parts.faultK, () => householdBlame(parts.householdFault)],
          [-parts.offsetK, () => householdBlame(null)],
        ];
        // The first of equals wins: outer levels before inner ones.
        const largest = contributors.reduce((a, b) => (b[0] > a[0] ? b : a));
        out.set(h.id, { ...largest[1](), tempC });
      }
    }
  }
  return out;
}

function zoneBlame(fault: string | null): Blame {
  return { level: 'zone', cause: 'zone-circulation', fault };
}

function householdBlame(fault: string | null): Blame {
  return { level: 'household', cause: 'household-restriction', fault };
}

/** Who is to blame for a building's own deficit, looked up per (substation, building). */
function buildingBlames(model: NetworkModel): (substation: string, building: string) => Blame {
  const inEffect = model.faults
    .all()
    .filter((f) => f.fromMs <= model.timeMs && model.timeMs < f.untilMs + RECOVERY_MS);
  const bySubstation = new Map<string, Blame>();
  const byBuilding = new Map<string, Blame>();
  // Later entries must not override earlier ones: the first cause listed wins.
  const put = (map: Map<string, Blame>, key: string | undefined, blame: Blame) => {
    if (key !== undefined && !map.has(key)) map.set(key, blame);
  };
  for (const f of ofType(inEffect, 'supply-stop')) {
    put(bySubstation, f.spec.substation, stopped('substation', f));
    put(byBuilding, f.spec.building, stopped('building', f));
  }
  for (const [type, cause] of SUBSTATION_CAUSES) {
    for (const f of inEffect.filter((x) => x.spec.type === type)) {
      put(bySubstation, substationOf(model, f), { level: 'substation', cause, fault: f.id });
    }
  }
  for (const f of ofType(inEffect, 'branch-clog')) {
    put(byBuilding, f.spec.building, {
      level: 'building',
      cause: 'branch-restriction',
      fault: f.id,
    });
  }
  const network = networkBlames(model);
  return (substation, building) =>
    bySubstation.get(substation) ?? byBuilding.get(building) ?? network(substation);
}

function stopped(level: Level, f: ActiveFault): Blame {
  return { level, cause: 'heat-stopped', fault: f.id };
}

function ofType<T extends ActiveFault['spec']['type']>(faults: ActiveFault[], type: T) {
  return faults.filter(
    (f): f is ActiveFault & { spec: Extract<ActiveFault['spec'], { type: T }> } =>
      f.spec.type === type,
  );
}

function substationOf(model: NetworkModel, f: ActiveFault): string | undefined {
  if ('substation' in f.spec) return f.spec.substation;
  if ('pump' in f.spec) return model.topology.pump(f.spec.pump)?.substation;
  return undefined;
}

/** The network's part: a plant below its curve, unless the station lacks flow as well. */
function networkBlames(model: NetworkModel): (substation: string) => Blame {
  const flows = model.hydraulicState().flowM3h;
  return (substation) => {
    const ratio = (flows.get(substation) ?? 0) / model.designs.get(substation)!.primaryFlowM3h;
    const cause: Cause =
      model.supplyOffsetC < 0 && ratio >= UNDER_SUPPLIED_RATIO
        ? 'supply-temperature-low'
        : 'hydraulic-imbalance';
    return { level: 'network', cause, fault: null };
  };
}
