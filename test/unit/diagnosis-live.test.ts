import { describe, expect, it } from 'vitest';
import type { BalanceResult } from '../../src/balance/types.ts';
import { createLiveDiagnoser } from '../../src/complaints/live-diagnoser.ts';
import type { Reading } from '../../src/core/reading.ts';
import { runInSlices } from '../../src/core/slices.ts';
import { Topology } from '../../src/domain/topology.ts';
import { LiveState } from '../../src/state/live-state.ts';
import { steadyDemoConfig } from '../support/balance-harness.ts';

/** The live diagnoser reads rooms, meters and the evaluation from what ingest keeps. */
const config = steadyDemoConfig();
const topology = new Topology(config.network);
const AT = Date.parse('2026-01-10T08:00:00Z');

function readings(caller: string, callerC: number, flowOf: (b: string) => number): Reading[] {
  const out: Reading[] = [];
  for (const b of topology.substation('S01')!.buildings) {
    out.push({
      measurement: 'building',
      tags: { substation: 'S01', building: b.id },
      fields: { supply_temp_c: 55, return_temp_c: 42, flow_m3h: flowOf(b.id), heat_power_kw: 150 },
      time: AT - 60_000,
    });
    for (const h of b.households) {
      out.push({
        measurement: 'room',
        tags: { substation: 'S01', building: b.id, zone: h.zone, household: h.id },
        fields: { temp_c: h.id === caller ? callerC : 20.4 },
        time: AT - 300_000,
      });
    }
  }
  return out;
}

const evaluation: BalanceResult = {
  evaluatedAt: AT - 60_000,
  outdoorTempC: -5,
  gradient: { slopeCPerKm: null, r2: null, stations: 0 },
  counts: { overheating: 0, underheating: 0, normal: 0, 'no-data': 0 },
  substations: [],
  network: [],
};

describe('the live diagnoser over the live state', () => {
  it('diagnoses a cold flat among warm neighbours as the household', () => {
    const state = new LiveState();
    state.apply(readings('S01-B2-0602', 14.2, (b) => topology.building(b)!.areaM2 / 1000));
    const diagnoser = createLiveDiagnoser({ config, topology, state, balance: () => evaluation });
    const d = diagnoser.diagnose({ household: 'S01-B2-0602', category: 'low-temperature', at: AT });
    expect(d).toMatchObject({ level: 'household', place: 'S01-B2-0602' });
    expect(d.evidence[0]).toMatchObject({ what: 'room-temp', value: 14.2, at: AT - 300_000 });
    expect(d.missing).toEqual(['evaluation of S01']);
    expect(diagnoser.findings(AT)).toEqual([]);
  });

  it('finds a building whose meter shows it starved, before anyone calls', () => {
    const state = new LiveState();
    state.apply(
      readings('none', 20, (b) => (b === 'S01-B2' ? 0.5 : topology.building(b)!.areaM2 / 1000)),
    );
    const diagnoser = createLiveDiagnoser({ config, topology, state, balance: () => evaluation });
    const found = diagnoser.findings(AT);
    expect(found.map((f) => `${f.level}:${f.place}:${f.cause}`)).toEqual([
      'building:S01-B2:branch-restriction',
    ]);
    expect(found[0]!.action).toMatchObject({ who: 'crew', code: 'check-branch-valve' });
  });

  it('gives the same findings station by station, for a sweep run in slices (issue 10 perf)', async () => {
    const state = new LiveState();
    state.apply(
      readings('none', 20, (b) => (b === 'S01-B2' ? 0.5 : topology.building(b)!.areaM2 / 1000)),
    );
    const diagnoser = createLiveDiagnoser({ config, topology, state, balance: () => evaluation });
    const steps = diagnoser.findingSteps!(AT);
    let yields = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) yields++;
    expect(yields).toBe(topology.substations.length);
    expect(step.value).toEqual(diagnoser.findings(AT));
    expect(await runInSlices(diagnoser.findingSteps!(AT), { sliceMs: 0 })).toEqual(step.value);
  });
});
