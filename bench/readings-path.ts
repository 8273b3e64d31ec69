/**
 * Issue 14, the half after `IngestPipeline.accept`: the demo network's room readings as the
 * MQTT router makes them (one frozen tags object per topic, one reading per message) handed
 * to the pipeline of a whole `HeatnetApp` on the demo config (live state, balance windows,
 * the `readings` listeners, the writer into a real InfluxDB 1.x), with at most `--inflight`
 * messages waiting for durability, as a broker's window would. No MQTT: what it measures is
 * this process's CPU per reading stored from the pipeline on, profiled with
 * `--profile FILE` (read it with bench/mqtt-profile-top.ts).
 *   npx tsx bench/readings-path.ts [--readings 300000] [--case backfill|current]
 *     [--per-tick 40] [--inflight 20000] [--profile FILE]
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { HeatnetApp } from '../src/app.ts';
import { parseConfig } from '../src/config/load.ts';
import { createLogger } from '../src/core/logger.ts';
import type { Reading } from '../src/core/reading.ts';
import { seriesTags } from '../src/core/series-tags.ts';
import { eventually } from '../test/support/config.ts';
import { startInfluxd } from '../test/support/influxd.ts';
import { startMosquitto } from '../test/support/mosquitto.ts';
import { BENCH_TOKENS } from './mqtt-burst-systems.ts';

const { values } = parseArgs({
  options: {
    readings: { type: 'string', default: '300000' },
    case: { type: 'string', default: 'backfill' },
    /** Messages handed on per turn of the event loop (a socket read's worth). */
    'per-tick': { type: 'string', default: '40' },
    inflight: { type: 'string', default: '20000' },
    /** Writes a CPU profile of the measured run (not the start-up) to this file. */
    profile: { type: 'string' },
  },
});
const total = Number(values.readings);
const perTick = Number(values['per-tick']);
const inflight = Number(values.inflight);

const influx = await startInfluxd();
await influx.createDatabase('bench');
const mosquitto = await startMosquitto({ quiet: true });
const raw = parse(readFileSync('config/demo.yaml', 'utf8'));
raw.ingest.modbus.devices = [];
raw.ingest.modbus.listeners = [];
raw.ingest.mqtt = { ...raw.ingest.mqtt, url: mosquitto.url, clientId: 'readings-path' };
delete raw.ingest.mqtt.embeddedPort;
raw.storage = {
  dataDir: join(mkdtempSync(join(tmpdir(), 'heatnet-path-')), 'data'),
  influx: { url: influx.url, version: 1, db: 'bench' },
};
raw.simulation = { ...raw.simulation, groundTruth: { port: 0 }, complaints: {} };
const loaded = parseConfig(JSON.stringify(raw), { ...BENCH_TOKENS }, 'bench');
if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
const app = new HeatnetApp(loaded.config, { log: createLogger({ level: 'warn' }) });
await app.start();

// One shared tags object per household topic, enriched as the router does.
const topics: Readonly<Record<string, string>>[] = [];
for (const s of app.topology.substations)
  for (const b of s.buildings)
    for (const h of b.households) {
      topics.push(seriesTags({ substation: s.id, building: b.id, household: h.id, zone: h.zone }));
    }

const backfill = values.case === 'backfill';
const start = Date.now() - (backfill ? 7 * 86_400_000 : 0);
let sent = 0;
let pending = 0;
let failed = 0;
const session = values.profile ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
await new Promise<void>((done) => {
  let blocked = false;
  const settled = () => {
    pending--;
    if (sent >= total && pending === 0) done();
    else if (blocked && pending < inflight / 2) {
      blocked = false;
      setImmediate(tick);
    }
  };
  const tick = () => {
    for (let k = 0; k < perTick && sent < total && pending < inflight; k++, sent++) {
      const tags = topics[sent % topics.length]!;
      const time = backfill ? start + sent * 1000 : Date.now();
      const reading: Reading = {
        measurement: 'room',
        tags,
        fields: { temp_c: 18 + ((sent * 7) % 50) / 10 },
        time,
      };
      pending++;
      app.pipeline.accept([reading], { durable: true }).then(settled, () => {
        failed++;
        settled();
      });
    }
    // A full window waits for acknowledgements, as a broker does; otherwise the next read.
    if (pending >= inflight) blocked = true;
    else if (sent < total) setImmediate(tick);
  };
  tick();
});
const wallS = (performance.now() - wall0) / 1000;
const cpu = process.cpuUsage(cpu0);
if (session) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(values.profile!, JSON.stringify(profile));
  session.disconnect();
}
await eventually(
  async () => {
    const count = await influx.query('SELECT count("temp_c") FROM "room"', 'bench');
    return Number(count[0]?.values[0]?.[1] ?? 0) >= total;
  },
  { timeoutMs: 120_000, what: 'every reading stored' },
);
const result = {
  date: new Date().toISOString(),
  case: values.case,
  readings: total,
  failed,
  cpuUsPerReading: +((cpu.user + cpu.system) / total).toFixed(2),
  readingsPerSecond: Math.round(total / wallS),
  rssMb: Math.round(process.memoryUsage().rss / 1e6),
  storage: app.writer.health(),
};
console.log(JSON.stringify(result, null, 2));
await app.stop();
await mosquitto.destroy();
await influx.destroy();
process.exit(failed === 0 ? 0 : 1);
