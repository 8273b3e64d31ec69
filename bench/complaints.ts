/**
 * Complaint intake at scale (issue 10): `POST /api/complaints` at 50 calls/s, open-loop,
 * on 5,000 substations / 250,000 households with live data flowing and balance
 * evaluations (with the desk's proactive sweep) running on their schedule.
 *   npx tsx bench/complaints.ts [--substations 5000] [--rate 50] [--seconds 60] [--interval 15]
 *     [--feed-ms 1000] [--postgres URL] [--sqlite-fsync commit|grouped] [--influx] [--mosquitto]
 *     [--out FILE] [--influx-dir DIR] [--store-dir DIR]
 *
 * `--influx` stores the readings in a real InfluxDB 1.x started for the run, as a network
 * this size is set up; without it they go to the local line-protocol store and the
 * embedded history recorder writes the console's trends into the relational store too
 * (~130,000 rows a minute at 5,000 substations, sharing SQLite's log with the calls).
 * `--mosquitto` runs the MQTT broker as its own process (a real mosquitto), as a network
 * this size would; without it the embedded broker shares heatnet's event loop, and the
 * 5,000 retained balance messages of every evaluation pass through it.
 *
 * The real HeatnetApp with its real store (SQLite in a temp data folder, or PostgreSQL)
 * and its HTTP API on loopback; readings enter through its ingest pipeline every second
 * (PLC every 10 s, meters every minute, rooms every 10 minutes). The calls come from
 * bench/support/post-complaints.ts in its own process: a cold-snap morning, 80 % on the
 * cold substations (every 50th has a stopped pump), 10 % by address, 3 % retried with
 * the same Idempotency-Key. Latency counts from each call's scheduled send time.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { HeatnetApp } from '../src/app.ts';
import type { Household } from '../src/domain/topology.ts';
import { TEST_TOKENS } from '../test/support/config.ts';
import { startInfluxd } from '../test/support/influxd.ts';
import { startMosquitto } from '../test/support/mosquitto.ts';
import { cpuSecondsOf, sleep } from './measure.ts';
import {
  type JobTimes,
  report,
  type Span,
  spans,
  summary,
  timeJobs,
} from './support/intake-timing.ts';
import type { PlannedPost, PostResult } from './support/post-complaints.ts';
import { scaleApp } from './support/scale-app.ts';
import { isCold, liveTick, type ScaleReadings } from './support/scale-network.ts';

const { values } = parseArgs({
  options: {
    substations: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '60' },
    interval: { type: 'string', default: '15' },
    'feed-ms': { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '5' },
    postgres: { type: 'string' },
    // store.sqliteFsync: the log flushed as each write ends (default) or grouped off the loop.
    'sqlite-fsync': { type: 'string', default: 'commit' },
    influx: { type: 'boolean', default: false },
    // Where InfluxDB keeps its data (default: the temp dir, on heatnet's disk).
    'influx-dir': { type: 'string' },
    // Where heatnet's data folder (SQLite) goes (default: the temp dir). /dev/shm is the
    // control run: flushes cost nothing there, so what stays late is heatnet's own doing.
    'store-dir': { type: 'string' },
    mosquitto: { type: 'boolean', default: false },
    // Every call's timing and the jobs' spans as JSON, to line them up with a --trace-gc log.
    out: { type: 'string' },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const wallNow = () => performance.timeOrigin + performance.now();
const rssMb = () => Math.round(process.memoryUsage().rss / 2 ** 20);

/** The cold-snap morning: who calls, when, how. */
function planCalls(app: HeatnetApp): PlannedPost[] {
  const stations = app.topology.substations;
  const cold = stations.filter((_, i) => isCold(i)).flatMap((s) => households(s.buildings));
  const all = stations.flatMap((s) => households(s.buildings));
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const posts: PlannedPost[] = [];
  // The warm-up calls come first (JIT, connections); they are reported apart.
  const total = RATE * (WARMUP + SECONDS);
  for (let i = 0; i < total; i++) {
    const pool = rand() < 0.8 ? cold : all;
    const h = pool[Math.floor(rand() * pool.length)]!;
    const r = rand();
    const category =
      r < 0.6 ? 'low-temperature' : r < 0.9 ? 'no-heat' : r < 0.95 ? 'noise' : 'leak';
    const who =
      rand() < 0.1
        ? { address: { building: h.building, floor: h.floor, unit: h.unit } }
        : { household: h.id };
    const channel = rand() < 0.7 ? 'hotline' : 'wechat';
    const body = { ...who, category, channel, description: '暖气不热', reportedTempC: 15 };
    const post = { offset: (i * 1000) / RATE, body, key: `bench-${i}` };
    posts.push(post);
    if (rand() < 0.03) posts.push({ ...post, offset: post.offset + 200 + rand() * 1800 });
  }
  return posts;
}

