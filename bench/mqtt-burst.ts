/**
 * Issue 14: the user's comparison. The demo network's households as room topics, N QoS 1
 * messages published as fast as mosquitto takes them (500 in flight), into heatnet
 * (`heatnet start`, demo config) and into a tuned Node-RED flow, one after the other in
 * the same run, through the same mosquitto into the same InfluxDB 1.x (a database each).
 * Prints each system's CPU per point stored, points/s (first publish → last point counted
 * in InfluxDB), points stored and RSS over the run; exits 1 unless every point is stored.
 *   npx tsx bench/mqtt-burst.ts [--messages 300000] [--case backfill|current|both]
 *     [--systems heatnet,node-red[,ceiling,ceiling-influx,ceiling-durable]] [--inflight 500]
 *     [--node-red-dir DIR] [--profile DIR]
 *     [--series 250000] [--rate 20000]   (memory runs: more room series, a steady rate)
 *     [--shape FILE]   (counts inside heatnet per second: reads, accepts, writes, async
 *     resources; slows heatnet, so its CPU figures do not count)
 *     [--node-args="--trace-deopt --trace-opt"]   (use --node-args=…; extra node flags for heatnet; its whole
 *     output then goes to DIR/heatnet_CASE.log with [--log DIR])
 *     [--drain]   (each system's own top rate: it is paused (SIGSTOP) while the whole burst
 *     queues for its session in mosquitto, then resumed; points/s counts from the resume)
 *     [--poll-ms 500]   (how often InfluxDB is counted; a long run with many series wants
 *     more: a count over millions of points is itself work for the machine; at 5 s or more
 *     each count is printed with the RSS, a timeline of memory)
 *     [--warm 30000]   (live messages each system takes before the burst; 0: a cold start)
 * Everything a run puts in the temporary folder (the servers' data, each system's config and
 * data, the topics file) goes into one folder of its own, removed at the end. Ctrl-C (a long
 * memory run stopped by hand) kills the system under test, the publisher and the servers
 * and removes that folder too; with `--poll-ms` of 5 s or more the RSS timeline is already
 * printed.
 *
 * Warm by default (session 9): the user's case is a service that has been taking live room
 * readings for hours when a gateway flushes its buffer, not one started seconds before the
 * burst. Each system first takes `--warm` messages on the same topics with current
 * timestamps, published the same way (a separate run of the same publisher); the bench
 * waits until all of them are stored and until the system has been up 30 s (start-up's
 * timers behind it: heatnet's first balance evaluation is at 20 s, then every 5 minutes),
 * then settles 2 s, measures 5 s of idle and sends the burst, whose points are counted
 * beyond the warm-up's. Cold, V8 compiles the whole hot path during the burst (session 8:
 * TurboFan ≈ 1.5–2 µs/pt, a quarter of heatnet's CPU), once, in a process's life; a deployed
 * service paid that long before. 30,000 messages (9 per household) call the per-message
 * code 30,000 times and the per-read and per-batch code hundreds of times: past V8's
 * thresholds for optimising it. The warm-up is live data only: paths a live stream never
 * takes stay cold for the backfill burst (week-old days, a window given old samples, the
 * first midnight), as they would be in the service. The warm-up's own figures are printed;
 * `--warm 0` is the cold run of sessions 1–8, to be reported beside the warm one.
 *
 * `ceiling` (session 10) is the pipe's ceiling, measured the same way (warm-up, idle,
 * burst, same publisher): a subscriber that only acknowledges and counts what it receives
 * (bench/mqtt-burst-ceiling.ts), so its "points" are messages received, not stored. Each
 * system's rate is then also printed as a share of it (`ofCeiling`). `ceiling-influx` is the
 * same subscriber writing each message to InfluxDB through heatnet's writer: stored points;
 * `ceiling-durable` the same, acknowledging only what is stored, as heatnet does.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { parseConfig } from '../src/config/load.ts';
import { Topology } from '../src/domain/topology.ts';
import { eventually } from '../test/support/config.ts';
import { type InfluxdHandle, startInfluxd } from '../test/support/influxd.ts';
import { type MosquittoHandle, startMosquitto } from '../test/support/mosquitto.ts';
import {
  BENCH_TOKENS,
  cpuMicros,
  cpuMicrosByThread,
  killSystems,
  rssMb,
  type Servers,
  type System,
  startCeiling,
  startHeatnet,
  startNodeRed,
  stopSystem,
} from './mqtt-burst-systems.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '300000' },
    case: { type: 'string', default: 'both' },
    systems: { type: 'string', default: 'heatnet,node-red' },
    inflight: { type: 'string', default: '500' },
    'node-red-dir': { type: 'string', default: join(tmpdir(), 'heatnet-bench-node-red-4.1.8') },
    profile: { type: 'string' },
    /** Room series in all: the demo's households, then made-up ones (memory runs). */
    series: { type: 'string' },
    /** Messages per second the publisher keeps to (default: as fast as the broker takes). */
    rate: { type: 'string', default: '0' },
    'poll-ms': { type: 'string', default: '500' },
    drain: { type: 'boolean', default: false },
    /** Live messages (current time) each system takes before the burst; 0: a cold start. */
    warm: { type: 'string', default: '30000' },
    /** Counts inside heatnet (bench/support/burst-shape.ts) to FILE.heatnet-CASE.jsonl. */
    shape: { type: 'string' },
    'node-args': { type: 'string', default: '' },
    log: { type: 'string' },
  },
});
// After the options: Node-RED's install folder stays in the real temporary folder, reused.
const runDir = mkdtempSync(join(tmpdir(), 'heatnet-bench-run-'));
process.env.TMPDIR = runDir;
const messages = Number(values.messages);
const warmMessages = Number(values.warm);
const cases = values.case === 'both' ? ['backfill', 'current'] : [values.case ?? 'backfill'];
const systems = (values.systems ?? '').split(',');
const IDLE_MS = 5000;
const POLL_MS = Number(values['poll-ms']);
/** A system that stores nothing new for this long has stalled: the run fails. */
const STALL_MS = Number(process.env.BENCH_STALL_MS ?? 120_000);
/**
 * Warm runs: the burst comes no sooner than this long after the system was launched, so
 * that start-up's one-time timers are behind it as they are in a service that has been up
 * for hours (heatnet's first balance evaluation runs 20 s after start; the next one is
 * 5 minutes later, its schedule). Both systems wait the same.
 */
