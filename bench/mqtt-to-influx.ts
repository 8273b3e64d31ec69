/**
 * MQTT → InfluxDB end to end (issue 4): one-field room messages at QoS 1 from a
 * separate publisher process, through a real mosquitto, into heatnet (this process:
 * MQTT client, mapping, live state, batching writer) and a real InfluxDB 1.x.
 * Reports heatnet's CPU per point and the sustained rate, and checks every point
 * arrived.
 *   npx tsx bench/mqtt-to-influx.ts [--points 300000] [--households 20000]
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { HeatnetApp } from '../src/app.ts';
import { createLogger } from '../src/core/logger.ts';
import { eventually, testConfig } from '../test/support/config.ts';
import { startInfluxd } from '../test/support/influxd.ts';
import { startMosquitto } from '../test/support/mosquitto.ts';

const { values } = parseArgs({
  options: {
    points: { type: 'string', default: '300000' },
    households: { type: 'string', default: '20000' },
    window: { type: 'string', default: '2000' },
  },
});
const points = Number(values.points);
const BASE_TS = Math.floor(Date.now() / 1000) - 7 * 86400;

const influx = await startInfluxd();
await influx.createDatabase('bench');
// mosquitto queues at most 1,000 QoS 1 messages per subscriber by default and drops
// the rest silently; an ingest broker must queue without that cap.
const mosquitto = await startMosquitto({ extraConfig: ['max_queued_messages 0'] });
const config = await testConfig({
  substations: 1,
  influx: { url: influx.url, version: 1, db: 'bench' },
  patch: (raw) => {
    raw.ingest.modbus.devices = [];
    raw.ingest.mqtt = {
      url: mosquitto.url,
      clientId: 'heatnet-bench',
      subscriptions: [
        {
          topic: 'bench/room/{substation}/{building}/{household}',
          measurement: 'room',
          format: 'json',
          fields: { temp_c: 'temp_c' },
          time: 'ts',
          qos: 1,
        },
      ],
    };
  },
});
const app = new HeatnetApp(config, {
  log: createLogger({ level: process.env.BENCH_LOG ?? 'silent' }),
});
await app.start();
await eventually(() => app.mqtt.health().connected, { what: 'MQTT connection' });

const cpu0 = process.cpuUsage();
const wall0 = performance.now();
const publisher = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    'bench/support/publish-rooms.ts',
    mosquitto.url,
    String(points),
    values.households!,
    values.window!,
    String(BASE_TS),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
// Listen for the exit now: the publisher may well be done before the points are written.
const publisherExit = new Promise((r) => publisher.once('exit', r));
let publisherOut = '';
publisher.stdout.on('data', (d) => {
  publisherOut += d;
});
const progress = setInterval(() => {
  const sub = app.mqtt.health().subscriptions[0];
  console.error(
    `received ${sub?.messages ?? 0}, malformed ${sub?.malformed ?? 0}, written ${app.writer.health().writtenLines}`,
  );
}, 5000);
await eventually(() => app.writer.health().writtenLines >= points, {
  timeoutMs: 600_000,
  intervalMs: 50,
  what: `${points} points written`,
});
clearInterval(progress);
const wallS = (performance.now() - wall0) / 1000;
const cpu = process.cpuUsage(cpu0);
await publisherExit;
const count = await influx.query('SELECT count("temp_c") FROM "room"', 'bench');
const stored = Number(count[0]?.values[0]?.[1] ?? 0);
const result = {
  date: new Date().toISOString(),
  points,
  stored,
  heatnetCpuUsPerPoint: +((cpu.user + cpu.system) / points).toFixed(2),
  heatnetCpuPctOfOneCore: +((100 * (cpu.user + cpu.system)) / 1e6 / wallS).toFixed(0),
  pointsPerSecond: Math.round(points / wallS),
  publisher: JSON.parse(publisherOut || '{}'),
  rssMb: Math.round(process.memoryUsage().rss / 1e6),
};
console.log(JSON.stringify(result, null, 2));
await app.stop();
await mosquitto.destroy();
await influx.destroy();
process.exit(stored === points ? 0 : 1);
