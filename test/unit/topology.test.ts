import { describe, expect, it } from 'vitest';
import type {
  BuildingConfig,
  NetworkConfig,
  PumpConfig,
  SubstationConfig,
} from '../../src/config/schema.ts';
import { householdSpecs, Topology, zoneOfFloor } from '../../src/domain/topology.ts';

const building = (over: Partial<BuildingConfig> & Pick<BuildingConfig, 'id'>): BuildingConfig => ({
  floors: 3,
  unitsPerFloor: 2,
  areaPerUnitM2: 90,
  zones: [{ id: 'low', floors: [1, 3] }],
  ...over,
});

const pump = (id: string): PumpConfig => ({
  id,
  ratedHz: 50,
  minHz: 20,
  maxHz: 50,
  maxStepHz: 5,
});

const substation = (
  over: Partial<SubstationConfig> & Pick<SubstationConfig, 'id' | 'distanceM'>,
): SubstationConfig => ({
  source: 'P1',
  branch: 'main',
  pumps: [],
  buildings: [],
  ...over,
});

function network(substations: SubstationConfig[]): NetworkConfig {
  return {
    design: {
      outdoorC: -13,
      indoorC: 20,
      primary: { supplyC: 110, returnC: 60 },
      secondary: { supplyC: 60, returnC: 45 },
      heatLoadWPerM2: 45,
      mainDropKpaPerKm: 14,
    },
    sources: [{ id: 'P1', differentialPressureMpa: 0.08 }],
    substations,
  };
}

/**
 * Listed out of distance order on purpose. S-FAR has a 12-floor building with three zones and
 * generated households, S-NEAR explicit households, S-MID an explicit heated area.
 */
const NETWORK = network([
  substation({
    id: 'S-FAR',
    branch: 'south',
    distanceM: 4200,
    pumps: [pump('S-FAR-P1'), pump('S-FAR-P2')],
    buildings: [
      building({
        id: 'T1',
        name: 'Tower 1',
        floors: 12,
        unitsPerFloor: 2,
        areaPerUnitM2: 80,
        zones: [
          { id: 'low', floors: [1, 4] },
          { id: 'middle', floors: [5, 8] },
          { id: 'high', floors: [9, 12] },
        ],
      }),
      building({ id: 'T2', floors: 3, unitsPerFloor: 1, areaPerUnitM2: 100 }),
    ],
  }),
  substation({
    id: 'S-NEAR',
    branch: 'north',
    distanceM: 300,
    buildings: [
      building({
        id: 'H',
        floors: 4,
        areaPerUnitM2: 70,
        zones: [
          { id: 'low', floors: [1, 2] },
          { id: 'high', floors: [3, 4] },
        ],
        households: [
          { id: 'H-A', floor: 1, areaM2: 55.5 },
          { id: 'H-B', floor: 2 },
          { id: 'H-C', floor: 3, areaM2: 120 },
        ],
      }),
    ],
  }),
  substation({ id: 'S-MID', branch: 'north', distanceM: 1500, heatedAreaM2: 12345 }),
  substation({ id: 'S-TIE-B', branch: 'south', distanceM: 1500 }),
]);

const topo = new Topology(NETWORK);

describe('households', () => {
  it('generates floors × unitsPerFloor households with ids BUILDING-FFUU', () => {
    const specs = householdSpecs(building({ id: 'B7', floors: 11, unitsPerFloor: 3 }));
    expect(specs).toHaveLength(33);
    expect(specs.slice(0, 4).map((h) => h.id)).toEqual([
      'B7-0101',
      'B7-0102',
      'B7-0103',
      'B7-0201',
    ]);
    expect(specs.at(-1)).toEqual({ id: 'B7-1103', floor: 11, unit: 3, areaM2: 90 });
    expect(new Set(specs.map((h) => h.id)).size).toBe(33);
  });

  it('pads two-digit floors and units', () => {
    const specs = householdSpecs(building({ id: 'X', floors: 10, unitsPerFloor: 12 }));
    expect(specs.find((h) => h.floor === 10 && h.id.endsWith('12'))?.id).toBe('X-1012');
    expect(specs[0]?.id).toBe('X-0101');
  });

  it('uses the explicit households when given, with areaPerUnitM2 as the default area', () => {
    const h = topo.building('H')!;
    expect(h.households.map((x) => [x.id, x.floor, x.areaM2])).toEqual([
      ['H-A', 1, 55.5],
      ['H-B', 2, 70],
      ['H-C', 3, 120],
    ]);
    expect(topo.household('H-0101')).toBeUndefined();
  });

  it('puts each household in the zone of its floor', () => {
    expect(topo.household('T1-0401')?.zone).toBe('low');
    expect(topo.household('T1-0502')?.zone).toBe('middle');
    expect(topo.household('T1-0801')?.zone).toBe('middle');
    expect(topo.household('T1-0901')?.zone).toBe('high');
    expect(topo.household('T1-1202')?.zone).toBe('high');
    expect(topo.household('H-B')?.zone).toBe('low');
    expect(topo.household('H-C')?.zone).toBe('high');
  });

  it('zoneOfFloor is inclusive at both ends and undefined outside every zone', () => {
    const zones = { zones: [{ id: 'low' as const, floors: [2, 4] as [number, number] }] };
    expect(zoneOfFloor(zones, 2)).toBe('low');
    expect(zoneOfFloor(zones, 4)).toBe('low');
    expect(zoneOfFloor(zones, 1)).toBeUndefined();
    expect(zoneOfFloor(zones, 5)).toBeUndefined();
  });

  it('counts every household of the network', () => {
    // T1 12×2, T2 3×1, H three explicit.
    expect(topo.householdCount).toBe(24 + 3 + 3);
  });
});

