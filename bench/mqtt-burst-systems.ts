/**
 * The two systems bench/mqtt-burst.ts compares, each as its own process whose CPU and
 * RSS are read from /proc: heatnet (`heatnet start` on the demo config, Modbus devices
 * removed, MQTT and storage pointed at the bench's servers) and Node-RED with the tuned
 * flow of bench/node-red/flow.ts, installed from npm into a temporary folder; and the
 * pipe's ceiling they are measured against (bench/mqtt-burst-ceiling.ts).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from '../test/support/ports.ts';
import { nodeRedFlow, nodeRedSettings } from './node-red/flow.ts';
import { launcherFlags } from './support/launcher.ts';

export const NODE_RED = 'node-red@4.1.8';
export const INFLUX_NODES = 'node-red-contrib-influxdb@0.7.0';
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

export interface System {
  name: string;
  /** The MQTT client id it subscribes with (its SUBSCRIBE shows in mosquitto's log). */
  clientId: string;
  proc: ChildProcess;
  output(): string;
  /** Writes a line into the log file between the process's own output (when logging). */
  mark(text: string): void;
  /** Messages it says it took, for a system that stores nothing (else InfluxDB counts). */
  received?: () => number;
  /** Its own temporary folder (config, data), removed once it has stopped. */
  dir?: string;
}

/** User + system CPU of a process so far, in µs. */
export function cpuMicros(pid: number): number {
  const { user, system } = cpuOf(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return user + system;
}

/** User and system CPU in µs from a process's or thread's `stat` line. */
function cpuOf(stat: string): { user: number; system: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5) (utime, stime); the slice starts at field 3. System time is
  // the kernel's share: socket reads and writes, page faults.
  return {
    user: (Number(fields[11]) * 1e6) / CLOCK_TICKS,
    system: (Number(fields[12]) * 1e6) / CLOCK_TICKS,
  };
}

/**
 * User + system CPU so far per thread, in µs: the main thread as "main", the others (V8's
 * workers, where TurboFan's concurrent compiles and the GC's helpers run, and libuv's pool)
 * summed by name, user and system time apart. A diagnostic beside `cpuMicros`, which stays
 * the measure.
 */
export function cpuMicrosByThread(pid: number): Record<string, number> {
  const byName: Record<string, number> = {};
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    // Node's threads all carry the process's name: the main thread is the one with its id.
    const name =
      tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const { user, system } = cpuOf(stat);
    byName[`${name} user`] = (byName[`${name} user`] ?? 0) + user;
    byName[`${name} sys`] = (byName[`${name} sys`] ?? 0) + system;
  }
  return byName;
}

/** Resident set size in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/** Systems' processes running now. */
const running = new Set<ChildProcess>();

/** The bench was interrupted: kills every system's process now. */
export function killSystems(): void {
  for (const proc of running) proc.kill('SIGKILL');
}

