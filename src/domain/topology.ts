import type {
  BuildingConfig,
  NetworkConfig,
  PumpConfig,
  SubstationConfig,
} from '../config/schema.ts';

/**
 * The network as the company digitises it (seed 000: "from area to line, line to
 * district, district to building, building to each household"): source →
 * substations along a branch of the main → buildings → zones (floor ranges) →
 * households. Pure data and lookups; built once from the configuration.
 */

export type ZoneId = 'low' | 'middle' | 'high';

export interface Household {
  id: string;
  floor: number;
  /** Door number on its floor (the address a caller gives); absent when the config has none. */
  unit?: number;
  areaM2: number;
  zone: ZoneId;
  building: string;
  substation: string;
}

export interface Building {
  id: string;
  name?: string;
  substation: string;
  floors: number;
  zones: { id: ZoneId; floors: [number, number] }[];
  households: Household[];
  areaM2: number;
}

export interface Pump extends PumpConfig {
  substation: string;
}

export interface Substation {
  id: string;
  name?: string;
  source: string;
  branch: string;
  distanceM: number;
  heatedAreaM2: number;
  designFlowM3h?: number;
  pumps: Pump[];
  buildings: Building[];
}

type HouseholdSpec = { id: string; floor: number; unit?: number; areaM2: number };

/** Households of a building: the explicit list, or floors × unitsPerFloor with ids BUILDING-FFUU. */
export function householdSpecs(b: BuildingConfig): HouseholdSpec[] {
  if (b.households) {
    return b.households.map((h) => ({ ...h, areaM2: h.areaM2 ?? b.areaPerUnitM2 }));
  }
  const out: HouseholdSpec[] = [];
  for (let floor = 1; floor <= b.floors; floor++) {
    for (let unit = 1; unit <= b.unitsPerFloor; unit++) {
      // Joined, not a template: a template's pieces stay behind a kept string (250,000 ids).
      const id = [b.id, '-', String(floor).padStart(2, '0'), String(unit).padStart(2, '0')].join(
        '',
      );
      out.push({ id, floor, unit, areaM2: b.areaPerUnitM2 });
    }
  }
  return out;
}

export function zoneOfFloor(b: Pick<BuildingConfig, 'zones'>, floor: number): ZoneId | undefined {
  return b.zones.find((z) => floor >= z.floors[0] && floor <= z.floors[1])?.id;
}

function buildBuilding(b: BuildingConfig, substation: string): Building {
  const households = householdSpecs(b).map((h): Household => {
    // The config is cross-checked before a topology is built, so every floor has a zone.
    const zone = zoneOfFloor(b, h.floor) ?? 'low';
    const { id, floor, unit, areaM2 } = h;
    // Literals, not a spread: a spread object keeps the added properties in a second
    // object, and 250,000 households are marked on every major GC (issue 10).
    return unit === undefined
      ? { id, floor, areaM2, zone, building: b.id, substation }
      : { id, floor, unit, areaM2, zone, building: b.id, substation };
  });
  return {
    id: b.id,
    ...(b.name === undefined ? {} : { name: b.name }),
    substation,
    floors: b.floors,
    zones: b.zones.map((z) => ({ id: z.id, floors: [z.floors[0], z.floors[1]] })),
    households,
    areaM2: households.reduce((sum, h) => sum + h.areaM2, 0),
  };
}

function buildSubstation(s: SubstationConfig): Substation {
  const buildings = s.buildings.map((b) => buildBuilding(b, s.id));
  const area = buildings.reduce((sum, b) => sum + b.areaM2, 0);
  return {
    id: s.id,
    ...(s.name === undefined ? {} : { name: s.name }),
    source: s.source,
    branch: s.branch,
    distanceM: s.distanceM,
    heatedAreaM2: s.heatedAreaM2 ?? area,
    ...(s.designFlowM3h === undefined ? {} : { designFlowM3h: s.designFlowM3h }),
    pumps: s.pumps.map((p) => ({ ...p, substation: s.id })),
    buildings,
  };
}

export class Topology {
  /** Substations ordered by distance from their source (near end first). */
  readonly substations: readonly Substation[];
  private readonly substationById = new Map<string, Substation>();
  private readonly buildingById = new Map<string, Building>();
  private readonly householdById = new Map<string, Household>();
  private readonly pumpById = new Map<string, Pump>();

  constructor(network: NetworkConfig) {
    this.substations = network.substations
      .map(buildSubstation)
      .sort((a, b) => a.distanceM - b.distanceM || a.id.localeCompare(b.id));
    for (const s of this.substations) {
      this.substationById.set(s.id, s);
      for (const p of s.pumps) this.pumpById.set(p.id, p);
      for (const b of s.buildings) {
        this.buildingById.set(b.id, b);
        for (const h of b.households) this.householdById.set(h.id, h);
      }
    }
  }

  substation(id: string): Substation | undefined {
    return this.substationById.get(id);
  }

  building(id: string): Building | undefined {
    return this.buildingById.get(id);
  }

  household(id: string): Household | undefined {
    return this.householdById.get(id);
  }

  /** The household at an address (building, floor, door number), as a caller gives it. */
  householdAt(building: string, floor: number, unit: number): Household | undefined {
    return this.buildingById
      .get(building)
      ?.households.find((h) => h.floor === floor && h.unit === unit);
  }

  pump(id: string): Pump | undefined {
    return this.pumpById.get(id);
  }

  /** household → zone → building → substation, in one step. */
  locate(
    householdId: string,
  ): { household: Household; building: Building; substation: Substation } | undefined {
    const household = this.householdById.get(householdId);
    if (!household) return undefined;
    const building = this.buildingById.get(household.building)!;
    const substation = this.substationById.get(household.substation)!;
    return { household, building, substation };
  }

  /** Other households of the same building zone: the first thing a repair crew checks. */
  zoneNeighbours(householdId: string): Household[] {
    const h = this.householdById.get(householdId);
    if (!h) return [];
    const building = this.buildingById.get(h.building)!;
    return building.households.filter((o) => o.zone === h.zone && o.id !== h.id);
  }

  /** Substations of one branch, near end first. */
  branch(name: string): Substation[] {
    return this.substations.filter((s) => s.branch === name);
  }

  branches(): string[] {
    return [...new Set(this.substations.map((s) => s.branch))].sort();
  }

  get householdCount(): number {
    return this.householdById.size;
  }
}
