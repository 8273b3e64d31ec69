import { describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../simulators/faults.ts';
import { type HouseholdCause, householdCauses } from '../../simulators/model/causes.ts';
import { NetworkModel } from '../../simulators/model/network-model.ts';
import { householdTruth } from '../../simulators/model/truth.ts';
import { DAY, HOUR, steadyDemoConfig } from '../support/balance-harness.ts';

/**
 * Ground truth per household (issue 10): the level and cause each household's
 * temperature really has, which the diagnosis is scored against. Hand-made cases on the
 * demo network at −5 °C under uniform pumps (near end warm, far end cold).
 */
const START = Date.parse('2026-01-10T00:00:00Z');

function run(faults: FaultSpec[], hours: number, offsetK = 0) {
  const config = steadyDemoConfig();
  config.simulation.faults = faults;
  const model = new NetworkModel(config, START);
  model.setSupplyOffset(offsetK);
  model.advanceTo(START + DAY + hours * HOUR);
  return { model, causes: householdCauses(model) };
}

const FAULTS: FaultSpec[] = [
  { type: 'household-blockage', household: 'S05-B3-0302', at: '+24h', id: 'block' },
  { type: 'zone-starved', building: 'S05-B1', zone: 'high', at: '+24h', id: 'zone' },
  { type: 'pump-trip', pump: 'S11-P1', at: '+24h', id: 'trip' },
  { type: 'leak', substation: 'S22', at: '+24h', id: 'leak' },
  { type: 'strainer-clog', substation: 'S10', at: '+24h', id: 'clog' },
  { type: 'supply-stop', substation: 'S10', at: '+24h', id: 'stop-s10' },
  { type: 'supply-stop', building: 'S06-B1', at: '+24h', id: 'stop-b' },
  { type: 'branch-clog', building: 'S07-B1', factor: 0.1, at: '+24h', id: 'branch' },
  { type: 'hx-fouling', substation: 'S09', severity: 0.9, at: '+24h', id: 'foul' },
];
const { model, causes } = run(FAULTS, 18);

/** Cold households of a building, or of a substation (a prefix), with their causes. */
function cold(prefix: string): HouseholdCause[] {
  return [...causes]
    .filter(([id, c]) => id.startsWith(prefix) && c.level !== 'none')
    .map(([, c]) => c);
}

const triple = (c: HouseholdCause) => `${c.level}/${c.cause}/${c.fault}`;

describe('householdCauses', () => {
  it('names every household, with its true temperature', () => {
    const truth = householdTruth(model);
    expect(causes.size).toBe(truth.length);
    for (const h of truth) expect(causes.get(h.id)!.tempC).toBeCloseTo(h.tempC, 9);
  });

  it('calls a household at or above the minimum warm, whatever faults are around', () => {
    const minC = model.config.standards.indoor.minC;
    for (const c of causes.values()) {
      expect(c.tempC >= minC).toBe(c.level === 'none');
      if (c.level === 'none') expect([c.cause, c.fault]).toEqual(['room-warm', null]);
    }
    // The near end is overheated at uniform pumps: almost all warm.
    const s01 = [...causes].filter(([id]) => id.startsWith('S01-'));
    expect(s01.filter(([, c]) => c.level === 'none').length / s01.length).toBeGreaterThan(0.9);
  });

  it('blames a blocked radiator on the household and a starved zone on the zone', () => {
    expect(triple(causes.get('S05-B3-0302')!)).toBe('household/household-restriction/block');
    const high = model.topology.building('S05-B1')!.households.filter((h) => h.zone === 'high');
    for (const h of high) expect(triple(causes.get(h.id)!)).toBe('zone/zone-circulation/zone');
  });

  it('blames a stopped substation before its clogged strainer (outermost first)', () => {
    const s10 = cold('S10-');
    expect(s10.length).toBe(
      model.topology.substation('S10')!.buildings.flatMap((b) => b.households).length,
    );
    expect(new Set(s10.map(triple))).toEqual(new Set(['substation/heat-stopped/stop-s10']));
  });

  it('blames substation faults with their own cause', () => {
    expect(new Set(cold('S11-').map(triple))).toEqual(new Set(['substation/pump-fault/trip']));
    expect(new Set(cold('S09-').map(triple))).toContain('substation/heat-exchanger/foul');
  });

  it('blames a building’s stopped supply and its clogged branch on the building', () => {
    expect(new Set(cold('S06-B1-').map(triple))).toEqual(new Set(['building/heat-stopped/stop-b']));
    expect(new Set(cold('S07-B1-').map(triple))).toContain('building/branch-restriction/branch');
    expect(cold('S07-B1-').length).toBeGreaterThan(10);
  });

  it('never blames a leak: a leaking far-end station is cold from the network gradient', () => {
    const s22 = cold('S22-');
    expect(s22.length).toBeGreaterThan(10);
    expect(s22.some((c) => c.fault === 'leak' || c.cause === 'leak')).toBe(false);
    expect(s22.filter((c) => c.level === 'network').length / s22.length).toBeGreaterThan(0.8);
    expect(new Set(s22.filter((c) => c.level === 'network').map(triple))).toEqual(
      new Set(['network/hydraulic-imbalance/null']),
    );
  });

  it('blames a cold top-floor flat in a warm building on the flat, with no fault', () => {
    const statics = [...causes].filter(
      ([, c]) => triple(c) === 'household/household-restriction/null',
    );
    expect(statics.length).toBeGreaterThan(0);
    for (const [id] of statics) {
      const parts = model.households.parts(id)!;
      const h = model.topology.household(id)!;
      const buildingDeficit =
        model.config.standards.indoor.targetC - model.buildingIndoorC(h.building);
      expect(-parts.offsetK).toBeGreaterThan(buildingDeficit);
      expect(parts.faultK).toBe(0);
    }
  });

  it('blames a plant below its heating curve on supply temperature where the flow is there', () => {
    const low = run([], 18, -25);
    const near = [...low.causes].filter(
      ([id, c]) => id.startsWith('S01-') && c.level === 'network',
    );
    expect(near.length).toBeGreaterThan(0);
    expect(new Set(near.map(([, c]) => c.cause))).toEqual(new Set(['supply-temperature-low']));
    // Far stations lack flow as well: the imbalance is what the dispatcher can fix first.
    const far = [...low.causes].filter(([id, c]) => id.startsWith('S11-') && c.level === 'network');
    expect(new Set(far.map(([, c]) => c.cause))).toEqual(new Set(['hydraulic-imbalance']));
  });

  it('keeps blaming an ended fault while its buildings warm back up, then lets go', () => {
    const trip: FaultSpec = {
      type: 'pump-trip',
      pump: 'S12-P1',
      at: '+24h',
      until: '+36h',
      id: 'trip',
    };
    const during = run([trip], 14).causes;
    const s12 = (c: Map<string, HouseholdCause>) =>
      [...c]
        .filter(([id, x]) => id.startsWith('S12-') && x.level !== 'none')
        .map(([, x]) => x.fault);
    // Two hours after the pump is back: most of the station still cold, from the trip.
    const blamed = s12(during).filter((f) => f === 'trip').length;
    expect(blamed).toBeGreaterThan(0.8 * s12(during).length);
    expect(s12(run([trip], 48).causes)).not.toContain('trip');
  });
});
