// Shared pieces of the MQTT reliability tests (mqtt-*.test.ts): a config for the ingestor,
// sinks standing in for storage, a publisher of numbered messages, and readers that count
// what arrived. Not a test file itself.
import { mkdtempSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { MqttConfig } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { Topology } from '../../src/domain/topology.ts';
import { type Accept, MqttIngestor, type StaleHooks } from '../../src/ingest/mqtt/ingestor.ts';
import { LocalLineStore } from '../../src/storage/local-store.ts';
import { BatchingWriter } from '../../src/storage/writer.ts';
import { eventually, testConfig } from '../support/config.ts';

/** Test sensors publish `{"seq": n, "value": v, "ts": ms}` on `heatnet/test/{sensor}`. */
export const TEST_TOPIC = 'heatnet/test/{sensor}';
export const topicOf = (sensor: string) => `heatnet/test/${sensor}`;
/** A fixed base time (payload times must lie between 2000 and now + 1 day). */
const BASE_MS = Date.UTC(2026, 0, 1);
export const expectedValue = (seq: number) => Math.round(seq * 7.3) / 10;

export function mqttConfig(url: string, overrides: Partial<MqttConfig> = {}): MqttConfig {
  return {
    url,
    embeddedPort: 0,
    embeddedHost: '127.0.0.1',
    embedded: {},
    clientId: 'heatnet-test',
    protocolVersion: 5,
    sessionExpiryS: 3600,
    reconnectMinMs: 100,
    reconnectMaxMs: 1000,
    staleAfterS: 3600,
    subscriptions: [
      {
        topic: TEST_TOPIC,
        measurement: 'probe',
        format: 'json',
        fields: { seq: 'seq', value: 'value' },
        time: 'ts',
        qos: 1,
      },
    ],
    ...overrides,
  };
}

let topology: Promise<Topology> | undefined;
const testTopology = () => {
  topology ??= testConfig({ substations: 1 }).then((c) => new Topology(c.network));
  return topology;
};

export async function startIngestor(
  config: MqttConfig,
  accept: Accept,
  hooks: StaleHooks = {},
): Promise<MqttIngestor> {
  const ingestor = new MqttIngestor(
    config,
    () => config.url,
    await testTopology(),
    accept,
    silentLogger(),
    Date.now,
    hooks,
  );
  await ingestor.start();
  await eventually(() => ingestor.health().subscribed, {
    timeoutMs: 10_000,
    what: `${config.clientId} to be subscribed`,
  });
  return ingestor;
}

/** Storage stand-in whose acceptance the test switches: it resolves, or it rejects. */
export class ControlledSink {
  refusing = false;
  refusedCalls = 0;
  readonly accepted: Reading[] = [];

  readonly accept = async (readings: Reading[]): Promise<void> => {
    await new Promise((r) => setImmediate(r)); // settle later, as real storage does
    if (this.refusing) {
      this.refusedCalls++;
      throw new Error('storage unavailable (test)');
    }
    this.accepted.push(...readings);
  };

  seqs(): number[] {
    return seqsOf(this.accepted);
  }
}

export const seqsOf = (readings: readonly Reading[]) => readings.map((r) => Number(r.fields.seq));

/**
 * The real BatchingWriter over a LocalLineStore (line protocol appended to disk); its
 * `accept` resolves once the lines are on disk.
 */
export async function diskWriter(): Promise<{
  writer: BatchingWriter;
  accept: Accept;
  dir: string;
}> {
  const dir = join(mkdtempSync(join(tmpdir(), 'heatnet-mqtt-')), 'local');
  const options = { batchSize: 5000, flushIntervalMs: 50, maxBufferedLines: 1_000_000 };
  const writer = new BatchingWriter(new LocalLineStore(dir), options, silentLogger());
  await writer.start();
  return { writer, accept: (readings) => writer.accept(readings), dir };
}

/** Every `seq` in the line-protocol files of a LocalLineStore, with its value. */
export async function storedSeqs(dir: string): Promise<Map<number, number[]>> {
  const found = new Map<number, number[]>();
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.lp'));
  for (const file of files) {
    for (const line of (await readFile(join(dir, file), 'utf8')).split('\n')) {
      const m = /\bseq=([\d.]+),value=([-\d.e]+)/.exec(line);
      if (!m) continue;
      const seq = Number(m[1]);
      found.set(seq, [...(found.get(seq) ?? []), Number(m[2])]);
    }
  }
  return found;
}

export async function publisher(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 200, ...options });
}

export function payload(seq: number): string {
  return JSON.stringify({ seq, value: expectedValue(seq), ts: BASE_MS + seq });
}

/** Publishes seq from…to-1 at QoS 1 on `sensor`'s topic, all at once. */
export async function publishRange(
  client: MqttClient,
  from: number,
  to: number,
  sensor = 's1',
): Promise<void> {
  const sends: Promise<unknown>[] = [];
  for (let seq = from; seq < to; seq++) {
    sends.push(client.publishAsync(topicOf(sensor), payload(seq), { qos: 1 }));
  }
  await Promise.all(sends);
}

/** Counts: how many of 0…n-1 arrived, how many are missing, how many came more than once. */
export function tally(seqs: readonly number[], n: number) {
  const counts = new Map<number, number>();
  for (const s of seqs) counts.set(s, (counts.get(s) ?? 0) + 1);
  let missing = 0;
  for (let seq = 0; seq < n; seq++) if (!counts.has(seq)) missing++;
  const duplicates = seqs.length - counts.size;
  return { distinct: counts.size, missing, duplicates, total: seqs.length };
}
