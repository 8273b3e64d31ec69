/**
 * Diagnosis at scale (issue 10): the findings sweep that runs after every evaluation, and
 * one complaint's diagnosis, on the scale network of scripts/generate-scale-config.ts
 * (1,000 substations, 5,000 buildings, 250,000 households, every one with a room sensor).
 *
 *   npx tsx bench/diagnosis.ts [--sweeps 20] [--complaints 2000]
 *
 * The live state holds what the service holds: each room's latest reading (with the zone
 * tag), each building meter's and each PLC's. The evaluation is a healthy one with three
 * faults planted — a stopped pump, a starved building branch, a cold high zone — which the
 * sweep must find, and nothing else.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { BalanceResult, SubstationBalance } from '../src/balance/types.ts';
import { createLiveDiagnoser } from '../src/complaints/live-diagnoser.ts';
import { parseConfig } from '../src/config/load.ts';
import type { Reading } from '../src/core/reading.ts';
import type { Diagnoser } from '../src/diagnosis/diagnoser.ts';
import { Topology } from '../src/domain/topology.ts';
import { LiveState } from '../src/state/live-state.ts';

const { values } = parseArgs({
  options: {
    sweeps: { type: 'string', default: '20' },
    complaints: { type: 'string', default: '2000' },
  },
});
const NOW = Date.parse('2026-01-15T12:00:00Z');
const TOKENS = {
  HEATNET_DISPATCH_TOKEN: 'bench-dispatch-token-0001',
  HEATNET_SERVICE_TOKEN: 'bench-service-token-00001',
  HEATNET_SENSOR_TOKEN: 'bench-sensor-token-000001',
  HEATNET_VIEWER_TOKEN: 'bench-viewer-token-000001',
  HEATNET_ADMIN_TOKEN: 'bench-admin-token-0000001',
};

function scaleConfig() {
  const yaml = execFileSync('npx', ['tsx', 'scripts/generate-scale-config.ts'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const result = parseConfig(yaml, { ...process.env, ...TOKENS }, 'scale');
  if (!result.ok) throw new Error(JSON.stringify(result.issues.slice(0, 3)));
  return result.config;
}

const STARVED = 'T0500-B3';
const COLD_ZONE = { building: 'T0700-B2', fromFloor: 18 };
const TRIPPED = 'T0300';

function fill(topology: Topology, state: LiveState): void {
  const batch: Reading[] = [];
  let n = 0;
  for (const s of topology.substations) {
    batch.push({
      measurement: 'substation',
      tags: { substation: s.id, source: s.source },
      fields: { primary_flow_m3h: 20, heat_power_kw: 900 },
      time: NOW - 10_000,
    });
    for (const b of s.buildings) {
      const flow = b.id === STARVED ? 0.6 : 3;
      batch.push({
        measurement: 'building',
        tags: { substation: s.id, building: b.id },
        fields: { supply_temp_c: 55, return_temp_c: 42, flow_m3h: flow, heat_power_kw: 180 },
        time: NOW - 60_000,
      });
      for (const h of b.households) {
        const cold = b.id === COLD_ZONE.building && h.floor >= COLD_ZONE.fromFloor;
        batch.push({
          measurement: 'room',
          tags: { substation: s.id, building: b.id, zone: h.zone, household: h.id },
          fields: { temp_c: (cold ? 15.5 : 20.5) + ((n++ * 7919) % 11) / 10 - 0.5 },
          time: NOW - ((n * 13) % 600) * 1000,
        });
      }
    }
    if (batch.length > 50_000) state.apply(batch.splice(0));
  }
  state.apply(batch);
}

function evaluation(topology: Topology): BalanceResult {
  const substations = topology.substations.map(
    (s): SubstationBalance => ({
      id: s.id,
      branch: s.branch,
      distanceM: s.distanceM,
      position: 'middle',
      status: 'normal',
      rawStatus: 'normal',
      basis: 'rooms',
      flag: null,
      anomaly:
        s.id === TRIPPED ? { cause: 'pump-stopped', evidence: [`${s.id}-P1 not running`] } : null,
      deviationC: 0,
      referenceSupplyC: 55,
      referenceReturnC: 42,
      flowRatio: 1,
      equilibriumIndoorC: 20.5,
      indoorMeanC: 20.5,
      coldShare: 0,
      roomsReporting: 250,
      roomsOutliers: 0,
      suspectSensors: [],
      heatIndex: 1,
      recommendation: null,
    }),
  );
  const counts = { overheating: 0, underheating: 0, normal: substations.length, 'no-data': 0 };
  const gradient = { slopeCPerKm: 0, r2: 0, stations: substations.length };
  return {
    evaluatedAt: NOW - 60_000,
    outdoorTempC: -5,
    gradient,
    counts,
    substations,
    network: [],
  };
}

const summary = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: +q(0.5).toFixed(2), p99: +q(0.99).toFixed(2), max: +s.at(-1)!.toFixed(2) };
};

function timeDiagnoses(diagnoser: Diagnoser, topology: Topology) {
  const households = topology.substations.flatMap((s) => s.buildings.flatMap((b) => b.households));
  const diagnoseMs: number[] = [];
  const levels: Record<string, number> = {};
  for (let i = 0; i < Number(values.complaints); i++) {
    // Spread over the network (104,729 is prime): every call reads other buildings.
    const h = households[(i * 104_729) % households.length]!;
    const a = performance.now();
    const d = diagnoser.diagnose({ household: h.id, category: 'low-temperature', at: NOW });
    diagnoseMs.push(performance.now() - a);
    levels[d.level] = (levels[d.level] ?? 0) + 1;
  }
  return { diagnoseMs, levels };
}

async function main(): Promise<void> {
  const config = scaleConfig();
  const topology = new Topology(config.network);
  const state = new LiveState();
  fill(topology, state);
  const result = evaluation(topology);
  const diagnoser = createLiveDiagnoser({ config, topology, state, balance: () => result });
  const found = diagnoser.findings(NOW).map((f) => `${f.level}:${f.place}:${f.cause}`);
  const sweepMs: number[] = [];
  for (let i = 0; i < Number(values.sweeps); i++) {
    const a = performance.now();
    diagnoser.findings(NOW);
    sweepMs.push(performance.now() - a);
  }
  const { diagnoseMs, levels } = timeDiagnoses(diagnoser, topology);
  const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  console.log(
    JSON.stringify(
      {
        substations: topology.substations.length,
        households: topology.householdCount,
        found,
        sweepMs: summary(sweepMs),
        diagnoseMs: summary(diagnoseMs),
        levels,
        rssMb,
      },
      null,
      2,
    ),
  );
}

await main();
