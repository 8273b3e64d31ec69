/**
 * Load generator for bench/mqtt-to-influx.ts, run as its own process so its CPU is
 * not counted against heatnet: publishes COUNT one-field room messages at QoS 1 to
 * URL, spread over HOUSEHOLDS topics, keeping up to WINDOW unacknowledged.
 *   node --import tsx bench/support/publish-rooms.ts URL COUNT HOUSEHOLDS WINDOW BASE_TS
 */
import mqtt from 'mqtt';

const [
  url = 'mqtt://127.0.0.1:1883',
  count = '100000',
  households = '10000',
  window = '2000',
  base = '1790000000',
] = process.argv.slice(2);
const total = Number(count);
const homes = Number(households);
const inFlightMax = Number(window);
const baseTs = Number(base);

const client = await mqtt.connectAsync(url, { clientId: `bench-pub-${process.pid}`, clean: true });
const topics = Array.from({ length: homes }, (_, i) => `bench/room/S${i % 100}/B${i % 1000}/H${i}`);
let sent = 0;
let acked = 0;
const started = performance.now();
await new Promise<void>((resolve) => {
  const pump = (): void => {
    while (sent < total && sent - acked < inFlightMax) {
      const i = sent++;
      // Distinct timestamps per household so every message is its own point.
      const payload = `{"temp_c":${(18 + (i % 70) / 10).toFixed(1)},"ts":${baseTs + Math.floor(i / homes)}}`;
      client.publish(topics[i % homes]!, payload, { qos: 1 }, () => {
        acked++;
        if (acked === total) resolve();
        else if (sent - acked < inFlightMax / 2) setImmediate(pump);
      });
    }
  };
  pump();
});
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ published: total, seconds, perSecond: Math.round(total / seconds) })}\n`,
);
await client.endAsync();
