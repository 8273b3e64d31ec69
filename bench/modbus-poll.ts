/**
 * Modbus polling at scale (issue 4): 2,000 simulated devices (the scale network, ~20–45
 * registers each) polled every 10 s by heatnet (this process), with a share of them dead
 * — half behind a port that accepts and never answers, half behind a refused port. The
 * simulator runs as its own process so its CPU is not counted.
 *
 * Reports heatnet's CPU (% of one core), RSS over time, and how late healthy devices'
 * polls come (interval between successive successful polls vs the 10 s schedule).
 *   npx tsx bench/modbus-poll.ts [--seconds 120] [--warmup 30] [--dead 0.1]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { HeatnetApp } from '../src/app.ts';
import { parseConfig } from '../src/config/load.ts';
import { silentLogger } from '../src/core/logger.ts';
import { eventually, TEST_TOKENS } from '../test/support/config.ts';
import { freePorts } from '../test/support/ports.ts';
import { sleep } from './measure.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '120' },
    warmup: { type: 'string', default: '30' },
    dead: { type: 'string', default: '0.1' },
  },
});
const seconds = Number(values.seconds);
const deadShare = Number(values.dead);

const dir = mkdtempSync(join(tmpdir(), 'heatnet-modbus-bench-'));
const basePort = 30000 + Math.floor(Math.random() * 10000);
const raw = parse(await generate(basePort));
raw.ingest.mqtt = { url: 'embedded', embeddedPort: 0 };
raw.storage = { dataDir: join(dir, 'data') };
raw.api = { ...raw.api, port: 0 };
raw.simulation = { ...raw.simulation, publish: { roomSensorShare: 0 }, complaints: {} };
const simFile = join(dir, 'sim.yaml');
writeFileSync(simFile, stringify(raw));

// heatnet's view: the same devices, but a share of them dead.
const [mutePort, closedPort] = await freePorts(2);
const sockets: Socket[] = [];
const mute = createServer((s) => sockets.push(s)).listen(mutePort, '127.0.0.1');
const devices = raw.ingest.modbus.devices as { id: string; url: string; unitId: number }[];
const deadIds = new Set<string>();
devices.forEach((d, i) => {
  if (i % Math.round(1 / deadShare) !== 0) return;
  deadIds.add(d.id);
  d.url = `tcp://127.0.0.1:${deadIds.size % 2 === 0 ? mutePort : closedPort}`;
  d.unitId = Math.ceil(deadIds.size / 2); // unique per dead port
});
const loaded = parseConfig(stringify(raw), TEST_TOKENS, 'bench');
if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues.slice(0, 5)));

const simulator = spawn(process.execPath, ['bin/heatnet.js', 'simulate', '--config', simFile], {
  env: { ...process.env, ...TEST_TOKENS, HEATNET_LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
await sleep(8000); // the simulator builds 250,000 households before it listens

const app = new HeatnetApp(loaded.config, { log: silentLogger() });
const lastOk = new Map<string, number>();
const lateness: number[] = [];
app.bus.on('readings', 'bench', (readings) => {
  const now = performance.now();
  for (const r of readings) {
    if (r.measurement !== 'device_health' || r.fields.ok !== true) continue;
    const id = r.tags.device!;
    const prev = lastOk.get(id);
    if (prev !== undefined && measuring) lateness.push(now - prev - 10_000);
    lastOk.set(id, now);
  }
});
let measuring = false;
await app.start();
await eventually(
  () => app.modbus.health().filter((h) => h.state === 'up').length >= devices.length - deadIds.size,
  {
    timeoutMs: 120_000,
    what: 'healthy devices up',
  },
);
await sleep(Number(values.warmup) * 1000);

measuring = true;
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
const rss: { s: number; mb: number }[] = [];
for (let t = 0; t < seconds; t += 10) {
  await sleep(Math.min(10, seconds - t) * 1000);
  rss.push({
    s: Math.round((performance.now() - wall0) / 1000),
    mb: Math.round(process.memoryUsage().rss / 1e6),
  });
}
const wallS = (performance.now() - wall0) / 1000;
const cpu = process.cpuUsage(cpu0);
measuring = false;
const health = app.modbus.health();
lateness.sort((a, b) => a - b);
const pct = (p: number) =>
  Math.round(lateness[Math.min(lateness.length - 1, Math.floor(p * lateness.length))] ?? 0);
const result = {
  date: new Date().toISOString(),
  devices: devices.length,
  dead: deadIds.size,
  up: health.filter((h) => h.state === 'up').length,
  down: health.filter((h) => h.state === 'down').length,
  heatnetCpuPctOfOneCore: +((100 * (cpu.user + cpu.system)) / 1e6 / wallS).toFixed(1),
  healthyPollIntervals: lateness.length,
  lateMs: {
    p50: pct(0.5),
    p99: pct(0.99),
    max: Math.round(lateness.at(-1) ?? 0),
    min: Math.round(lateness[0] ?? 0),
  },
  rssMb: rss,
};
console.log(JSON.stringify(result, null, 2));
await app.stop();
simulator.kill('SIGTERM');
for (const s of sockets) s.destroy();
mute.close();
process.exit(0);

async function generate(port: number): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/generate-scale-config.ts'], {
    env: { ...process.env, HEATNET_SCALE_BASE_PORT: String(port) },
  });
  let text = '';
  child.stdout.on('data', (d) => {
    text += d;
  });
  await new Promise((r) => child.once('exit', r));
  return text;
}
