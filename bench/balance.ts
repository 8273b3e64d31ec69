/**
 * Balancing at scale (issue 5): one evaluation for 5,000 substations with 250,000
 * room sensors, and `GET /api/balance` at that size over real HTTP on loopback.
 *
 *   npx tsx bench/balance.ts [--substations 5000] [--households 50] [--evaluations 20] [--requests 400]
 *
 * The windows are filled as the service fills them: every PLC field sampled every
 * 10 s over 75 minutes, every room sensor every 10 minutes, pumps in the live state —
 * with a network tilted from 150 % flow near the plant to 65 % at the far end.
 */
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { buildApi } from '../src/api/server.ts';
import { evaluateBalance } from '../src/balance/evaluate.ts';
import { designFlowM3h, referenceAt } from '../src/balance/reference.ts';
import { gatherInputs } from '../src/balance-runner/inputs.ts';
import { BalanceService } from '../src/balance-runner/service.ts';
import { formatIssue } from '../src/config/issues.ts';
import { parseConfig } from '../src/config/load.ts';
import type { Config } from '../src/config/schema.ts';
import { noAlerts } from '../src/core/alerts.ts';
import { EventBus } from '../src/core/events.ts';
import { silentLogger } from '../src/core/logger.ts';
import type { Reading } from '../src/core/reading.ts';
import { Topology } from '../src/domain/topology.ts';
import type { HeatnetEvents } from '../src/events.ts';
import { BalanceWindows } from '../src/state/balance-windows.ts';
import { LiveState } from '../src/state/live-state.ts';

const { values } = parseArgs({
  options: {
    substations: { type: 'string', default: '5000' },
    households: { type: 'string', default: '50' },
    evaluations: { type: 'string', default: '20' },
    requests: { type: 'string', default: '400' },
  },
});
const SUBSTATIONS = Number(values.substations);
const HOUSEHOLDS = Number(values.households);
const EVALUATIONS = Number(values.evaluations);
const REQUESTS = Number(values.requests);
const BRANCHES = 10;
const NOW = Date.parse('2026-01-15T12:00:00Z');
const TOKENS = { HEATNET_DISPATCH_TOKEN: 'bench-dispatch-token-0001' };

function scaleConfig(): Config {
  const perBranch = Math.ceil(SUBSTATIONS / BRANCHES);
  const substations = Array.from({ length: SUBSTATIONS }, (_, i) => {
    const id = `T${String(i + 1).padStart(5, '0')}`;
    const position = Math.floor(i / BRANCHES);
    return {
      id,
      source: 'P1',
      branch: `b${(i % BRANCHES) + 1}`,
      distanceM: Math.round(300 + (7700 * position) / Math.max(1, perBranch - 1)),
      pumps: [{ id: `${id}-P1`, minHz: 25, maxHz: 50, maxStepHz: 5 }],
      buildings: [
        {
          id: `${id}-B1`,
          floors: HOUSEHOLDS / 2,
          unitsPerFloor: 2,
          areaPerUnitM2: 90,
          zones: [{ id: 'low', floors: [1, HOUSEHOLDS / 2] }],
        },
      ],
    };
  });
  const devices = substations.flatMap((s, i) => [
    {
      id: `${s.id}-plc`,
      substation: s.id,
      kind: 'substation',
      url: `tcp://10.0.${i >> 8}.${i & 255}:502`,
      unitId: 1,
      map: 'plc',
    },
    {
      id: `${s.id}-P1-vfd`,
      substation: s.id,
      pump: `${s.id}-P1`,
      kind: 'pump',
      url: `tcp://10.0.${i >> 8}.${i & 255}:502`,
      unitId: 2,
      map: 'vfd',
    },
  ]);
  const raw = {
    site: { name: 'balance bench' },
    network: { sources: [{ id: 'P1' }], substations },
    ingest: {
      modbus: {
        maps: {
          plc: [{ field: 'primary_flow_m3h', area: 'holding', address: 0, type: 'float32' }],
          vfd: [
            {
              field: 'frequency_setpoint_hz',
              area: 'holding',
              address: 1,
              type: 'uint16',
              scale: 0.01,
              writable: true,
              min: 0,
              max: 50,
            },
          ],
        },
        devices,
      },
    },
    api: {
      anonymousRead: true,
      tokens: [{ name: 'd', token: 'env:HEATNET_DISPATCH_TOKEN', role: 'dispatcher' }],
    },
  };
  const result = parseConfig(stringify(raw), TOKENS, 'bench');
  if (!result.ok) throw new Error(result.issues.slice(0, 5).map(formatIssue).join('\n'));
  return result.config;
}