const WARM_UPTIME_MS = 30_000;

/** Publishers running now: an interrupt kills them with the rest. */
const publishers = new Set<ReturnType<typeof spawn>>();
// Before the servers start, so this runs first: exiting here sets off the servers' own
// exit hooks (test/support/process.ts), which kill them; the run's folder goes after them.
// Without it the system under test and the publisher outlived the bench, and the folders
// stayed in /tmp.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: killing the system under test, the publisher and the servers`);
    killSystems();
    for (const child of publishers) child.kill('SIGKILL');
    process.once('exit', removeRunDir);
    process.exit(130);
  });
}

function removeRunDir(): void {
  // A server just killed may still be letting go of a file: a few tries.
  rmSync(runDir, { recursive: true, force: true, maxRetries: 5 });
}

interface RunResult {
  system: string;
  case: string;
  stored: number;
  cpuUsPerPoint: number;
  pointsPerSecond: number;
  cpuPctOfOneCore: number;
  /** The same CPU per point by thread name (main thread, V8's workers …): a diagnostic. */
  threadsUsPerPoint: Record<string, number>;
  /** CPU of the idle system before the burst, % of one core. */
  idleCpuPct: number;
  rssMb: { ready: number; max: number; end: number };
  publisher: unknown;
  /** With --profile: the burst's window on the monotonic clock, µs (bench/mqtt-profile-top.ts). */
  profileWindowUs?: [number, number];
  /** The live warm-up before the burst (null with --warm 0); its points are not counted above. */
  warmUp: WarmUp | null;
}

/** The warm-up's own figures, printed so it is not hidden. */
interface WarmUp {
  messages: number;
  stored: number;
  seconds: number;
  pointsPerSecond: number;
  cpuUsPerPoint: number;
  rssMb: number;
  /** Seconds from the system's launch to the burst's first publish. */
  burstAtS?: number;
}

