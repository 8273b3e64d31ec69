import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttIngestor } from '../../src/ingest/mqtt/ingestor.ts';
import { eventually } from '../support/config.ts';
import { type MosquittoHandle, startMosquitto } from '../support/mosquitto.ts';
import {
  ControlledSink,
  diskWriter,
  expectedValue,
  mqttConfig,
  publisher,
  publishRange,
  startIngestor,
  storedSeqs,
  tally,
} from './mqtt-harness.ts';

/**
 * Persistent sessions and acknowledgement after a durable write, against a real mosquitto
 * with persistence: QoS 1 messages published while heatnet is away wait at the broker, and
 * a message whose readings storage refused is never acknowledged, so it is not lost.
 */
describe('MQTT persistent session and ack after durable accept (real mosquitto)', () => {
  let broker: MosquittoHandle;
  let pub: MqttClient;
  const running: MqttIngestor[] = [];
  const start = async (...args: Parameters<typeof startIngestor>) => {
    const ingestor = await startIngestor(...args);
    running.push(ingestor);
    return ingestor;
  };

  beforeAll(async () => {
    broker = await startMosquitto({ persistence: true });
    pub = await publisher(broker.url, { clientId: 'session-test-publisher' });
  });

  afterAll(async () => {
    await pub?.endAsync();
    for (const ingestor of running) await ingestor.stop();
    await broker?.destroy();
  });

  it.each([5, 4] as const)(
    'MQTT %s: everything published while heatnet was stopped is on disk after it restarts',
    async (protocolVersion) => {
      const disk = await diskWriter();
      const config = mqttConfig(broker.url, {
        clientId: `heatnet-session-v${protocolVersion}`,
        protocolVersion,
      });
      const first = await start(config, disk.accept);
      await publishRange(pub, 0, 50);
      await eventually(async () => (await storedSeqs(disk.dir)).size === 50, {
        what: 'the first 50 messages on disk',
      });
      await first.stop();

      // 500 while away: below mosquitto's default max_queued_messages (1000) per session.
      const n = 550;
      await publishRange(pub, 50, n);
      const second = await start(config, disk.accept);
      expect(second.health().sessionPresent).toBe(true);
      const stored = await eventually(
        async () => {
          const seqs = await storedSeqs(disk.dir);
          return seqs.size === n ? seqs : undefined;
        },
        { what: `all ${n} messages on disk` },
      );
      for (const [seq, values] of stored)
        expect(new Set(values), `seq ${seq}`).toEqual(new Set([expectedValue(seq)]));
      const lines = [...stored.values()].reduce((sum, v) => sum + v.length, 0);
      console.info(`MQTT ${protocolVersion} session: ${n} distinct, ${lines - n} duplicate lines`);
      await eventually(() => second.health().pendingAcks === 0, { what: 'every message acked' });
      await second.stop();
      await disk.writer.stop();
    },
  );

  it('acks only after storage accepts: refused messages survive a restart and a retry', async () => {
    const config = mqttConfig(broker.url, { clientId: 'heatnet-ack' });
    const refusing = new ControlledSink();
    refusing.refusing = true;
    const first = await start(config, refusing.accept);
    await publishRange(pub, 0, 200);
    await eventually(() => first.health().pendingAcks === 200 && refusing.refusedCalls > 1, {
      what: 'all 200 received, refused and retried',
    });
    expect(first.health().acked).toBe(0);
    await first.stop(); // no PUBACK went out: the broker still owns all 200

    // A new process with working storage: the broker redelivers them all.
    const sink = new ControlledSink();
    const second = await start(config, sink.accept);
    await eventually(() => tally(sink.seqs(), 200).missing === 0, { what: '200 redelivered' });
    expect(second.health().redelivered).toBeGreaterThan(0);

    // Storage refuses while connected: held unacked, retried here, accepted when it recovers.
    sink.refusing = true;
    await publishRange(pub, 200, 400);
    await eventually(() => second.health().pendingAcks === 200 && sink.refusedCalls > 1, {
      what: 'the next 200 received and refused',
    });
    const refusedBefore = sink.refusedCalls;
    await eventually(() => sink.refusedCalls > refusedBefore, { what: 'a retry' });
    sink.refusing = false;
    await eventually(() => second.health().pendingAcks === 0, { what: 'all acked after recovery' });
    const counts = tally(sink.seqs(), 400);
    console.info(`ack after accept: ${JSON.stringify(counts)}, refused calls ${sink.refusedCalls}`);
    expect(counts.missing).toBe(0);
    expect(counts.distinct).toBe(400);
    await second.stop();

    // Everything was acknowledged: a third session finds nothing left at the broker.
    const after = new ControlledSink();
    const third = await start(config, after.accept);
    await new Promise((r) => setTimeout(r, 1000));
    expect(after.accepted).toEqual([]);
    expect(third.health().sessionPresent).toBe(true);
  });
});
