import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttIngestor } from '../../src/ingest/mqtt/ingestor.ts';
import { eventually } from '../support/config.ts';
import { type MosquittoHandle, startMosquitto } from '../support/mosquitto.ts';
import {
  ControlledSink,
  expectedValue,
  mqttConfig,
  publisher,
  publishRange,
  startIngestor,
  tally,
} from './mqtt-harness.ts';

/**
 * Shared subscriptions (`$share/GROUP/filter`): several heatnet instances split one stream,
 * each message going to exactly one of them — how ingestion scales past one machine. mosquitto
 * supports them for MQTT 5 and, as an extension, for 3.1.1 clients too.
 */
describe('shared subscriptions split one stream between instances (real mosquitto)', () => {
  let broker: MosquittoHandle;
  let pub: MqttClient;
  const running: MqttIngestor[] = [];

  beforeAll(async () => {
    broker = await startMosquitto({ persistence: true });
    pub = await publisher(broker.url, { clientId: 'shared-test-publisher' });
  });

  afterAll(async () => {
    await pub?.endAsync();
    for (const ingestor of running) await ingestor.stop();
    await broker?.destroy();
  });

  it.each([5, 4] as const)('MQTT %s: two instances, each a share, together all', async (v) => {
    // A group per case: mosquitto keeps a stopped member's persistent session in its group.
    const sharedGroup = `heatnet-v${v}`;
    const sinks = [new ControlledSink(), new ControlledSink()] as const;
    const [a, b] = await Promise.all(
      sinks.map((sink, i) => {
        const clientId = `heatnet-shared-v${v}-${i}`;
        const config = mqttConfig(broker.url, { clientId, protocolVersion: v, sharedGroup });
        return startIngestor(config, sink.accept);
      }),
    );
    running.push(a!, b!);
    expect(a!.health().subscriptions[0]?.filter).toBe(`$share/${sharedGroup}/heatnet/test/+`);

    const n = 1000;
    await publishRange(pub, 0, n, `v${v}`);
    const all = () => [...sinks[0].seqs(), ...sinks[1].seqs()];
    await eventually(() => tally(all(), n).missing === 0, { what: `all ${n} across the group` });
    await eventually(() => a!.health().pendingAcks + b!.health().pendingAcks === 0, {
      what: 'every message acked',
    });

    const [first, second] = sinks.map((s) => new Set(s.seqs()));
    const both = [...first!].filter((seq) => second!.has(seq));
    console.info(
      `MQTT ${v} shared: ${first!.size} + ${second!.size} of ${n}, ${both.length} to both`,
    );
    expect(both).toEqual([]);
    expect(first!.size).toBeGreaterThan(0);
    expect(second!.size).toBeGreaterThan(0);
    expect(tally(all(), n)).toMatchObject({ distinct: n, missing: 0, duplicates: 0 });
    for (const r of [...sinks[0].accepted, ...sinks[1].accepted]) {
      expect(r.fields.value).toBe(expectedValue(Number(r.fields.seq)));
      expect(r.tags).toEqual({ sensor: `v${v}` });
    }
  });

  // mosquitto keeps dealing a stopped member its share while its session lives (sessionExpiryS):
  // delayed, not lost, as long as its queue (max_queued_messages, 1000 by default) holds.
  it('a stopped member’s share waits in its session and arrives when it returns', async () => {
    const sharedGroup = 'heatnet-restart';
    const [stay, leave] = [new ControlledSink(), new ControlledSink()];
    const config = (clientId: string) => mqttConfig(broker.url, { clientId, sharedGroup });
    const a = await startIngestor(config('heatnet-shared-stay'), stay.accept);
    running.push(a);
    const b = await startIngestor(config('heatnet-shared-leave'), leave.accept);
    await b.stop();
    const n = 200;
    await publishRange(pub, 0, n, 'group');
    await eventually(() => stay.accepted.length > 0, { what: 'the staying member’s share' });
    const back = await startIngestor(config('heatnet-shared-leave'), leave.accept);
    running.push(back);
    const all = () => [...stay.seqs(), ...leave.seqs()];
    await eventually(() => tally(all(), n).missing === 0, { what: `all ${n} across the group` });
    console.info(
      `shared, one member away: ${stay.accepted.length} live, ${leave.accepted.length} on return`,
    );
    expect(tally(all(), n)).toMatchObject({ distinct: n, duplicates: 0 });
    expect(leave.accepted.length).toBeGreaterThan(0);
  });
});