/** Every household of the demo network as `heatnet/room/{substation}/{building}/{household}`. */
function writeTopics(): { file: string; count: number } {
  const env = { ...BENCH_TOKENS };
  const loaded = parseConfig(readFileSync('config/demo.yaml', 'utf8'), env, 'demo');
  if (!loaded.ok) throw new Error('config/demo.yaml does not load');
  const topics: string[] = [];
  for (const s of new Topology(loaded.config.network).substations)
    for (const b of s.buildings)
      for (const h of b.households) topics.push(`heatnet/room/${s.id}/${b.id}/${h.id}`);
  // Households the network does not know: stored and in live state, not in the windows.
  const wanted = Number(values.series ?? topics.length);
  for (let k = topics.length; k < wanted; k++) {
    topics.push(`heatnet/room/X${k % 100}/X${k % 100}-B${k % 10_000}/X-H${k}`);
  }
  const file = join(runDir, 'topics.txt');
  writeFileSync(file, topics.join('\n'));
  return { file, count: topics.length };
}

async function stored(influx: InfluxdHandle, db: string): Promise<number> {
  const series = await influx.query('SELECT count("temp_c") FROM "room"', db);
  return Number(series[0]?.values[0]?.[1] ?? 0);
}

function publish(url: string, topics: string, mode: string, count: number): Promise<unknown> {
  const args = ['--import', 'tsx', 'bench/mqtt-burst-publish.ts', url, topics];
  const rest = [String(count), values.inflight!, mode, values.rate!];
  const child = spawn(process.execPath, [...args, ...rest], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  publishers.add(child);
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  return new Promise((resolve) =>
    child.once('exit', () => {
      publishers.delete(child);
      resolve(JSON.parse(out || '{}'));
    }),
  );
}

async function start(name: string, servers: Servers, db: string): Promise<System> {
  if (name === 'ceiling') return startCeiling(servers, db);
  if (name === 'ceiling-influx') return startCeiling(servers, db, 'influx');
  if (name === 'ceiling-durable') return startCeiling(servers, db, 'durable');
  if (name === 'heatnet') {
    const prof = values.profile ? ['--cpu-prof', '--cpu-prof-dir', values.profile] : [];
    if (values.shape) {
      process.env.HEATNET_SHAPE_FILE = `${values.shape}.${db}.jsonl`;
      prof.push('--import', 'tsx', '--import', './bench/support/burst-shape.ts');
    }
    prof.push(...(values['node-args'] ?? '').split(' ').filter(Boolean));
    const log = values.log ? join(values.log, `${db}.log`) : undefined;
    return startHeatnet(servers, db, prof, log);
  }
  return startNodeRed(servers, db, values['node-red-dir']!);
}

async function runOne(name: string, mode: string, env: Env): Promise<RunResult> {
  const db = `${name.replace('-', '_')}_${mode}`;
  await env.influx.createDatabase(db);
  const launched = performance.now();
  const sys = await start(name, env.servers, db);
  try {
    return await measure(sys, name, mode, env, db, launched);
  } finally {
    // A run that failed (a warm-up short of points, an exit) stops its system too; a
    // second stop of one that measure() stopped finds it exited and does nothing.
    await stopSystem(sys);
  }
}

async function measure(
  sys: System,
  name: string,
  mode: string,
  env: Env,
  db: string,
  launched: number,
): Promise<RunResult> {
  const pid = sys.proc.pid!;
  const subscribed = `${sys.clientId} 1 heatnet/room/+/+/+`;
  await eventually(() => env.mosquitto.logs().includes(subscribed) || sys.proc.exitCode !== null, {
    timeoutMs: 120_000,
    what: `${name} subscribed`,
  });
  if (sys.proc.exitCode !== null) throw new Error(`${name} exited:\n${sys.output()}`);
  const warmUp = warmMessages > 0 ? await warm(sys, env, db, launched) : null;
  const base = warmUp?.stored ?? 0;
  await sleep(2000); // let start-up work (compilation, first timers) settle before measuring
  // What the system costs doing nothing (timers, housekeeping), for reading the figures.
  const idle0 = cpuMicros(pid);
  await sleep(IDLE_MS);
  const idleCpuPct = +((100 * (cpuMicros(pid) - idle0)) / 1000 / IDLE_MS).toFixed(1);
  const rss = { ready: rssMb(pid), max: 0, end: 0 };
  // Draining: the burst waits in the broker (its socket buffers, then the session's queue)
  // while the system is paused; the clock starts when it is resumed.
  if (values.drain) process.kill(pid, 'SIGSTOP');
  if (warmUp) warmUp.burstAtS = Math.round((performance.now() - launched) / 1000);
  const publisher = publish(env.servers.mqttUrl, env.topics, mode, messages);
  if (values.drain) {
    await publisher;
    process.kill(pid, 'SIGCONT');
  }
  const cpu0 = cpuMicros(pid);
  const threads0 = cpuMicrosByThread(pid);
  const t0 = performance.now();
  const from = monotonicUs();
  sys.mark(`burst ${mode}`);
  // The warm-up's points are in the same database at other times (the current time; the
  // burst's are later, or a week back): the burst's points are those beyond them.
  const count = await countedUntil(counter(sys, env, db), messages, base, (stored) => {
    const rssNow = rssMb(pid);
    rss.max = Math.max(rss.max, rssNow);
    if (POLL_MS >= 5000) {
      const s = Math.round((performance.now() - t0) / 1000);
      console.error(JSON.stringify({ s, stored, rssMb: rssNow }));
    }
  });
  const wallS = (performance.now() - t0) / 1000;
  const to = monotonicUs();
  sys.mark(`stored ${count}`);
  const cpu = cpuMicros(pid) - cpu0;
  const threadsUsPerPoint = perPoint(cpuMicrosByThread(pid), threads0, count);
  rss.end = rssMb(pid);
  const result: RunResult = {
    system: name,
    case: mode,
    stored: count,
    cpuUsPerPoint: +(cpu / Math.max(count, 1)).toFixed(1),
    pointsPerSecond: Math.round(count / wallS),
    cpuPctOfOneCore: Math.round((100 * cpu) / 1e6 / wallS),
    threadsUsPerPoint,
    idleCpuPct,
    rssMb: rss,
    publisher: await publisher,
    warmUp,
  };
  if (values.profile) result.profileWindowUs = [from, to];
  await stopSystem(sys);
  // Both keep a persistent session: end it, or mosquitto queues the next run for it too.
  await endSession(env.servers.mqttUrl, sys.clientId);
  if (count < messages) console.error(`${name} stored ${count} of ${messages}:\n${sys.output()}`);
  return result;
}

/** What a system has taken so far: its points in InfluxDB, or what it says it received. */
function counter(sys: System, env: Env, db: string): () => Promise<number> {
  const { received } = sys;
  return received ? async () => received() : () => stored(env.influx, db);
}

/**
 * Counts (`count`: points stored, or messages a ceiling received) beyond `base` every
 * POLL_MS until `target` are counted, or none came for STALL_MS; `each` sees every count.
 * Returns the last count.
 */
async function countedUntil(
  count: () => Promise<number>,
  target: number,
  base: number,
  each?: (count: number) => void,
): Promise<number> {
  let counted = 0;
  let progressAt = performance.now();
  while (counted < target) {
    await sleep(POLL_MS);
    const now = (await count()) - base;
    if (now > counted) progressAt = performance.now();
    counted = now;
    each?.(counted);
    if (performance.now() - progressAt > STALL_MS) break;
  }
  return counted;
}

/**
 * What a running service has seen before the burst: `--warm` live messages on the same
 * topics with current timestamps, published the same way as the burst; waits until every
 * one is stored, then until the system has been up WARM_UPTIME_MS.
 */
async function warm(sys: System, env: Env, db: string, launched: number): Promise<WarmUp> {
  const pid = sys.proc.pid!;
  const cpu0 = cpuMicros(pid);
  const t0 = performance.now();
  sys.mark('warm-up');
  const publisher = publish(env.servers.mqttUrl, env.topics, 'current', warmMessages);
  const count = await countedUntil(counter(sys, env, db), warmMessages, 0);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuMicros(pid) - cpu0;
  await publisher;
  if (count !== warmMessages) {
    throw new Error(
      `${sys.name} stored ${count} of ${warmMessages} warm-up points:\n${sys.output()}`,
    );
  }
  const result: WarmUp = {
    messages: warmMessages,
    stored: count,
    seconds: +seconds.toFixed(1),
    pointsPerSecond: Math.round(count / seconds),
    cpuUsPerPoint: +(cpu / count).toFixed(1),
    rssMb: rssMb(pid),
  };
  console.error(`${sys.name} warm-up: ${JSON.stringify(result)}`);
  const wait = WARM_UPTIME_MS - (performance.now() - launched);
  if (wait > 0) await sleep(wait);
  return result;
}

/** CLOCK_MONOTONIC in µs: the clock of V8's CPU profiles, in every process. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** CPU per point of each thread name between two samples (threads that ended are missing). */
function perPoint(
  now: Record<string, number>,
  before: Record<string, number>,
  points: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, us] of Object.entries(now)) {
    const spent = us - (before[name] ?? 0);
    if (spent > 0) out[name] = +(spent / Math.max(points, 1)).toFixed(2);
  }
  return out;
}

