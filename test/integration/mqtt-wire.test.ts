import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MqttIngestor } from '../../src/ingest/mqtt/ingestor.ts';
import { WireSplice } from '../../src/ingest/mqtt/wire-splice.ts';
import { eventually } from '../support/config.ts';
import { type MosquittoHandle, startMosquitto } from '../support/mosquitto.ts';
import {
  ControlledSink,
  mqttConfig,
  payload,
  publisher,
  startIngestor,
  topicOf,
} from './mqtt-harness.ts';

/**
 * Issue 14: over TCP the ingestor reads PUBLISHes off the socket itself (WireSplice), not
 * through MQTT.js's handleMessage. Real mosquitto, both protocol versions, QoS 0 and 1,
 * MQTT 5 properties on the way; every message arrives once and is acknowledged.
 */
describe('MQTT PUBLISHes read off the wire (real mosquitto)', () => {
  let broker: MosquittoHandle;
  let pub: MqttClient;
  const running: MqttIngestor[] = [];

  beforeAll(async () => {
    broker = await startMosquitto({});
    pub = await publisher(broker.url, { clientId: 'wire-test-publisher', protocolVersion: 5 });
  });

  afterAll(async () => {
    await pub?.endAsync();
    for (const ingestor of running) await ingestor.stop();
    await broker?.destroy();
  });

  it.each([5, 4] as const)('MQTT %s: QoS 0 and 1, with properties', async (protocolVersion) => {
    const sink = new ControlledSink();
    const config = mqttConfig(broker.url, {
      clientId: `wire-v${protocolVersion}`,
      protocolVersion,
    });
    config.subscriptions = config.subscriptions.map((s) => ({ ...s, qos: 1 }));
    const ingestor = await startIngestor(config, sink.accept);
    running.push(ingestor);
    // MQTT.js calls its client's handleMessage for each PUBLISH it parses itself.
    const client = (ingestor as unknown as { client: MqttClient }).client;
    const viaMqttJs = vi.spyOn(client, 'handleMessage');
    const sends: Promise<unknown>[] = [];
    for (let seq = 0; seq < 300; seq++) {
      const properties = { userProperties: { n: String(seq) }, contentType: 'application/json' };
      sends.push(
        pub.publishAsync(topicOf(`w${protocolVersion}`), payload(seq), {
          qos: seq % 3 === 0 ? 0 : 1,
          properties,
        }),
      );
    }
    await Promise.all(sends);
    await eventually(() => sink.accepted.length === 300, { what: 'all 300 readings' });
    await eventually(() => ingestor.health().pendingAcks === 0, { what: 'every message acked' });
    expect(new Set(sink.seqs()).size).toBe(300);
    expect(ingestor.health().acked).toBe(200);
    expect(viaMqttJs).not.toHaveBeenCalled();
  });
  it('sends what it publishes in one tick as one socket write, every message intact', async () => {
    const ingestor = await startIngestor(
      mqttConfig(broker.url, { clientId: 'wire-out' }),
      () => {},
    );
    running.push(ingestor);
    const received: string[] = [];
    pub.on('message', (topic, body) => {
      if (topic.startsWith('heatnet/out/')) received.push(`${topic} ${body.toString()}`);
    });
    await pub.subscribeAsync('heatnet/out/#', { qos: 1 });
    const writev = vi.spyOn(WireSplice.prototype, '_writev');
    const sent: string[] = [];
    // As an evaluation publishes its retained outputs: all in one turn of the loop.
    for (let i = 0; i < 500; i++) {
      const topic = `heatnet/out/S${String(i).padStart(3, '0')}`;
      const body = JSON.stringify({ n: i, pad: 'x'.repeat(i % 40) });
      expect(ingestor.publish(topic, body, { retain: true, qos: 1 })).toBe(true);
      sent.push(`${topic} ${body}`);
    }
    await eventually(() => received.length === 500, { what: 'all 500 published messages' });
    expect(received).toEqual(sent);
    // One call carried many messages' pieces (before, each piece was its own write).
    const pieces = writev.mock.calls.map(([chunks]) => chunks.length);
    expect(Math.max(...pieces)).toBeGreaterThan(500);
    writev.mockRestore();
  });
});
