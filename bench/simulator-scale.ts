/**
 * Scale mode (issue 3): 2,000 simulated Modbus devices (20 gateway ports × 100
 * unit ids) and 250,000 room sensors from ONE simulator process, polled by a real
 * heatnet service every 10 s and publishing to a real mosquitto. Measures the CPU
 * and memory of the simulator process (and, for information, of the service).
 *
 *   npx tsx bench/simulator-scale.ts [--seconds 120] [--warmup 30] [--speed 1]
 *
 * Results go to stdout as JSON and a Markdown row for BENCHMARKS.md.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { MqttPublisher } from '../simulators/mqtt-publisher.ts';
import { Simulator } from '../simulators/simulator.ts';
import { formatIssue } from '../src/config/issues.ts';
import { parseConfig } from '../src/config/load.ts';
import { createLogger } from '../src/core/logger.ts';
import { startMosquitto } from '../test/support/mosquitto.ts';
import { freePort } from '../test/support/ports.ts';
import { cpuSecondsOf, rssMbOf, sleep } from './measure.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '120' },
    warmup: { type: 'string', default: '30' },
    speed: { type: 'string', default: '1' },
  },
});
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const speed = Number(values.speed);
const TOKENS = {
  HEATNET_DISPATCH_TOKEN: 'bench-dispatch-token-0001',
  HEATNET_SERVICE_TOKEN: 'bench-service-token-00002',
  HEATNET_ADMIN_TOKEN: 'bench-admin-token-0000003',
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'heatnet-scale-'));
  const mosquitto = await startMosquitto();
  const basePort = 21000 + Math.floor(Math.random() * 20000);
  const generated = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/generate-scale-config.ts'],
    {
      env: { ...process.env, HEATNET_SCALE_BASE_PORT: String(basePort) },
    },
  );
  let yamlText = '';
  generated.stdout.on('data', (d) => {
    yamlText += d;
  });
  await new Promise((r) => generated.once('exit', r));
  const raw = parse(yamlText);
  raw.ingest.mqtt = { ...raw.ingest.mqtt, url: mosquitto.url, clientId: 'heatnet-bench' };
  raw.storage = { dataDir: join(dir, 'data') };
  raw.api = { ...raw.api, port: await freePort() };
  raw.simulation = { ...raw.simulation, speed, start: new Date().toISOString(), complaints: {} };
  const file = join(dir, 'scale.yaml');
  writeFileSync(file, stringify(raw));
  const loaded = parseConfig(readFileSync(file, 'utf8'), TOKENS, file);
  if (!loaded.ok) throw new Error(loaded.issues.map(formatIssue).join('\n'));
  const config = loaded.config;

  const log = createLogger({ level: 'warn' });
  const buildStart = performance.now();
  const simulator = new Simulator(config, log);
  await simulator.start();
  const startupS = (performance.now() - buildStart) / 1000;
  const service = spawn(process.execPath, ['bin/heatnet.js', 'start', '--config', file], {
    env: { ...process.env, ...TOKENS, HEATNET_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const servicePid = service.pid!;
  console.error(`simulator up in ${startupS.toFixed(1)} s; warming up ${warmup} s …`);
  await sleep(warmup * 1000);

  const publisher = MqttPublisher.of(simulator);
  const pub0 = { ...publisher?.counters };
  const selfCpu0 = process.cpuUsage();
  const svcCpu0 = cpuSecondsOf(servicePid);
  const wall0 = performance.now();
  const rss: number[] = [];
  for (let t = 0; t < seconds; t += 10) {
    await sleep(Math.min(10, seconds - t) * 1000);
    rss.push(process.memoryUsage().rss / 1e6);
  }
  const wallS = (performance.now() - wall0) / 1000;
  const self = process.cpuUsage(selfCpu0);
  const simCpuS = (self.user + self.system) / 1e6;
  const svcCpuS = cpuSecondsOf(servicePid) - svcCpu0;
  const health = (await (await fetch(`http://127.0.0.1:${config.api.port}/api/health`)).json()) as {
    ingest: { modbus: { up: number; down: number; devices: number } };
  };
  const pub1 = publisher?.counters;
  const result = {
    date: new Date().toISOString(),
    speed,
    devices: config.ingest.modbus.devices.length,
    households: simulator.model.households.list.length,
    roomSensors: publisher?.roomSensors().length ?? 0,
    windowS: Math.round(wallS),
    simulatorCpuPctOfOneCore: +((100 * simCpuS) / wallS).toFixed(1),
    simulatorRssMb: { min: Math.round(Math.min(...rss)), max: Math.round(Math.max(...rss)) },
    simulatorStartupS: +startupS.toFixed(1),
    roomMessagesPerS:
      pub1 && pub0 ? +((pub1.published.room - (pub0.published?.room ?? 0)) / wallS).toFixed(0) : 0,
    droppedRoomMessages: pub1 && pub0 ? pub1.dropped.room - (pub0.dropped?.room ?? 0) : 0,
    serviceCpuPctOfOneCore: +((100 * svcCpuS) / wallS).toFixed(1),
    serviceRssMb: Math.round(rssMbOf(servicePid)),
    devicesUp: health.ingest.modbus.up,
    devicesDown: health.ingest.modbus.down,
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(
    `| ${result.date.slice(0, 10)} | speed ${speed} | ${result.devices} devices, ${result.roomSensors} room sensors | ` +
      `simulator ${result.simulatorCpuPctOfOneCore} % of one core, RSS ${result.simulatorRssMb.min}–${result.simulatorRssMb.max} MB | ` +
      `${result.roomMessagesPerS} room msg/s, ${result.droppedRoomMessages} dropped | ` +
      `service ${result.serviceCpuPctOfOneCore} %, ${result.devicesUp}/${result.devices} devices up |`,
  );
  service.kill('SIGTERM');
  await new Promise((r) => service.once('exit', r));
  await simulator.stop();
  await mosquitto.destroy();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