/** `logFile`: all of the process's output goes there too (V8's traces are long). */
function launch(
  name: string,
  clientId: string,
  args: string[],
  cwd?: string,
  logFile?: string,
): System {
  const proc = spawn(process.execPath, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...BENCH_TOKENS },
  });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  const log = logFile ? createWriteStream(logFile) : undefined;
  proc.once('exit', () => log?.end());
  let tail = '';
  const keep = (d: Buffer) => {
    log?.write(d);
    tail = (tail + d.toString()).slice(-8000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const mark = (text: string) => log?.write(`=== ${text} ===\n`);
  return { name, clientId, proc, output: () => tail, mark };
}

export const BENCH_TOKENS = {
  HEATNET_DISPATCH_TOKEN: 'bench-dispatcher-token-0001',
  HEATNET_SERVICE_TOKEN: 'bench-service-token-000002',
  HEATNET_ADMIN_TOKEN: 'bench-admin-token-00000003',
};

export interface Servers {
  mqttUrl: string;
  mqttPort: number;
  influxUrl: string;
  influxPort: number;
}

/**
 * `heatnet start` on the demo config, with its launcher's Node flags; `nodeArgs` e.g.
 * --cpu-prof or V8's --trace-deopt, whose output then wants a `logFile`.
 */
export async function startHeatnet(
  s: Servers,
  db: string,
  nodeArgs: string[],
  logFile?: string,
): Promise<System> {
  const raw = parse(readFileSync('config/demo.yaml', 'utf8'));
  raw.ingest.modbus.devices = [];
  raw.ingest.modbus.listeners = [];
  // A client id per run: its SUBSCRIBE in mosquitto's log is then this run's, not the last.
  const clientId = `heatnet-${db}`;
  raw.ingest.mqtt = { ...raw.ingest.mqtt, url: s.mqttUrl, clientId };
  delete raw.ingest.mqtt.embeddedPort;
  const dir = mkdtempSync(join(tmpdir(), 'heatnet-burst-'));
  raw.storage = { dataDir: join(dir, 'data'), influx: { url: s.influxUrl, version: 1, db } };
  raw.api = { ...raw.api, port: await freePort() };
  raw.simulation = { ...raw.simulation, groundTruth: { port: 0 }, complaints: {} };
  const file = join(dir, 'heatnet.yaml');
  writeFileSync(file, stringify(raw));
  // As its launcher starts it (its Node flags), then the bench's own (a profiler, traces).
  const args = [...launcherFlags(), ...nodeArgs, 'bin/heatnet.js', 'start', '--config', file];
  return { ...launch('heatnet', clientId, args, undefined, logFile), dir };
}

/**
 * The pipe's ceiling: counts the messages it acknowledges (`received N` lines), stores
 * none; `influx`: writes them to InfluxDB `db` too, which then counts them, and `durable`
 * acknowledges them only once stored.
 */
export function startCeiling(s: Servers, db: string, write?: 'influx' | 'durable'): System {
  const clientId = `ceiling-${db}`;
  const args = ['--import', 'tsx', 'bench/mqtt-burst-ceiling.ts', s.mqttUrl, clientId];
  if (write) {
    // The writer's folder (its spool) is made here, so stopSystem can remove it: the
    // subscriber itself is killed, not asked to tidy up.
    const dir = mkdtempSync(join(tmpdir(), 'heatnet-ceiling-'));
    const influx = [s.influxUrl, db, dir, ...(write === 'durable' ? ['durable'] : [])];
    const name = `pipe ceiling + InfluxDB (${write})`;
    return { ...launch(name, clientId, [...args, ...influx]), dir };
  }
  const sys = launch('pipe ceiling', clientId, args);
  sys.received = () => {
    const out = sys.output();
    const at = out.lastIndexOf('received ', out.lastIndexOf('\n')); // a whole line's
    const end = out.indexOf('\n', at);
    return at < 0 || end < 0 ? 0 : Number(out.slice(at + 9, end));
  };
  return sys;
}

/** Node-RED from `dir` (installed there first when missing). */
export async function startNodeRed(s: Servers, db: string, dir: string): Promise<System> {
  ensureNodeRed(dir);
  const clientId = `nodered-${db}`;
  const flowFile = join(dir, `flows-${db}.json`);
  const target = { mqttPort: s.mqttPort, influxPort: s.influxPort, db, clientId };
  writeFileSync(flowFile, JSON.stringify(nodeRedFlow(target)));
  const settings = join(dir, `settings-${db}.js`);
  writeFileSync(
    settings,
    nodeRedSettings(await freePort()).replace("'flows.json'", JSON.stringify(flowFile)),
  );
  const red = join(dir, 'node_modules', 'node-red', 'red.js');
  return launch('node-red', clientId, [red, '--userDir', dir, '--settings', settings], dir);
}

/** Installs Node-RED and the InfluxDB nodes into `dir`, never into the repository. */
export function ensureNodeRed(dir: string): void {
  if (existsSync(join(dir, 'node_modules', 'node-red-contrib-influxdb', 'package.json'))) return;
  console.error(`installing ${NODE_RED} and ${INFLUX_NODES} into ${dir} …`);
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefix', dir, NODE_RED, INFLUX_NODES],
    {
      stdio: 'inherit',
    },
  );
}

/**
 * Stops the system: SIGTERM (heatnet writes its CPU profile and flushes on it), SIGKILL
 * after 30 s; then removes its temporary folder (its config and data).
 */
export async function stopSystem(sys: System): Promise<void> {
  if (sys.proc.exitCode === null && sys.proc.signalCode === null) {
    const exited = new Promise((r) => sys.proc.once('exit', r));
    sys.proc.kill('SIGTERM');
    const timer = setTimeout(() => sys.proc.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
  if (sys.dir) rmSync(sys.dir, { recursive: true, force: true });
}
