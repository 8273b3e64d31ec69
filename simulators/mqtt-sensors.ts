import type { FaultBook } from './faults.ts';
import type { BuildingState, NetworkModel } from './model/network-model.ts';
import { createRng } from './rng.ts';

/** What the MQTT publisher publishes: room sensors, building meters, and who is silent. */

export interface RoomSensor {
  topic: string;
  household: string;
  building: string;
  state: BuildingState;
}

export interface Meter {
  topic: string;
  state: BuildingState;
}

export interface SilentRooms {
  all: boolean;
  buildings: Set<string>;
  households: Set<string>;
}

export const NOBODY_SILENT: SilentRooms = {
  all: false,
  buildings: new Set(),
  households: new Set(),
};
/** A seeded share of households carry a sensor; topics are built once, not per message. */
export function roomSensors(model: NetworkModel, share: number, seed: number): RoomSensor[] {
  const rng = createRng(seed ^ 0x5e4503);
  const out: RoomSensor[] = [];
  for (const s of model.topology.substations) {
    for (const b of s.buildings) {
      const state = model.substations.get(s.id)?.buildings.get(b.id);
      for (const h of b.households) {
        // Drawn for every household, so the chosen ones do not depend on the share's order.
        if (rng.next() >= share || !state) continue;
        const topic = `heatnet/room/${s.id}/${b.id}/${h.id}`;
        out.push({ topic, household: h.id, building: b.id, state });
      }
    }
  }
  return out;
}

export function buildingMeters(model: NetworkModel): Meter[] {
  const out: Meter[] = [];
  for (const s of model.topology.substations) {
    for (const b of s.buildings) {
      const state = model.substations.get(s.id)?.buildings.get(b.id);
      if (state) out.push({ topic: `heatnet/building/${s.id}/${b.id}`, state });
    }
  }
  return out;
}

/** Rooms under a `rooms-silent` fault: a household, a building, or (neither given) all. */
export function silentRooms(faults: FaultBook, nowMs: number): SilentRooms {
  const active = faults.of('rooms-silent', nowMs);
  if (active.length === 0) return NOBODY_SILENT;
  const silent: SilentRooms = { all: false, buildings: new Set(), households: new Set() };
  for (const { spec } of active) {
    if (spec.building) silent.buildings.add(spec.building);
    if (spec.household) silent.households.add(spec.household);
    if (!spec.building && !spec.household) silent.all = true;
  }
  return silent;
}