const households = (buildings: readonly { households: readonly Household[] }[]) =>
  buildings.flatMap((b) => b.households);

/** Feeds one second of readings each second until stopped. */
/**
 * Feeds one second of readings each second until stopped: in one batch (the default), or
 * with --feed-ms N in 1000/N parts N ms apart — closer to how the adapters deliver them
 * (a Modbus poll or an MQTT message at a time), the same readings per second.
 */
function feed(app: HeatnetApp, readings: ScaleReadings, partMs: number) {
  let tick = 0;
  let fed = 0;
  const parts = Math.max(1, Math.round(1000 / partMs));
  const pending = new Set<NodeJS.Timeout>();
  const timer = setInterval(() => {
    const batch = liveTick(app.topology, readings, tick++, Date.now());
    fed += batch.length;
    const size = Math.ceil(batch.length / parts);
    for (let i = 0; i < parts; i++) {
      const part = batch.slice(i * size, (i + 1) * size);
      const t = setTimeout(() => {
        pending.delete(t);
        void app.pipeline.accept(part);
      }, i * partMs);
      pending.add(t);
    }
  }, 1000);
  const stop = () => {
    clearInterval(timer);
    for (const t of pending) clearTimeout(t);
  };
  return { stop, fed: () => fed };
}

function runPoster(file: string): Promise<PostResult[]> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/support/post-complaints.ts', file],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as PostResult[]) : reject(new Error(`poster ${code}`)),
    ),
  );
}

