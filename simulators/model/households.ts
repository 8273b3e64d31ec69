import type { Household, Topology } from '../../src/domain/topology.ts';
import type { FaultBook } from '../faults.ts';
import type { Rng } from '../rng.ts';
import { lag } from './physics.ts';

/** How fast a household drifts to its fault temperature (a blocked radiator cools a flat in hours). */
const FAULT_TAU_S = 3 * 3600;
const FAULT_DROP_K = { 'household-blockage': 8, 'air-lock': 4 } as const;

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
  private readonly drifting = new Set<number>();

  constructor(topology: Topology, rng: Rng) {
    this.list = topology.substations.flatMap((s) => s.buildings.flatMap((b) => b.households));
    this.offsetK = new Float64Array(this.list.length);
    this.faultK = new Float64Array(this.list.length);
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

  step(dtS: number, timeMs: number, faults: FaultBook): void {
    const target = new Map<number, number>();
    for (const f of faults.active(timeMs)) {
      if (f.spec.type !== 'household-blockage' && f.spec.type !== 'air-lock') continue;
      const i = this.index.get(f.spec.household);
      if (i !== undefined) target.set(i, -FAULT_DROP_K[f.spec.type]);
    }
    // Only faulty households (and those recovering) move: 250,000 flats cost nothing.
    for (const i of target.keys()) this.drifting.add(i);
    for (const i of this.drifting) {
      const goal = target.get(i) ?? 0;
      this.faultK[i] = lag(this.faultK[i]!, goal, dtS, FAULT_TAU_S);
      if (goal === 0 && Math.abs(this.faultK[i]!) < 0.01) {
        this.faultK[i] = 0;
        this.drifting.delete(i);
      }
    }
  }

  /** True temperature of a household given its building's indoor temperature. */
  temperatureC(householdId: string, buildingC: number): number | undefined {
    const i = this.index.get(householdId);
    if (i === undefined) return undefined;
    return buildingC + this.offsetK[i]! + this.faultK[i]!;
  }
}
