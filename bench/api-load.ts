/**
 * API load against the Modbus poller (issue 15 defect 6): the demo network with its
 * simulator in one process, as `heatnet demo` runs it, and 2,000 `GET /api/substations`
 * at concurrency 50 on loopback (plain `fetch`, a bounded loop). Reports the requests'
 * p50/p99 and bytes, the event-loop delay, and how late Modbus polls ran: measured apart
 * from heatnet's own lateness figures (the gap between a device's successive polls
 * minus its interval), so the same script measures a build without them.
 *   npx tsx bench/api-load.ts [--requests 2000] [--concurrency 50] [--idle 12]
 */

import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { parse, stringify } from 'yaml';
import { Simulator } from '../simulators/simulator.ts';
import { HeatnetApp } from '../src/app.ts';
import { parseConfig } from '../src/config/load.ts';
import { silentLogger } from '../src/core/logger.ts';
import type { Reading } from '../src/core/reading.ts';
import { eventually, TEST_TOKENS } from '../test/support/config.ts';
import { freePorts } from '../test/support/ports.ts';
import { sleep } from './measure.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '50' },
    idle: { type: 'string', default: '12' },
    path: { type: 'string', default: '/api/substations' },
  },
});

const config = await demoConfig();
const simulator = new Simulator(config, silentLogger());
const app = new HeatnetApp(config, { log: silentLogger() });
const polls = pollRecorder(config.ingest.modbus.defaults.intervalMs);
app.bus.on('readings', 'bench', polls.onReadings);
await simulator.start();
await app.start();
const base = await app.listen();
const devices = config.ingest.modbus.devices.length;
await eventually(() => app.modbus.health().every((h) => h.state === 'up'), {
  timeoutMs: 30_000,
  what: 'every demo device up',
});

const idle = await phase(() => sleep(Number(values.idle) * 1000));
const load = await phase(() => hammer(`${base}${values.path}`));
const result = {
  date: new Date().toISOString(),
  path: values.path,
  devices,
  idle: idle.report,
  load: { ...load.report, requests: load.value },
};
console.log(JSON.stringify(result, null, 2));
await app.stop();
await simulator.stop();
process.exit(0);

/** The demo config on free ports and a scratch data folder. */
async function demoConfig() {
  const raw = parse(readFileSync('config/demo.yaml', 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'heatnet-api-load-'));
  const ports = await freePorts(raw.network.substations.length + 2);
  const [mqttPort, truthPort] = ports.splice(-2);
  const portOf = new Map<string, number>();
  for (const d of raw.ingest.modbus.devices as { url: string }[]) {
    if (!portOf.has(d.url)) portOf.set(d.url, ports[portOf.size]!);
    d.url = `tcp://127.0.0.1:${portOf.get(d.url)}`;
  }
  raw.ingest.mqtt.embeddedPort = mqttPort;
  raw.storage = { dataDir: join(dir, 'data') };
  raw.api = { ...raw.api, host: '127.0.0.1', port: 0 };
  raw.simulation.groundTruth = { port: truthPort };
  raw.simulation.complaints = { target: `file:${join(dir, 'complaints.jsonl')}` };
  const loaded = parseConfig(stringify(raw), TEST_TOKENS, 'bench');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues.slice(0, 5)));
  return loaded.config;
}

/**
 * Per poll: how much later than its interval a device's poll came (gap between its
 * successive device_health points, real time), its duration, and heatnet's own counts.
 */
function pollRecorder(intervalMs: number) {
  const last = new Map<string, number>();
  let lateness: number[] = [];
  let durations: number[] = [];
  const onReadings = (readings: readonly Reading[]) => {
    const now = performance.now();
    for (const r of readings) {
      if (r.measurement !== 'device_health') continue;
      const id = r.tags.device!;
      const prev = last.get(id);
      if (prev !== undefined) lateness.push(now - prev - intervalMs);
      last.set(id, now);
      if (typeof r.fields.latency_ms === 'number') durations.push(r.fields.latency_ms);
    }
  };
  const take = () => {
    const out = { lateness, durations };
    [lateness, durations] = [[], []];
    return out;
  };
  return { onReadings, take };
}

/** Runs `work`, then one more poll interval so polls delayed by it are seen. */
async function phase<T>(work: () => Promise<T>) {
  const before = counters();
  polls.take();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const value = await work();
  await sleep(config.ingest.modbus.defaults.intervalMs + 1000);
  loop.disable();
  const { lateness, durations } = polls.take();
  const after = counters();
  const report = {
    pollLateMs: stats(lateness),
    pollDurationMs: stats(durations),
    eventLoopDelayMs: {
      p50: round(loop.percentile(50) / 1e6),
      p99: round(loop.percentile(99) / 1e6),
      max: round(loop.max / 1e6),
    },
    timeouts: after.timeouts - before.timeouts,
    lateAnswers: after.lateAnswers - before.lateAnswers,
    lateStarts: after.lateStarts - before.lateStarts,
  };
  return { value, report };
}

/** Totals over devices; fields a build does not have count as 0. */
function counters() {
  const sum = (key: string) =>
    app.modbus
      .health()
      .reduce((n, h) => n + Number((h as unknown as Record<string, unknown>)[key] ?? 0), 0);
  return {
    timeouts: sum('timeouts'),
    lateAnswers: sum('lateAnswers'),
    lateStarts: sum('lateStarts'),
  };
}

/**
 * `requests` GETs of `url`, `concurrency` at a time, from a worker thread: the client's
 * own work (reading 100+ MB of bodies) must not land on the event loop under test.
 */
async function hammer(url: string) {
  const worker = new Worker(clientSource(), {
    eval: true,
    workerData: { url, total: Number(values.requests), concurrency: Number(values.concurrency) },
  });
  const [out] = (await once(worker, 'message')) as [ClientResult];
  await worker.terminate();
  return {
    count: out.latency.length,
    failed: out.failed,
    concurrency: Number(values.concurrency),
    perSecond: Math.round(out.latency.length / out.seconds),
    latencyMs: stats(out.latency),
    bytesPerRequest: Math.round(out.bytes / out.latency.length),
    totalMb: round(out.bytes / 1e6),
  };
}

interface ClientResult {
  latency: number[];
  bytes: number;
  failed: number;
  seconds: number;
}

/** The load client (plain JS, run as a worker): a bounded loop, so it stops by itself. */
function clientSource(): string {
  return `
const { parentPort, workerData } = require('node:worker_threads');
const { url, total, concurrency } = workerData;
let next = 0, bytes = 0, failed = 0;
const latency = [];
const started = performance.now();
async function worker() {
  while (next < total) {
    next++;
    const t0 = performance.now();
    const res = await fetch(url);
    const body = await res.arrayBuffer();
    latency.push(performance.now() - t0);
    bytes += body.byteLength;
    if (res.status !== 200) failed++;
  }
}
Promise.all(Array.from({ length: concurrency }, worker)).then(() =>
  parentPort.postMessage({ latency, bytes, failed, seconds: (performance.now() - started) / 1000 }),
);
`;
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => round(s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0);
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: round(s.at(-1) ?? 0) };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
