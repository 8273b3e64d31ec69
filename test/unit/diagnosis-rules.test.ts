import { describe, expect, it } from 'vitest';
import type { SubstationBalance } from '../../src/balance/types.ts';
import { diagnose } from '../../src/diagnosis/diagnose.ts';
import { findings } from '../../src/diagnosis/findings.ts';
import { stationNeighbours } from '../../src/diagnosis/station.ts';
import type { DiagnosisView, MeterReading, RoomReading } from '../../src/diagnosis/view.ts';
import { Topology } from '../../src/domain/topology.ts';
import { steadyDemoConfig } from '../support/balance-harness.ts';

/**
 * The checklist's rules one level at a time, on the demo network with readings set by
 * hand: S01-B2 has three zones (low 1–4, middle 5–8, high 9–13), three flats a floor.
 */
const config = steadyDemoConfig();
const topology = new Topology(config.network);
const neighbours = stationNeighbours(topology);
const AT = Date.parse('2026-01-10T08:00:00Z');
const MIN = 60_000;

function station(id: string, over: Partial<SubstationBalance> = {}): SubstationBalance {
  return {
    id,
    branch: 'north',
    distanceM: 1000,
    position: 'middle',
    status: 'normal',
    rawStatus: 'normal',
    basis: 'rooms',
    flag: null,
    anomaly: null,
    deviationC: 0,
    referenceSupplyC: 55,
    referenceReturnC: 42,
    flowRatio: 1,
    equilibriumIndoorC: 20,
    indoorMeanC: 20,
    coldShare: 0,
    roomsReporting: 10,
    roomsOutliers: 0,
    suspectSensors: [],
    heatIndex: 1,
    recommendation: null,
    ...over,
  };
}

interface Setup {
  /** Room temperature by household; every other household of S01 reads 20 °C unless `silent`. */
  rooms?: Record<string, number>;
  silent?: boolean;
  roomAgeMin?: number;
  meters?: Record<string, Partial<MeterReading>>;
  stations?: Record<string, Partial<SubstationBalance>>;
  noEvaluation?: boolean;
}

function view(setup: Setup = {}): DiagnosisView {
  const roomsOf = (building: string): RoomReading[] =>
    topology.building(building)!.households.flatMap((h) => {
      const t = setup.rooms?.[h.id] ?? (setup.silent ? undefined : 20);
      return t === undefined
        ? []
        : [{ household: h.id, tempC: t, at: AT - (setup.roomAgeMin ?? 5) * MIN }];
    });
  return {
    at: AT,
    topology,
    settings: config.service.diagnosis,
    minC: 18,
    targetC: 20,
    flowRatioLow: 0.85,
    rooms: roomsOf,
    eachRoom: (b, visit) => {
      for (const r of roomsOf(b)) visit(r.household, r.zone, r.tempC, r.at);
    },
    meter: (b) => {
      const area = topology.building(b)!.areaM2;
      const m = setup.meters?.[b];
      return {
        supplyC: 55,
        returnC: 42,
        flowM3h: area / 1000,
        heatKw: area * 0.04,
        at: AT - MIN,
        ...m,
      };
    },
    plc: () => undefined,
    station: (s) => (setup.noEvaluation ? undefined : station(s, setup.stations?.[s])),
    evaluatedAt: setup.noEvaluation ? null : AT - 2 * MIN,
    network: [],
  };
}

const ask = (
  v: DiagnosisView,
  household: string,
  category: 'low-temperature' | 'billing' | 'leak' = 'low-temperature',
) => diagnose(v, { household, category, at: AT }, neighbours);

/** Every flat of S01-B2 on floors [from, to] at `t`. */
function floors(from: number, to: number, t: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of topology.building('S01-B2')!.households)
    if (h.floor >= from && h.floor <= to) out[h.id] = t;
  return out;
}

/** The building 1.5 K below target and the caller a little colder: the building's shortfall is the larger. */
const coolBuilding = { ...floors(1, 13, 18.5), 'S01-B2-0602': 17.5 };