async function getP50(base: string, path: string): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < 50; i++) {
    const a = performance.now();
    const res = await fetch(`${base}${path}`, {
      headers: { authorization: `Bearer ${TEST_TOKENS.HEATNET_SERVICE_TOKEN}` },
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    ms.push(performance.now() - a);
  }
  return summary(ms).p50;
}

async function countIncidents(base: string): Promise<number> {
  const res = await fetch(`${base}/api/incidents?limit=1000`, {
    headers: { authorization: `Bearer ${TEST_TOKENS.HEATNET_SERVICE_TOKEN}` },
  });
  return ((await res.json()) as { count: number }).count;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(values['store-dir'] ?? tmpdir(), 'heatnet-bench-complaints-'));
  const t0 = performance.now();
  // The history is what the service already holds (state and windows), not new data to
  // store; the live readings below go through the whole pipeline, storage included.
  const influxDir = values['influx-dir'];
  const influxd = values.influx ? await startInfluxd({ parentDir: influxDir }) : undefined;
  if (influxd) await influxd.createDatabase('heatnet');
  const mosquitto = values.mosquitto ? await startMosquitto({ quiet: true }) : undefined;
  const { app, readings } = scaleApp({
    substations: Number(values.substations),
    intervalS: Number(values.interval),
    dir,
    postgres: values.postgres,
    influx: influxd && { url: influxd.url, db: 'heatnet' },
    mqttUrl: mosquitto?.url,
    sqliteFsync: values['sqlite-fsync'] === 'grouped' ? 'grouped' : 'commit',
  });
  const timing = timeJobs(app);
  await app.start();
  const base = await app.listen();
  const live = feed(app, readings, Number(values['feed-ms']));
  // The first evaluation and its sweep (priming the desk) before any call.
  while (timing.sweeps.length === 0) await sleep(200);
  const setupS = Math.round((performance.now() - t0) / 100) / 10;
  await sleep(3000);
  let peak = rssMb();
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 250);
  const [rssBefore, cpuBefore, cpuFrom] = [rssMb(), cpuSecondsOf(process.pid), wallNow()];
  const planFile = join(dir, 'plan.json');
  const posts = planCalls(app);
  const token = TEST_TOKENS.HEATNET_SERVICE_TOKEN;
  writeFileSync(planFile, JSON.stringify({ url: base, token, leadMs: 2000, posts }));
  // How long the event loop was held at a time during the run: what a call waits behind.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const everything = await runPoster(planFile);
  const results = everything.filter((r) => r.offset >= WARMUP * 1000);
  const start = Math.min(...results.map((r) => r.at));
  const warm = report(everything.filter((r) => r.offset < WARMUP * 1000)).all;
  const cpuS = cpuSecondsOf(process.pid) - cpuBefore;
  const wallS = (wallNow() - cpuFrom) / 1000; // warm-up and run
  const rssAfter = rssMb();
  clearInterval(sampler);
  loopDelay.disable();
  const loopMs = (ns: number) => Math.round(ns / 1e5) / 10;
  const gets = {
    complaintsBySubstation: await getP50(base, '/api/complaints?substation=T00008&limit=100'),
    complaints: await getP50(base, '/api/complaints?limit=100'),
    incidents: await getP50(base, '/api/incidents'),
  };
  live.stop();
  const inRun = (xs: readonly Span[]) => xs.filter((e) => e.end > start);
  const jobs: JobTimes = {
    evaluations: inRun(timing.evaluations),
    sweeps: inRun(timing.sweeps),
    flushes: inRun(timing.flushes),
    ingest: inRun(timing.ingest),
  };
  const incidents = await countIncidents(base);
  if (values.out) {
    // Both clocks at one instant: a --cpu-prof profile's timestamps are monotonic µs.
    const clock = { wallMs: wallNow(), monotonicUs: Number(process.hrtime.bigint() / 1000n) };
    const { timeOrigin } = performance;
    writeFileSync(values.out, JSON.stringify({ timeOrigin, clock, results: everything, jobs }));
  }
  console.log(
    JSON.stringify(
      {
        date: new Date().toISOString(),
        feedMs: Number(values['feed-ms']),
        readingsTo: influxd
          ? `InfluxDB 1.x in ${influxd.dataDir}`
          : 'local store (+ embedded history)',
        broker: mosquitto ? 'mosquitto' : 'embedded',
        store: values.postgres ? 'postgres' : `sqlite in ${dir} (fsync: ${values['sqlite-fsync']})`,
        walSyncs: app.store.walSyncs,
        substations: app.topology.substations.length,
        households: app.topology.householdCount,
        setupS,
        planned: posts.length,
        warmup: warm,
        post: report(results, jobs),
        evaluations: spans(jobs.evaluations),
        sweeps: spans(jobs.sweeps),
        roomDayFlushes: spans(jobs.flushes),
        ingestBatches: spans(jobs.ingest),
        gets,
        loopDelayMs: {
          p50: loopMs(loopDelay.percentile(50)),
          p99: loopMs(loopDelay.percentile(99)),
          max: loopMs(loopDelay.max),
        },
        readingsFed: live.fed(),
        rssMb: { before: rssBefore, after: rssAfter, peak: Math.max(peak, rssAfter) },
        cpu: {
          seconds: Math.round(cpuS * 10) / 10,
          coresBusy: Math.round((cpuS / wallS) * 100) / 100,
        },
        incidents,
      },
      null,
      2,
    ),
  );
  await app.stop();
  await influxd?.destroy();
  await mosquitto?.destroy();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

await main();
