import { describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../simulators/faults.ts';
import { FaultBook } from '../../simulators/faults.ts';
import { NetworkModel } from '../../simulators/model/network-model.ts';
import { groundTruth } from '../../simulators/model/truth.ts';
import { FaultChecker } from '../../simulators/scenario.ts';
import { DAY, HOUR, steadyDemoConfig } from '../support/balance-harness.ts';

/**
 * The two fault types of issue 10 (DESIGN §4.6): a riser zone starved of circulation,
 * and heat to a building or a substation stopped. The demo network under steady
 * weather, stepped directly; every fault starts after a settled day.
 */
const START = Date.parse('2026-01-10T00:00:00Z');

function model(faults: FaultSpec[], outdoorC = -5): NetworkModel {
  const config = steadyDemoConfig(outdoorC);
  config.simulation.faults = faults;
  const m = new NetworkModel(config, START);
  m.advanceTo(START + DAY);
  return m;
}

const at = (m: NetworkModel, hours: number) => m.advanceTo(START + DAY + hours * HOUR);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function zoneDrift(m: NetworkModel, building: string, zone: string): number[] {
  return m.topology
    .building(building)!
    .households.filter((h) => h.zone === zone)
    .map((h) => m.households.parts(h.id)!.zoneK);
}

describe('zone-starved', () => {
  const starved = (factor?: number): FaultSpec => ({
    type: 'zone-starved',
    building: 'S05-B1',
    zone: 'high',
    at: '+24h',
    until: '+48h',
    id: 'z1',
    ...(factor === undefined ? {} : { factor }),
  });

  it('drifts the zone 6–9 K below its building at −5 °C, in hours, and leaves its other zones alone', () => {
    const m = model([starved()]);
    at(m, 3);
    const afterLag = mean(zoneDrift(m, 'S05-B1', 'high'));
    at(m, 18);
    const settledDrift = mean(zoneDrift(m, 'S05-B1', 'high'));
    // Three hours is one time constant: about 63 % of the way.
    expect(afterLag / settledDrift).toBeGreaterThan(0.55);
    expect(afterLag / settledDrift).toBeLessThan(0.7);
    expect(settledDrift).toBeLessThan(-6);
    expect(settledDrift).toBeGreaterThan(-9);
    expect(zoneDrift(m, 'S05-B1', 'low').every((k) => k === 0)).toBe(true);
    expect(zoneDrift(m, 'S05-B1', 'middle').every((k) => k === 0)).toBe(true);
  });

  it('follows the physics: more circulation kept, less deficit; a colder day, more', () => {
    const deficit = (factor: number | undefined, outdoorC: number) => {
      const m = model([starved(factor)], outdoorC);
      at(m, 18);
      return -mean(zoneDrift(m, 'S05-B1', 'high'));
    };
    const standard = deficit(undefined, -5);
    // −(1 − factor)·k·(indoor − outdoor): 0.2/0.7 of the default's deficit at factor 0.8.
    expect(deficit(0.8, -5) / standard).toBeCloseTo(0.2 / 0.7, 1);
    expect(deficit(undefined, -12)).toBeGreaterThan(standard + 1);
  });

  it('recovers after `until`, and the drift is the only difference in the flats', () => {
    const m = model([starved()]);
    at(m, 24 + 6);
    // Two time constants after the end: 1/e² of the deficit left.
    expect(mean(zoneDrift(m, 'S05-B1', 'high'))).toBeGreaterThan(-1.2);
    at(m, 24 + 24);
    expect(Math.max(...zoneDrift(m, 'S05-B1', 'high').map(Math.abs))).toBe(0);
    const clean = model([]);
    at(clean, 24 + 24);
    expect(m.substations.get('S05')!.buildings.get('S05-B1')!.indoorC).toBeCloseTo(
      clean.substations.get('S05')!.buildings.get('S05-B1')!.indoorC,
      6,
    );
  });
});

describe('supply-stop of a building', () => {
  it('takes its flow and heat away; it cools with its own time constant, the others keep heat', () => {
    const m = model([{ type: 'supply-stop', building: 'S06-B1', at: '+24h', until: '+44h' }]);
    const outdoor = m.outdoorC();
    const s06 = m.substations.get('S06')!;
    const before = s06.buildings.get('S06-B1')!.indoorC;
    at(m, 16);
    const b1 = s06.buildings.get('S06-B1')!;
    expect(b1.flowM3h).toBe(0);
    expect(b1.heatKw).toBe(0);
    // One 16 h time constant: about 37 % of its excess over outdoor is left (plus gains).
    const left = (b1.indoorC - outdoor) / (before - outdoor);
    expect(left).toBeGreaterThan(0.3);
    expect(left).toBeLessThan(0.45);
    expect(s06.buildings.get('S06-B2')!.heatKw).toBeGreaterThan(0);
    expect(s06.buildings.get('S06-B2')!.indoorC).toBeGreaterThanOrEqual(before - 1);
    at(m, 16 + 36);
    expect(s06.buildings.get('S06-B1')!.indoorC).toBeGreaterThan(before - 1.5);
  });
});

describe('supply-stop of a substation', () => {
  const stopped = () =>
    model([{ type: 'supply-stop', substation: 'S08', at: '+24h', until: '+36h', id: 'stop' }]);

  it('stops its primary flow and its heat; its secondary falls toward the rooms', () => {
    const m = stopped();
    const design = m.designs.get('S08')!;
    at(m, 10);
    const s08 = groundTruth(m).substations.find((s) => s.id === 'S08')!;
    expect(s08.actualFlowM3h).toBeLessThan(0.01 * design.primaryFlowM3h);
    expect(s08.actualHeatKw).toBe(0);
    const warmest = Math.max(
      ...[...m.substations.get('S08')!.buildings.values()].map((b) => b.indoorC),
    );
    expect(s08.secondarySupplyC).toBeLessThan(warmest + 2);
    expect(s08.indoorMeanC).toBeLessThan(12);
  });

  it('leaves the other stations’ hydraulics sane: mass balance, finite flows, a little more for each', () => {
    const clean = model([]);
    const m = stopped();
    at(clean, 10);
    at(m, 10);
    const truth = groundTruth(m);
    const base = groundTruth(clean);
    const drawn = truth.substations.reduce((sum, s) => sum + s.actualFlowM3h, 0);
    expect(truth.plantFlowM3h).toBeCloseTo(drawn, 6);
    for (const s of truth.substations.filter((x) => x.id !== 'S08')) {
      const was = base.substations.find((x) => x.id === s.id)!;
      expect(Number.isFinite(s.actualFlowM3h)).toBe(true);
      expect(s.actualFlowM3h).toBeGreaterThanOrEqual(was.actualFlowM3h - 1e-6);
      expect(s.actualFlowM3h).toBeLessThan(was.actualFlowM3h * 1.25);
    }
  });

  it('comes back after `until`: its flow returns to what it was', () => {
    const clean = model([]);
    const m = stopped();
    at(clean, 14);
    at(m, 14);
    const flow = (x: NetworkModel) => x.hydraulicState().flowM3h.get('S08')!;
    expect(flow(m)).toBeCloseTo(flow(clean), 3);
  });
});

describe('checking the new faults', () => {
  const checker = new FaultChecker(steadyDemoConfig());
  const messages = (spec: unknown) => checker.check(spec).map((i) => `${i.path}: ${i.message}`);

  it('accepts well-formed ones', () => {
    expect(messages({ type: 'zone-starved', building: 'S05-B1', zone: 'high' })).toEqual([]);
    expect(messages({ type: 'zone-starved', building: 'S05-B1', zone: 'low', factor: 0 })).toEqual(
      [],
    );
    expect(messages({ type: 'supply-stop', building: 'S06-B1', at: '+1h' })).toEqual([]);
    expect(messages({ type: 'supply-stop', substation: 'S08', until: '+5h' })).toEqual([]);
  });

  it('says clearly that a supply stop names exactly one of building or substation', () => {
    const both = { type: 'supply-stop', building: 'S06-B1', substation: 'S06' };
    expect(messages(both)).toEqual([': give exactly one of building or substation']);
    expect(messages({ type: 'supply-stop' })).toEqual([
      ': give exactly one of building or substation',
    ]);
    expect(() => new FaultBook(START).add({ type: 'supply-stop' })).toThrow(
      'supply-stop: give exactly one of building or substation',
    );
  });

  it('refuses an unknown building, a zone the building lacks, a bad zone word or factor', () => {
    expect(messages({ type: 'zone-starved', building: 'S99-B1', zone: 'high' })).toEqual([
      'building: unknown building "S99-B1"',
    ]);
    // S01-B1 is a five-storey block: one zone only.
    expect(messages({ type: 'zone-starved', building: 'S01-B1', zone: 'high' })).toEqual([
      'zone: building "S01-B1" has no zone "high"',
    ]);
    expect(messages({ type: 'zone-starved', building: 'S05-B1', zone: 'top' }).length).toBe(1);
    expect(
      messages({ type: 'zone-starved', building: 'S05-B1', zone: 'high', factor: 1 }).length,
    ).toBe(1);
    expect(messages({ type: 'supply-stop', substation: 'S99' })).toEqual([
      'substation: unknown substation "S99"',
    ]);
  });
});