describe('diagnose: the checklist from the flat outwards', () => {
  it('a warm flat among warm neighbours contradicts the call: none, send someone to measure', () => {
    const d = ask(view({ rooms: { 'S01-B2-0602': 20.5 } }), 'S01-B2-0602');
    expect(d).toMatchObject({
      level: 'none',
      cause: 'room-warm',
      action: { code: 'measure-room' },
    });
    expect(d.evidence[0]).toMatchObject({ what: 'room-temp', where: 'S01-B2-0602', value: 20.5 });
  });

  it('a flat far below its warm zone: household, a visit to bleed the radiators', () => {
    const d = ask(view({ rooms: { 'S01-B2-0602': 13.5 } }), 'S01-B2-0602');
    expect(d).toMatchObject({
      level: 'household',
      cause: 'household-restriction',
      place: 'S01-B2-0602',
    });
    expect(d.action).toMatchObject({ who: 'service', code: 'visit-household' });
    expect(d.confidence).toBeGreaterThanOrEqual(0.8);
    expect(d.action.what.zh).toMatch(/排气/);
  });

  it('the high zone cold while low and middle are warm: zone circulation', () => {
    const d = ask(view({ rooms: floors(9, 13, 16) }), 'S01-B2-1001');
    expect(d).toMatchObject({ level: 'zone', cause: 'zone-circulation', place: 'S01-B2/high' });
    expect(d.action.code).toBe('check-riser');
  });

  it('a zone far below the others, even above the minimum: starved (zoneDeviationK)', () => {
    const rooms = { ...floors(1, 8, 23), ...floors(9, 13, 18.6), 'S01-B2-1001': 18.2 };
    const d = ask(view({ rooms }), 'S01-B2-1001');
    expect(d).toMatchObject({ level: 'zone', place: 'S01-B2/high' });
  });

  it('a building meter far below its share of the substation: branch restriction', () => {
    const d = ask(
      view({ rooms: coolBuilding, meters: { 'S01-B2': { flowM3h: 0.8 } } }),
      'S01-B2-0602',
    );
    expect(d).toMatchObject({ level: 'building', cause: 'branch-restriction', place: 'S01-B2' });
    expect(d.action).toMatchObject({ who: 'crew', code: 'check-branch-valve', target: 'S01-B2' });
    expect(d.evidence.map((e) => e.what)).toContain('building-flow-share');
  });

  it('a flat further below its building than the building is below target: the flat, despite the station', () => {
    const anomaly = { cause: 'pump-stopped' as const, evidence: ['S01-P1 not running'] };
    const rooms = { ...floors(1, 13, 19.5), 'S01-B2-0602': 16.5 };
    const d = ask(view({ rooms, stations: { S01: { anomaly } } }), 'S01-B2-0602');
    expect(d).toMatchObject({ level: 'household', place: 'S01-B2-0602' });
  });

  it('a building meter at zero flow: heat stopped', () => {
    const d = ask(
      view({ rooms: coolBuilding, meters: { 'S01-B2': { flowM3h: 0, heatKw: 0 } } }),
      'S01-B2-0602',
    );
    expect(d).toMatchObject({
      level: 'building',
      cause: 'heat-stopped',
      action: { code: 'restore-heat' },
    });
  });

  it('a stopped pump at the substation explains the cold flat before its neighbours cool', () => {
    const anomaly = { cause: 'pump-stopped' as const, evidence: ['S01-P1 not running'] };
    const d = ask(
      view({ rooms: coolBuilding, stations: { S01: { anomaly, flowRatio: 0.4 } } }),
      'S01-B2-0602',
    );
    expect(d).toMatchObject({ level: 'substation', cause: 'pump-fault', place: 'S01' });
    expect(d.action).toMatchObject({ who: 'crew', code: 'check-pump' });
  });

  it('far-end underheating: network, the dispatcher raises the pump by the engine', () => {
    const recommendation = {
      pump: 'S01-P1',
      action: 'raise' as const,
      currentHz: 40,
      targetHz: 45,
      expectedFlowRatio: 0.9,
      limitedBy: null,
      reason: 'short of flow',
    };
    const stations = {
      S01: {
        flag: 'far-end-underheating' as const,
        status: 'underheating' as const,
        flowRatio: 0.7,
        recommendation,
      },
    };
    const d = ask(view({ rooms: coolBuilding, stations }), 'S01-B2-0602');
    expect(d).toMatchObject({ level: 'network', cause: 'hydraulic-imbalance' });
    expect(d.action).toMatchObject({
      who: 'dispatcher',
      code: 'raise-pump',
      target: 'S01-P1',
      fromHz: 40,
      toHz: 45,
    });
    expect(d.action.what.en).toBe('raise S01-P1 40 → 45 Hz');
  });

  it('no rooms, no meter, no evaluation: unknown, naming what is missing', () => {
    const v = view({ silent: true, noEvaluation: true });
    const d = ask({ ...v, meter: () => undefined }, 'S01-B2-0602');
    expect(d).toMatchObject({ level: 'unknown', cause: 'insufficient-data', confidence: 0 });
    expect(d.missing).toEqual(
      expect.arrayContaining([
        'room sensor of S01-B2-0602',
        'heat meter of S01-B2',
        'evaluation of S01',
      ]),
    );
  });

  it('stale room readings are not evidence', () => {
    const d = ask(view({ rooms: { 'S01-B2-0602': 21 }, roomAgeMin: 120 }), 'S01-B2-0602');
    expect(d.level).toBe('unknown');
    expect(d.missing).toContain('room sensor of S01-B2-0602');
  });

  it('calls about other things are not heating faults; a leak sends a crew', () => {
    expect(ask(view(), 'S01-B2-0602', 'billing')).toMatchObject({
      level: 'none',
      cause: 'not-a-heating-fault',
      action: { code: 'answer-caller' },
    });
    expect(ask(view(), 'S01-B2-0602', 'leak')).toMatchObject({
      level: 'household',
      cause: 'leak',
      action: { code: 'find-leak' },
    });
  });

  it("the caller's own reading is recorded as evidence, not weighed", () => {
    const v = view({ rooms: { 'S01-B2-0602': 20.5 } });
    const d = diagnose(
      v,
      { household: 'S01-B2-0602', category: 'no-heat', reportedTempC: 12, at: AT },
      neighbours,
    );
    expect(d.level).toBe('none');
    expect(d.evidence[0]).toMatchObject({ what: 'reported-temp', value: 12, unit: '°C', at: AT });
  });

  it('an unknown household is unknown, naming it', () => {
    expect(ask(view(), 'NOPE').missing).toEqual(['household NOPE']);
  });
});

describe('findings: the sweep for faults nobody called about', () => {
  it('finds nothing on a healthy network', () => {
    expect(findings(view(), neighbours)).toEqual([]);
  });

  it('one finding per faulty place, the station before its buildings and zones', () => {
    const anomaly = { cause: 'leak' as const, evidence: ['make-up water 3 m³/h'] };
    const v = view({
      rooms: floors(9, 13, 16),
      stations: { S05: { anomaly } },
      meters: { 'S02-B4': { flowM3h: 1.5 } },
    });
    const found = findings(v, neighbours).map((f) => `${f.level}:${f.place}:${f.cause}`);
    expect(found.sort()).toEqual([
      'building:S02-B4:branch-restriction',
      'substation:S05:leak',
      'zone:S01-B2/high:zone-circulation',
    ]);
  });
});
