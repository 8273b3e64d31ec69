/**
 * Publisher for bench/mqtt-burst.ts, its own process so its CPU counts against neither
 * system: COUNT room messages at QoS 1, round-robin over the topics in TOPICS_FILE (one a
 * line), as fast as the broker takes them with up to INFLIGHT unacknowledged.
 *   node --import tsx bench/mqtt-burst-publish.ts URL TOPICS_FILE COUNT INFLIGHT CASE [RATE]
 * RATE > 0 keeps to that many messages per second (a steady load rather than a burst).
 * CASE `backfill`: `ts` in epoch seconds from a week back, one second apart per message
 * (a gateway flushing its buffer after an outage). CASE `current`: `ts` is the publish
 * time in epoch ms, kept distinct per topic so every message is its own point.
 */
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';

const [
  url = '',
  topicsFile = '',
  count = '300000',
  inflight = '500',
  mode = 'backfill',
  rate = '0',
] = process.argv.slice(2);
const topics = readFileSync(topicsFile, 'utf8').split('\n').filter(Boolean);
const total = Number(count);
const window = Number(inflight);
const weekAgoS = Math.floor(Date.now() / 1000) - 7 * 86_400;
const lastMs = new Float64Array(topics.length);

function payload(i: number): string {
  const temp = (17 + (i % 50) / 10).toFixed(1);
  if (mode === 'backfill') return `{"temp_c":${temp},"ts":${weekAgoS + i}}`;
  const t = i % topics.length;
  const ms = Math.max(Date.now(), lastMs[t]! + 1);
  lastMs[t] = ms;
  return `{"temp_c":${temp},"ts":${ms}}`;
}

const client = await mqtt.connectAsync(url, {
  clientId: `burst-pub-${process.pid}`,
  clean: true,
  // Our own outgoing window is what we keep in flight, not MQTT.js's default queueing.
  queueQoSZero: false,
});
let sent = 0;
let acked = 0;
const started = performance.now();
await new Promise<void>((resolve, reject) => {
  const onAck = (err?: Error): void => {
    if (err) {
      reject(err);
      return;
    }
    acked++;
    if (acked === total) resolve();
    else if (sent - acked === window >> 1) setImmediate(pump);
  };
  const perSecond = Number(rate);
  const pump = (): void => {
    // Ahead of a steady rate: wait until the clock catches up (checked every 10 ms).
    const ahead = () => perSecond > 0 && sent >= ((performance.now() - started) * perSecond) / 1000;
    while (sent < total && sent - acked < window) {
      if (ahead()) {
        setTimeout(pump, 10);
        return;
      }
      const i = sent++;
      client.publish(topics[i % topics.length]!, payload(i), { qos: 1 }, onAck);
    }
  };
  pump();
});
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ published: total, seconds: +seconds.toFixed(2), perSecond: Math.round(total / seconds) })}\n`,
);
await client.endAsync();
