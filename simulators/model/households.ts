import type { Household, Topology } from '../../src/domain/topology.ts';
import type { FaultBook } from '../faults.ts';
import type { Rng } from '../rng.ts';
import { lag } from './physics.ts';

/** How fast a household drifts to its fault temperature (a blocked radiator cools a flat in hours). */
const FAULT_TAU_S = 3 * 3600;
const FAULT_DROP_K = { 'household-blockage': 8, 'air-lock': 4 } as const;
/** Circulation a starved riser zone keeps unless the fault says otherwise. */
export const ZONE_DEFAULT_FACTOR = 0.3;
/**
 * Share of a flat's excess over outdoor that its radiators' missing flow takes away.
 * Radiator output falls much less than flow (the water cools further instead) and the
 * warm zones above and below give heat through the floors, so a zone keeping 30 % of
 * its circulation at −5 °C ends about 7 K below its building, not 25.
 */
const ZONE_LOSS_PER_K = 0.4;

/** What the households' step reads of the rest of the model. */
export interface HouseholdSurroundings {
  outdoorC: number;
  /** Indoor temperature of a building. */
  buildingC: (building: string) => number;
}

/** A household's temperature split into the parts ground truth attributes a deficit to. */
export interface HouseholdParts {
  /** Persistent offset (top floor, corner …) from its building's temperature, K. */
  offsetK: number;
  /** Drift from a starved riser zone (≤ 0), and the fault that caused it (kept while it recovers). */
  zoneK: number;
  zoneFault: string | null;
  /** Drift from a household fault (≤ 0), and its fault. */
  faultK: number;
  householdFault: string | null;
}

/**
 * Households sit at their building's temperature plus persistent offsets — top and
 * ground floors and corner flats colder, every flat a little different — plus the
 * drift of a household fault (a blocked or air-locked radiator).
 */
export class Households {
  readonly list: readonly Household[];
  private readonly index = new Map<string, number>();
  private readonly offsetK: Float64Array;
  private readonly faultK: Float64Array;
  private readonly zoneK: Float64Array;
  private readonly drifting = new Set<number>();
  private readonly zoneDrifting = new Set<number>();
  /** Household index → the fault that last moved it (the cause while it recovers, too). */
  private readonly faultOf = new Map<number, string>();
  private readonly zoneFaultOf = new Map<number, string>();

  constructor(
    private readonly topology: Topology,
    rng: Rng,
  ) {
    this.list = topology.substations.flatMap((s) => s.buildings.flatMap((b) => b.households));
    this.offsetK = new Float64Array(this.list.length);
    this.faultK = new Float64Array(this.list.length);
    this.zoneK = new Float64Array(this.list.length);
    this.list.forEach((h, i) => {
      this.index.set(h.id, i);
      const building = topology.building(h.building)!;
      const onFloor = building.households.filter((o) => o.floor === h.floor);
      const position = onFloor.indexOf(h);
      let offset = rng.normal() * 0.6;
      if (h.floor === building.floors) offset -= 1.2; // roof above
      if (h.floor === 1) offset -= 0.8; // cold ground below
      if (position === 0 || position === onFloor.length - 1) offset -= 0.6; // corner flat
      this.offsetK[i] = offset;
    });
  }

  step(dtS: number, timeMs: number, faults: FaultBook, around: HouseholdSurroundings): void {
    const target = new Map<number, number>();
    const zoneTarget = new Map<number, number>();
    for (const f of faults.active(timeMs)) {
      if (f.spec.type === 'zone-starved') this.starveZone(f.id, f.spec, around, zoneTarget);
      if (f.spec.type !== 'household-blockage' && f.spec.type !== 'air-lock') continue;
      const i = this.index.get(f.spec.household);
      if (i === undefined) continue;
      target.set(i, -FAULT_DROP_K[f.spec.type]);
      this.faultOf.set(i, f.id);
    }
    // Only faulty households (and those recovering) move: 250,000 flats cost nothing.
    drift(this.faultK, this.drifting, target, dtS, this.faultOf);
    drift(this.zoneK, this.zoneDrifting, zoneTarget, dtS, this.zoneFaultOf);
  }

  /**
   * A riser zone keeping `factor` of its circulation loses that share of its heat, so
   * its flats head for −(1 − factor) × k × (building − outdoor) below their building.
   */
  private starveZone(
    id: string,
    spec: { building: string; zone: string; factor?: number },
    around: HouseholdSurroundings,
    goals: Map<number, number>,
  ): void {
    const building = this.topology.building(spec.building);
    if (!building) return;
    const excessK = Math.max(0, around.buildingC(building.id) - around.outdoorC);
    const goal = -(1 - (spec.factor ?? ZONE_DEFAULT_FACTOR)) * ZONE_LOSS_PER_K * excessK;
    for (const h of building.households) {
      if (h.zone !== spec.zone) continue;
      const i = this.index.get(h.id)!;
      // Two faults on one zone: the worse one rules.
      goals.set(i, Math.min(goals.get(i) ?? 0, goal));
      this.zoneFaultOf.set(i, id);
    }
  }

  /** The parts of a household's temperature, for ground truth's attribution. */
  parts(householdId: string): HouseholdParts | undefined {
    const i = this.index.get(householdId);
    if (i === undefined) return undefined;
    return {
      offsetK: this.offsetK[i]!,
      zoneK: this.zoneK[i]!,
      zoneFault: this.zoneK[i] === 0 ? null : (this.zoneFaultOf.get(i) ?? null),
      faultK: this.faultK[i]!,
      householdFault: this.faultK[i] === 0 ? null : (this.faultOf.get(i) ?? null),
    };
  }

  /** True temperature of a household given its building's indoor temperature. */
  temperatureC(householdId: string, buildingC: number): number | undefined {
    const i = this.index.get(householdId);
    if (i === undefined) return undefined;
    return buildingC + this.offsetK[i]! + this.faultK[i]! + this.zoneK[i]!;
  }
}

/** Lags the drifting households' values toward their goals (0 once the fault ends). */
function drift(
  values: Float64Array,
  drifting: Set<number>,
  goals: Map<number, number>,
  dtS: number,
  causes: Map<number, string>,
): void {
  for (const i of goals.keys()) drifting.add(i);
  for (const i of drifting) {
    const goal = goals.get(i) ?? 0;
    values[i] = lag(values[i]!, goal, dtS, FAULT_TAU_S);
    if (goal === 0 && Math.abs(values[i]!) < 0.01) {
      values[i] = 0;
      drifting.delete(i);
      causes.delete(i);
    }
  }
}
