/**
 * The pipe's ceiling for bench/mqtt-burst.ts (`--systems ceiling`, printed as "pipe
 * ceiling"): a subscriber that does what MQTT requires and nothing else. It subscribes to
 * the room topics at QoS 1 as a persistent session, counts each PUBLISH and acknowledges
 * it; nothing is parsed, routed or stored. Its transport is heatnet's own (WireSplice: the
 * PUBLISHes read off the socket, every PUBACK due in a turn of the loop in one write, the
 * socket rested between reads in a burst) and its MQTT options those heatnet's ingestor
 * uses with the demo config, so it is heatnet with the work taken out: a rate heatnet
 * cannot pass on this machine. The count goes to stdout as `received N` (every 50 ms while
 * it changes), which the bench reads in place of InfluxDB's count.
 *
 * With INFLUX_URL and DB (`--systems ceiling-influx`, "pipe ceiling + InfluxDB") each read's
 * messages also go to InfluxDB through heatnet's own writer, built as heatnet builds it
 * (buildStorage on the demo config: batch size, flush interval, batches in flight, spool),
 * as the points Node-RED's flow makes (topic levels as tags, `temp_c`, `ts`); still
 * acknowledged on receipt, as Node-RED does. It shows whether InfluxDB caps the rate. With
 * `durable` too (`ceiling-durable`), each read's PUBACKs wait until the writer has stored
 * its points, as heatnet's do: whether acknowledging on storage caps it.
 *   node --import tsx bench/mqtt-burst-ceiling.ts URL CLIENT_ID [INFLUX_URL DB DIR [durable]]
 * DIR is the writer's folder (its spool), made and removed by the bench.
 */
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { parseConfig } from '../src/config/load.ts';
import { noAlerts } from '../src/core/alerts.ts';
import { silentLogger } from '../src/core/logger.ts';
import type { Reading } from '../src/core/reading.ts';
import { type AckSocket, AckWriter } from '../src/ingest/mqtt/ack-writer.ts';
import type { PublishView } from '../src/ingest/mqtt/publish-frames.ts';
import { spliceStreams } from '../src/ingest/mqtt/wire-splice.ts';
import { buildStorage } from '../src/storage/build.ts';
import { BENCH_TOKENS } from './mqtt-burst-systems.ts';

const [url = '', clientId = 'ceiling', influxUrl, db, dir, acking] = process.argv.slice(2);
const writer = influxUrl && db && dir ? await heatnetWriter(influxUrl, db, dir) : undefined;
/** `durable`: a read's PUBACKs wait until the writer says its points are stored, as heatnet's. */
const durable = acking === 'durable';
let points: Reading[] = [];
let held: number[] = [];

// MqttIngestor's clientOptions with the demo config's defaults (MQTT 5, a day's session).
const client = mqtt.connect(url, {
  clientId,
  protocolVersion: 5,
  clean: false,
  reconnectPeriod: 1000,
  connectTimeout: 10_000,
  log: () => {},
  resubscribe: false,
  manualConnect: true,
  properties: { sessionExpiryInterval: 86_400, receiveMaximum: 65_535 },
});
const acks = new AckWriter(() =>
  client.connected ? (client.stream as unknown as AckSocket) : undefined,
);
let received = 0;
spliceStreams(client, true, {
  publish: (view, from) => {
    received++;
    if (writer) points.push(point(view));
    if (view.qos === 1) {
      acks.bind(from);
      if (durable) held.push(view.messageId);
      else acks.send(view.messageId);
    }
  },
  endOfRead: () => {
    if (points.length === 0) return;
    if (durable) {
      const ids = held;
      writer?.accept(points).then(() => {
        for (const id of ids) acks.send(id);
      });
      held = [];
    } else writer?.write(points);
    points = [];
  },
});
client.on('connect', () => client.subscribe('heatnet/room/+/+/+', { qos: 1, rh: 1 }));
// A reconnect would redeliver, and count twice, what was not acknowledged: the run is void.
client.on('close', () => {
  console.error('pipe ceiling: connection lost');
  process.exit(1);
});
client.connect();

let said = -1;
setInterval(() => {
  if (received === said) return;
  said = received;
  process.stdout.write(`received ${received}\n`);
}, 50);

async function heatnetWriter(influxUrl: string, db: string, dir: string) {
  const loaded = parseConfig(readFileSync('config/demo.yaml', 'utf8'), { ...BENCH_TOKENS }, 'demo');
  if (!loaded.ok) throw new Error('config/demo.yaml does not load');
  const influx = { url: influxUrl, version: 1 as const, db };
  const config = { ...loaded.config, storage: { ...loaded.config.storage, dataDir: dir, influx } };
  const { writer } = buildStorage({ config, baseDir: dir, log: silentLogger(), alerts: noAlerts });
  await writer.start();
  return writer;
}

/** The point Node-RED's flow makes of a message (bench/node-red/flow.ts). */
function point(view: PublishView): Reading {
  const [, , substation = '', building = '', household = ''] = view.topic.split('/');
  const p = JSON.parse(view.payload.toString()) as { temp_c: number; ts: number };
  const time = p.ts < 1e11 ? p.ts * 1000 : p.ts;
  return {
    measurement: 'room',
    tags: { substation, building, household },
    fields: { temp_c: p.temp_c },
    time,
  };
}
