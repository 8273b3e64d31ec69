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
 *   node --import tsx bench/mqtt-burst-ceiling.ts URL CLIENT_ID
 */
import mqtt from 'mqtt';
import { type AckSocket, AckWriter } from '../src/ingest/mqtt/ack-writer.ts';
import { spliceStreams } from '../src/ingest/mqtt/wire-splice.ts';

const [url = '', clientId = 'ceiling'] = process.argv.slice(2);

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
    if (view.qos === 1) {
      acks.bind(from);
      acks.send(view.messageId);
    }
  },
  endOfRead: () => {},
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
