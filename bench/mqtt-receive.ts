/**
 * Issue 14, the receive side alone: the CPU heatnet spends from the socket's bytes to the
 * ingest pipeline's `accept`, without a broker, a publisher or storage (their noise
 * drowns this half on a shared machine). The burst's PUBLISH frames (demo households,
 * `{"temp_c":…,"ts":…}`, QoS 1, MQTT 5) are cut into 64 KiB socket reads and fed to the
 * ingestor's WireSplice; `accept` resolves at once, as a writer's shared batch promise.
 * `--path mqttjs` feeds the same reads through MQTT.js's parser and `handleMessage` (the
 * path before the splice, still taken over WebSockets), for comparison.
 *   npx tsx bench/mqtt-receive.ts [--messages 300000] [--rounds 5] [--v 5] [--path splice|mqttjs]
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { parseConfig } from '../src/config/load.ts';
import { silentLogger } from '../src/core/logger.ts';
import { Topology } from '../src/domain/topology.ts';
import { MqttIngestor } from '../src/ingest/mqtt/ingestor.ts';
import { type PublishBatches, WireSplice } from '../src/ingest/mqtt/wire-splice.ts';
import { BENCH_TOKENS } from './mqtt-burst-systems.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '300000' },
    rounds: { type: 'string', default: '5' },
    v: { type: 'string', default: '5' },
    path: { type: 'string', default: 'splice' },
  },
});
const messages = Number(values.messages);
const v5 = values.v === '5';

const loaded = parseConfig(readFileSync('config/demo.yaml', 'utf8'), { ...BENCH_TOKENS }, 'demo');
if (!loaded.ok) throw new Error('config/demo.yaml does not load');
const topology = new Topology(loaded.config.network);
const topics: string[] = [];
for (const s of topology.substations)
  for (const b of s.buildings)
    for (const h of b.households) topics.push(`heatnet/room/${s.id}/${b.id}/${h.id}`);

/** One QoS 1 PUBLISH frame, as mosquitto sends it. */
function frame(topic: string, payload: string, id: number): Buffer {
  const t = Buffer.from(topic);
  const p = Buffer.from(payload);
  const length = 2 + t.length + 2 + (v5 ? 1 : 0) + p.length;
  const head = length < 128 ? [0x32, length] : [0x32, (length & 0x7f) | 0x80, length >> 7];
  const id2 = [id >> 8, id & 0xff];
  return Buffer.concat([
    Buffer.from(head),
    Buffer.from([t.length >> 8, t.length & 0xff]),
    t,
    Buffer.from(v5 ? [...id2, 0] : id2),
    p,
  ]);
}

const weekAgoS = Math.floor(Date.now() / 1000) - 7 * 86_400;
const frames: Buffer[] = [];
for (let i = 0; i < messages; i++) {
  const temp = (17 + (i % 50) / 10).toFixed(1);
  const payload = `{"temp_c":${temp},"ts":${weekAgoS + i}}`;
  frames.push(frame(topics[i % topics.length]!, payload, (i % 65_535) + 1));
}
const wire = Buffer.concat(frames);
const reads: Buffer[] = [];
for (let at = 0; at < wire.length; at += 65_536) reads.push(wire.subarray(at, at + 65_536));

const done = Promise.resolve();
let accepted = 0;
const perRound: number[] = [];
const mqttConfig = { ...loaded.config.ingest.mqtt, protocolVersion: v5 ? 5 : 4 } as const;
/** Reads go to the ingestor's WireSplice, as over TCP. */
function viaSplice(ingestor: MqttIngestor): (chunk: Buffer) => void {
  const batches = (ingestor as unknown as { batches: PublishBatches }).batches;
  const socket = new EventEmitter() as unknown as Socket;
  new WireSplice(socket, v5, batches);
  return (chunk) => socket.emit('data', chunk);
}

/** Reads go to an MQTT.js client whose handleMessage is the ingestor's, as before. */
function viaMqttJs(ingestor: MqttIngestor): (chunk: Buffer) => void {
  const stream = new Duplex({ read() {}, write: (_c, _e, cb) => cb() });
  const client = new mqtt.MqttClient(() => stream, {
    protocolVersion: v5 ? 5 : 4,
    manualConnect: true,
    keepalive: 0,
    reconnectPeriod: 0,
    log: () => {},
  });
  client.handleMessage = ingestor.onPublish;
  client.connect();
  stream.push(Buffer.from(v5 ? [0x20, 3, 0, 0, 0] : [0x20, 2, 0, 0])); // CONNACK
  return (chunk) => stream.push(chunk);
}

for (let round = 0; round < Number(values.rounds); round++) {
  const ingestor = new MqttIngestor(
    mqttConfig,
    () => 'mqtt://unused',
    topology,
    (readings) => {
      accepted += readings.length;
      return done;
    },
    silentLogger(),
  );
  const feed = values.path === 'mqttjs' ? viaMqttJs(ingestor) : viaSplice(ingestor);
  accepted = 0;
  const before = process.cpuUsage();
  for (const chunk of reads) {
    feed(chunk);
    // A turn of the loop between reads, as on a socket: batches settle, garbage is young.
    await new Promise((r) => setImmediate(r));
  }
  while (accepted < messages) await new Promise((r) => setImmediate(r));
  const used = process.cpuUsage(before);
  const us = (used.user + used.system) / messages;
  if (round > 0) perRound.push(us); // the first round fills the topic cache and warms up
  console.log(
    JSON.stringify({
      round,
      messages,
      accepted,
      reads: reads.length,
      cpuUsPerMessage: +us.toFixed(3),
    }),
  );
  await ingestor.stop();
}
perRound.sort((a, b) => a - b);
const median = perRound[Math.floor(perRound.length / 2)] ?? Number.NaN;
// On a shared machine the least is the steadiest figure: neighbours only ever add to it.
console.log(
  JSON.stringify({ minUsPerMessage: +perRound[0]!.toFixed(3), median: +median.toFixed(3) }),
);