/** A tilted network: flow ratio 1.5 near the plant to 0.65 at the far end, with noise. */
function fill(config: Config, topology: Topology, windows: BalanceWindows, state: LiveState): void {
  const outdoor = -5;
  const ref = referenceAt(config.network.design, outdoor);
  const noise = () => (Math.random() - 0.5) * 0.2;
  const batch: Reading[] = [];
  const flush = () => {
    windows.apply(batch);
    state.apply(batch);
    batch.length = 0;
  };
  const from = NOW - 75 * 60_000;
  for (let t = from; t <= NOW; t += 10_000) {
    batch.push({
      measurement: 'weather',
      tags: { station: 'W1' },
      fields: { outdoor_temp_c: outdoor },
      time: t,
    });
    for (const s of topology.substations) {
      const x = 1.5 - 0.85 * (s.distanceM / 8000);
      const dev = (x - 1) * 11;
      batch.push({
        measurement: 'substation',
        tags: { substation: s.id, source: s.source },
        fields: {
          primary_supply_temp_c: ref.primarySupplyC + noise(),
          primary_return_temp_c: ref.primaryReturnC + noise(),
          primary_flow_m3h: designFlowM3h(config.network.design, s) * x * (1 + noise() / 10),
          primary_supply_pressure_mpa: 0.4,
          primary_return_pressure_mpa: 0.3,
          secondary_supply_temp_c: ref.secondarySupplyC + dev + noise(),
          secondary_return_temp_c: ref.secondaryReturnC + dev + noise(),
          heat_power_kw: 200 * x,
          makeup_water_m3h: 0.05,
        },
        time: t,
      });
      if ((t - from) % 60_000 === 0) {
        batch.push({
          measurement: 'pump',
          tags: { substation: s.id, pump: `${s.id}-P1` },
          fields: { frequency_hz: 40, frequency_setpoint_hz: 40, running: true, fault_code: 0 },
          time: t,
        });
      }
    }
    flush();
  }
  // Rooms every 10 minutes, staggered over the interval like real sensors.
  let n = 0;
  for (const s of topology.substations) {
    const x = 1.5 - 0.85 * (s.distanceM / 8000);
    for (const b of s.buildings) {
      for (const h of b.households) {
        const offset = (n++ % 600) * 1000;
        for (let t = from + offset; t <= NOW; t += 600_000) {
          batch.push({
            measurement: 'room',
            tags: { substation: s.id, building: b.id, zone: h.zone, household: h.id },
            fields: { temp_c: 20 + (x - 1) * 6 + noise() * 5 },
            time: t,
          });
        }
      }
    }
    if (batch.length > 50_000) flush();
  }
  flush();
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const summary = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return {
    p50: quantile(s, 0.5),
    p99: quantile(s, 0.99),
    max: s.at(-1)!,
    mean: ms.reduce((a, b) => a + b, 0) / ms.length,
  };
};
const f = (v: number) => v.toFixed(1);

async function main(): Promise<void> {
  const t0 = performance.now();
  const config = scaleConfig();
  config.balance.windowMin = 60;
  const topology = new Topology(config.network);
  const windows = new BalanceWindows(
    config.balance.windowMin * 60_000,
    (id) => topology.household(id)?.areaM2,
  );
  const state = new LiveState();
  fill(config, topology, windows, state);
  const households = topology.householdCount;
  const setupS = (performance.now() - t0) / 1000;
  const devices = config.ingest.modbus.devices.map((d) => ({ id: d.id, state: 'up' as const }));
  const sources = { config, topology, windows, state, devices: () => devices };
  const settings = {
    balance: config.balance,
    indoor: config.standards.indoor,
    design: config.network.design,
  };

  // Warm up, then time the engine alone (gather + evaluate) and the service's whole evaluation.
  let memory = new Map();
  for (let i = 0; i < 3; i++)
    memory = evaluateBalance(gatherInputs(sources, NOW), memory, settings).memory;
  const gatherMs: number[] = [];
  const engineMs: number[] = [];
  for (let i = 0; i < EVALUATIONS; i++) {
    const a = performance.now();
    const input = gatherInputs(sources, NOW);
    const b = performance.now();
    memory = evaluateBalance(input, memory, settings).memory;
    const c = performance.now();
    gatherMs.push(b - a);
    engineMs.push(c - a);
  }
  let published = 0;
  let written = 0;
  const service = new BalanceService(
    config,
    sources,
    new EventBus<HeatnetEvents>(silentLogger()),
    { write: (r) => (written += r.length), publish: () => published++, alerts: noAlerts },
    silentLogger(),
    () => NOW,
  );
  service.evaluate();
  const serviceMs: number[] = [];
  for (let i = 0; i < EVALUATIONS; i++) {
    const a = performance.now();
    service.evaluate();
    serviceMs.push(performance.now() - a);
  }
  const last = service.latest();

  const app = await buildApi({
    config,
    api: config.api,
    topology,
    state,
    devices: () => [],
    now: () => NOW,
    clockRate: 1,
    log: silentLogger(),
    health: () => ({}) as never,
    balance: () => service.latest(),
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const httpMs: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 20; i++) await (await fetch(`${address}/api/balance`)).arrayBuffer();
  for (let i = 0; i < REQUESTS; i++) {
    const a = performance.now();
    const res = await fetch(`${address}/api/balance`);
    bytes = (await res.arrayBuffer()).byteLength;
    httpMs.push(performance.now() - a);
  }
  await app.close();

  const g = summary(gatherMs);
  const e = summary(engineMs);
  const s = summary(serviceMs);
  const h = summary(httpMs);
  const rss = process.memoryUsage().rss / 2 ** 20;
  console.log(
    JSON.stringify(
      {
        substations: SUBSTATIONS,
        households,
        setupS,
        counts: last.counts,
        gradient: last.gradient,
        gatherMs: g,
        engineMs: e,
        serviceMs: s,
        httpMs: h,
        responseBytes: bytes,
        rssMb: Math.round(rss),
        published,
        written,
      },
      null,
      2,
    ),
  );
  console.log(
    `| ${new Date().toISOString().slice(0, 10)} | ${SUBSTATIONS.toLocaleString('en')} / ${households.toLocaleString('en')} | ${f(e.p50)} / ${f(e.p99)} ms (gather ${f(g.p50)}) | ${f(s.p50)} / ${f(s.p99)} ms | ${f(h.p50)} / ${f(h.p99)} / ${f(h.max)} ms, ${(bytes / 1e6).toFixed(2)} MB | ${Math.round(rss)} MB |`,
  );
}

await main();