async function endSession(url: string, clientId: string): Promise<void> {
  const client = await mqtt.connectAsync(url, { clientId, clean: true, protocolVersion: 4 });
  await client.endAsync();
}

interface Env {
  influx: InfluxdHandle;
  mosquitto: MosquittoHandle;
  servers: Servers;
  topics: string;
}

const { file: topics, count: households } = writeTopics();
// InfluxDB 1.x refuses a tag's 100,001st value by default: a run with more households lifts it.
const influx = await startInfluxd({ maxValuesPerTag: households > 100_000 ? 0 : 100_000 });
// The broker: queue without mosquitto's 1,000-message cap, 1,000 in flight, no persistence.
const mosquitto = await startMosquitto({
  quiet: true,
  extraConfig: ['max_queued_messages 1000000', 'max_inflight_messages 1000'],
});
const servers: Servers = {
  mqttUrl: mosquitto.url,
  mqttPort: mosquitto.port,
  influxUrl: influx.url,
  influxPort: influx.port,
};
const env: Env = { influx, mosquitto, servers, topics };
const results: RunResult[] = [];
try {
  for (const mode of cases) {
    for (const name of systems) {
      console.error(`${mode}: ${name}, ${messages} messages over ${households} households …`);
      const r = await runOne(name, mode, env);
      console.error(JSON.stringify(r));
      results.push(r);
    }
  }
} finally {
  await mosquitto.destroy();
  await influx.destroy();
  removeRunDir();
}
const ratios = cases.map((mode) => {
  const [h, n, c, ...written] = [
    'heatnet',
    'node-red',
    'ceiling',
    'ceiling-influx',
    'ceiling-durable',
  ].map((s) => results.find((r) => r.system === s && r.case === mode));
  // Each system's rate as a share of the pipe's ceiling in the same case.
  const ofCeiling: Record<string, number> = {};
  for (const r of [h, n, ...written]) {
    if (r && c) ofCeiling[r.system] = +(r.pointsPerSecond / c.pointsPerSecond).toFixed(2);
  }
  if (c) {
    const shares = Object.entries(ofCeiling).map(([s, x]) => `${s} ${Math.round(100 * x)} %`);
    const line = `pipe ceiling ${c.pointsPerSecond} msgs/s at ${c.cpuUsPerPoint} µs/msg`;
    console.error(`${mode}: ${line}; of its rate: ${shares.join(', ') || '—'}`);
  }
  return {
    case: mode,
    ...(h && n
      ? {
          cpuRatio: +(n.cpuUsPerPoint / h.cpuUsPerPoint).toFixed(2),
          rateRatio: +(h.pointsPerSecond / n.pointsPerSecond).toFixed(2),
        }
      : {}),
    ...(c ? { ofCeiling } : {}),
  };
});
console.log(
  JSON.stringify(
    {
      date: new Date().toISOString(),
      messages,
      warm: warmMessages,
      households,
      drain: values.drain,
      results,
      ratios,
    },
    null,
    2,
  ),
);
process.exit(results.every((r) => r.stored === messages) ? 0 : 1);
