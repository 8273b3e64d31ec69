import { EventEmitter, once } from 'node:events';
import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { DeliverySession, type DeliveryStats } from '../../src/ingest/mqtt/delivery.ts';
import type { PublishView } from '../../src/ingest/mqtt/publish-frames.ts';
import { WireSplice } from '../../src/ingest/mqtt/wire-splice.ts';
import { eventually } from '../support/config.ts';

const reading = (v: number): Reading => ({
  measurement: 'probe',
  tags: { sensor: 's' },
  fields: { v },
  time: 1_700_000_000_000 + v,
});

/** A session whose accepts the test settles by hand. */
function session() {
  const calls: { readings: Reading[]; resolve(): void; reject(err: Error): void }[] = [];
  const acked: number[] = [];
  const stats: DeliveryStats = { acked: 0, acceptFailures: 0, droppedQos0: 0 };
  const s = new DeliverySession({
    accept: (readings) =>
      new Promise<void>((resolve, reject) => calls.push({ readings, resolve, reject })),
    sendAck: (id) => acked.push(id),
    stats,
    log: silentLogger(),
    retryMinMs: 1,
    retryMaxMs: 2,
  });
  return { s, calls, acked, stats };
}

describe('DeliverySession batches (one accept per socket read)', () => {
  it('hands a batch to accept once, in arrival order, and acks it in order once durable', async () => {
    const { s, calls, acked } = session();
    s.add([reading(1)], 11);
    s.add([], 12); // malformed QoS 1: acknowledged in turn, with the batch
    s.add([reading(2)]); // QoS 0
    s.add([reading(3)], 13);
    expect(calls).toHaveLength(0);
    s.flush();
    expect(calls.map((c) => c.readings.map((r) => r.fields.v))).toEqual([[1, 2, 3]]);
    expect(acked).toEqual([]);
    expect(s.pending).toBe(3);
    calls[0]!.resolve();
    await eventually(() => acked.length === 3);
    expect(acked).toEqual([11, 12, 13]);
    s.flush(); // nothing added: no call
    expect(calls).toHaveLength(1);
  });

  it('retries only the QoS 1 readings of a refused batch and counts its QoS 0 ones lost', async () => {
    const { s, calls, acked, stats } = session();
    s.add([reading(1)], 21);
    s.add([reading(2)]);
    s.add([reading(3)], 22);
    s.flush();
    calls[0]!.reject(new Error('storage down'));
    await eventually(() => calls.length === 2);
    expect(stats).toMatchObject({ acceptFailures: 1, droppedQos0: 1, acked: 0 });
    expect(calls[1]!.readings.map((r) => r.fields.v)).toEqual([1, 3]);
    calls[1]!.resolve();
    await eventually(() => acked.length === 2);
    expect(acked).toEqual([21, 22]);
  });

  it('retries the readings accept refused as the very objects, the others as equal ones', async () => {
    const calls: Reading[][] = [];
    let fail = true;
    const s: DeliverySession = new DeliverySession({
      accept: (readings) => {
        calls.push(readings);
        s.keepAsIs(readings[1]!); // refused by the pipeline, say a time too far ahead
        return fail ? Promise.reject(new Error('storage down')) : Promise.resolve();
      },
      sendAck: () => undefined,
      stats: { acked: 0, acceptFailures: 0, droppedQos0: 0 },
      log: silentLogger(),
      retryMinMs: 1,
      retryMaxMs: 2,
    });
    const [first, refused] = [reading(1), reading(2)];
    s.add([first, refused], 41);
    s.flush();
    fail = false;
    await eventually(() => calls.length === 2);
    expect(calls[1]).toEqual([first, refused]);
    expect(calls[1]![1]).toBe(refused);
    expect(calls[1]![0]).not.toBe(first);
  });

  it('acks a batch with nothing to store at once, behind any batch still pending', async () => {
    const { s, calls, acked } = session();
    s.add([reading(1)], 31);
    s.flush();
    s.add([], 32);
    s.flush();
    expect(acked).toEqual([]);
    calls[0]!.resolve();
    await eventually(() => acked.length === 2);
    expect(acked).toEqual([31, 32]);
  });
});

describe('WireSplice', () => {
  it('takes PUBLISHes off the socket per read, passes the rest on, and writes through', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const socket = tcpConnect(port, '127.0.0.1');
    const seen: string[] = [];
    const splice = new WireSplice(socket, false, {
      publish: (v: PublishView, from) => {
        expect(from).toBe(splice);
        seen.push(`${v.topic} ${v.payload.toString()} ${v.messageId}`);
      },
      endOfRead: () => seen.push('end of read'),
    });
    const other: Buffer[] = [];
    splice.on('data', (b: Buffer) => other.push(b));
    const [peer] = await accepted;
    const fromClient: Buffer[] = [];
    peer.on('data', (b: Buffer) => fromClient.push(b));

    // CONNACK, a QoS 1 PUBLISH, PINGRESP in one write
    peer.write(Buffer.from('20020000 32080003612f62010278 d000'.replace(/ /g, ''), 'hex'));
    await eventually(() => seen.includes('end of read') && other.length > 0);
    expect(seen).toEqual(['a/b x 258', 'end of read']);
    expect(Buffer.concat(other).toString('hex')).toBe('20020000d000');

    splice.write(Buffer.from('c000', 'hex')); // PINGREQ, as MQTT.js would write it
    await eventually(() => fromClient.length > 0);
    expect(Buffer.concat(fromClient).toString('hex')).toBe('c000');

    const closed = once(splice, 'close');
    peer.destroy();
    await closed;
    expect(splice.destroyed).toBe(true);
    server.close();
  });

  it('paced, still hands on every PUBLISH of a burst in order, and closes while resting', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    // As spliceStreams makes it: a one-byte read buffer, so a pause stops reading.
    const socket = tcpConnect({ port, host: '127.0.0.1', readableHighWaterMark: 1 } as never);
    const ids: number[] = [];
    let reads = 0;
    const splice = new WireSplice(
      socket,
      false,
      { publish: (v: PublishView) => ids.push(v.messageId), endOfRead: () => reads++ },
      true,
    );
    splice.on('data', () => undefined);
    const [peer] = await accepted;
    // 3,000 QoS 1 PUBLISHes of topic `a/b`, payload `x`, in many small writes.
    const frame = (id: number) =>
      Buffer.from([0x32, 8, 0, 3, 0x61, 0x2f, 0x62, id >> 8, id & 255, 0x78]);
    for (let id = 1; id <= 3000; id++) {
      peer.write(frame(id));
      if (id % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await eventually(() => ids.length === 3000);
    expect(ids).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect(reads).toBeGreaterThan(0);

    peer.write(frame(3001));
    const closed = once(splice, 'close');
    peer.destroy();
    await closed;
    expect(splice.destroyed).toBe(true);
    server.close();
  });

  it('drops the connection instead of throwing when handling a read fails', async () => {
    const socket = new EventEmitter() as unknown as Socket;
    (socket as unknown as { destroy(): void }).destroy = () => undefined;
    const splice = new WireSplice(socket, false, {
      publish: () => {
        throw new Error('bug');
      },
      endOfRead: () => undefined,
    });
    const failed = once(splice, 'error');
    socket.emit('data', Buffer.from('30060003612f6278', 'hex'));
    const [err] = await failed;
    expect((err as Error).message).toBe('bug');
    expect(splice.destroyed).toBe(true);
  });
});