describe('locate and zoneNeighbours', () => {
  it('locates a household with its building and substation', () => {
    const found = topo.locate('T1-0902');
    expect(found?.household).toMatchObject({
      id: 'T1-0902',
      floor: 9,
      zone: 'high',
      building: 'T1',
      substation: 'S-FAR',
      areaM2: 80,
    });
    expect(found?.building.id).toBe('T1');
    expect(found?.building.name).toBe('Tower 1');
    expect(found?.substation.id).toBe('S-FAR');
  });

  it('returns undefined for an unknown household', () => {
    expect(topo.locate('T1-1301')).toBeUndefined();
    expect(topo.locate('')).toBeUndefined();
  });

  it('lists the other households of the same building zone, not itself', () => {
    const ids = topo.zoneNeighbours('T1-0601').map((h) => h.id);
    expect(ids.sort()).toEqual([
      'T1-0501',
      'T1-0502',
      'T1-0602',
      'T1-0701',
      'T1-0702',
      'T1-0801',
      'T1-0802',
    ]);
  });

  it('does not reach into another building in the same zone', () => {
    // T2 is all "low", as is T1's bottom; neither sees the other.
    const ids = topo.zoneNeighbours('T2-0101').map((h) => h.id);
    expect(ids).toEqual(['T2-0201', 'T2-0301']);
    expect(topo.zoneNeighbours('T1-0101').every((h) => h.building === 'T1')).toBe(true);
    expect(topo.zoneNeighbours('T1-0101')).toHaveLength(4 * 2 - 1);
  });

  it('gives an empty list for a household alone in its zone, or an unknown one', () => {
    expect(topo.zoneNeighbours('H-C')).toEqual([]);
    expect(topo.zoneNeighbours('nobody')).toEqual([]);
  });
});

describe('substations, branches and areas', () => {
  it('orders substations by distance, ties by id', () => {
    expect(topo.substations.map((s) => s.id)).toEqual(['S-NEAR', 'S-MID', 'S-TIE-B', 'S-FAR']);
  });

  it('selects one branch near end first, and lists branches sorted', () => {
    expect(topo.branch('north').map((s) => s.id)).toEqual(['S-NEAR', 'S-MID']);
    expect(topo.branch('south').map((s) => s.id)).toEqual(['S-TIE-B', 'S-FAR']);
    expect(topo.branch('west')).toEqual([]);
    expect(topo.branches()).toEqual(['north', 'south']);
  });

  it('defaults heatedAreaM2 to the sum of household areas', () => {
    // T1 24 × 80 + T2 3 × 100
    expect(topo.substation('S-FAR')?.heatedAreaM2).toBe(24 * 80 + 3 * 100);
    expect(topo.building('T1')?.areaM2).toBe(24 * 80);
    expect(topo.substation('S-NEAR')?.heatedAreaM2).toBe(55.5 + 70 + 120);
  });

  it('keeps an explicit heatedAreaM2', () => {
    expect(topo.substation('S-MID')?.heatedAreaM2).toBe(12345);
  });

  it('finds pumps with their substation', () => {
    expect(topo.pump('S-FAR-P2')).toMatchObject({ id: 'S-FAR-P2', substation: 'S-FAR', maxHz: 50 });
    expect(topo.pump('S-NEAR-P1')).toBeUndefined();
    expect(topo.substation('S-FAR')?.pumps.map((p) => p.id)).toEqual(['S-FAR-P1', 'S-FAR-P2']);
  });

  it('does not alias the config: changing the config afterwards leaves the topology alone', () => {
    const config = network([
      substation({
        id: 'S1',
        distanceM: 1,
        buildings: [building({ id: 'B', floors: 2, zones: [{ id: 'low', floors: [1, 2] }] })],
      }),
    ]);
    const t = new Topology(config);
    config.substations[0]!.buildings[0]!.zones[0]!.floors[1] = 1;
    expect(t.building('B')?.zones[0]?.floors).toEqual([1, 2]);
  });
});
