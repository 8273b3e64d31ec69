import { setTimeout as sleep } from 'node:timers/promises';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttIngestor } from '../../src/ingest/mqtt/ingestor.ts';
import { eventually } from '../support/config.ts';
import { type MosquittoHandle, startMosquitto } from '../support/mosquitto.ts';
import {
  ControlledSink,
  mqttConfig,
  payload,
  publisher,
  startIngestor,
  TEST_TOPIC,
  topicOf,
} from './mqtt-harness.ts';

const SILENT_TOPIC = 'heatnet/silent/{sensor}';

/**
 * The stale-data watchdog: sensors that stop publishing raise no MQTT error, the connection
 * stays up, so a subscription quiet for `staleAfterS` is flagged in health and reported once.
 */
describe('MQTT stale-data watchdog (real mosquitto)', () => {
  let broker: MosquittoHandle;
  let pub: MqttClient;
  let ingestor: MqttIngestor;
  const events: string[] = [];
  const stale = (topic: string) =>
    ingestor.health().subscriptions.find((s) => s.topic === topic)?.stale;

  beforeAll(async () => {
    broker = await startMosquitto();
    pub = await publisher(broker.url, { clientId: 'stale-test-publisher' });
    const base = mqttConfig(broker.url, { clientId: 'heatnet-stale', staleAfterS: 1 });
    const silent = { ...base.subscriptions[0]!, topic: SILENT_TOPIC, measurement: 'silent' };
    ingestor = await startIngestor(
      { ...base, subscriptions: [...base.subscriptions, silent] },
      new ControlledSink().accept,
      {
        onStale: (topic) => events.push(`stale ${topic}`),
        onResumed: (topic) => events.push(`resumed ${topic}`),
      },
    );
  });

  afterAll(async () => {
    await pub?.endAsync();
    await ingestor?.stop();
    await broker?.destroy();
  });

  it('flags only the silent subscription, once, and clears it when data returns', async () => {
    let seq = 0;
    const beat = async (topic: string, ms: number) => {
      for (const end = Date.now() + ms; Date.now() < end; ) {
        await pub.publishAsync(topic, payload(seq++), { qos: 1 });
        await sleep(200);
      }
    };
    await beat(topicOf('alive'), 2500);
    expect(stale(SILENT_TOPIC)).toBe(true);
    expect(stale(TEST_TOPIC)).toBe(false);
    expect(events).toEqual([`stale ${SILENT_TOPIC}`]);

    await pub.publishAsync('heatnet/silent/s9', payload(seq++), { qos: 1 });
    await eventually(() => stale(SILENT_TOPIC) === false, { what: 'the silent topic to resume' });
    expect(events).toEqual([`stale ${SILENT_TOPIC}`, `resumed ${SILENT_TOPIC}`]);

    // Everything quiet: both flagged, each once more.
    await eventually(() => stale(SILENT_TOPIC) && stale(TEST_TOPIC), { what: 'both stale' });
    await sleep(500);
    expect(events.slice(2).sort()).toEqual([`stale ${SILENT_TOPIC}`, `stale ${TEST_TOPIC}`]);
  });
});
