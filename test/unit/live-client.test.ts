import { describe, expect, it } from 'vitest';
import { LiveClient, type StreamSink } from '../../src/live/sse.ts';
import { parseFrame } from '../support/sse.ts';

/** A sink whose socket the test fills and drains by hand. */
function fakeSink() {
  const sink = {
    chunks: [] as string[],
    buffered: 0,
    ended: false,
    drained: [] as (() => void)[],
    write(chunk: string) {
      sink.chunks.push(chunk);
      return true;
    },
    bufferedBytes: () => sink.buffered,
    onceDrained(fn: () => void) {
      sink.drained.push(fn);
    },
    end() {
      sink.ended = true;
    },
    drain() {
      sink.buffered = 0;
      for (const fn of sink.drained.splice(0)) fn();
    },
    frames: () => sink.chunks.map((c) => parseFrame(c.trimEnd())),
  };
  return sink satisfies StreamSink;
}

const frame = (n: number) => ({ event: 'balance' as const, data: JSON.stringify({ n }) });
const flush = () => new Promise((r) => setImmediate(r));

describe('a live client', () => {
  it('holds events that come while its snapshot is built and sends them after it', async () => {
    const sink = fakeSink();
    let release: () => void = () => undefined;
    const client = new LiveClient(
      sink,
      1000,
      () =>
        new Promise((resolve) => {
          release = () => resolve({ event: 'snapshot', data: '{}' });
        }),
      () => undefined,
    );
    const opened = client.open();
    client.send(frame(1));
    release();
    await opened;
    client.send(frame(2));
    const events = sink.frames().filter((f) => f.id !== null);
    expect(events.map((f) => [f.id, f.event])).toEqual([
      ['1', 'snapshot'],
      ['2', 'balance'],
      ['3', 'balance'],
    ]);
  });

  it('drops events for a client that does not read, then resynchronises it with a snapshot', async () => {
    const sink = fakeSink();
    const reasons: string[] = [];
    const client = new LiveClient(
      sink,
      1000,
      async (reason) => {
        reasons.push(reason);
        return { event: 'snapshot', data: JSON.stringify({ reason }) };
      },
      () => undefined,
    );
    await client.open();
    sink.buffered = 5000; // the socket is not taking what was written
    const before = sink.chunks.length;
    for (let i = 0; i < 100; i++) client.send(frame(i));
    client.heartbeat('now');
    expect(sink.chunks.length).toBe(before); // nothing more is buffered for it
    expect(client.dropped).toBe(100);
    sink.drain();
    await flush();
    expect(reasons).toEqual(['connect', 'resync']);
    client.send(frame(100));
    const last = sink.frames().slice(-2);
    expect(last.map((f) => f.event)).toEqual(['snapshot', 'balance']);
    expect(JSON.parse(last[0]!.data)).toEqual({ reason: 'resync' });
    expect(client.resyncs).toBe(1);
  });

  it('closes once, and a failing snapshot closes the stream', async () => {
    const sink = fakeSink();
    const errors: unknown[] = [];
    const client = new LiveClient(
      sink,
      1000,
      async () => {
        throw new Error('store down');
      },
      (err) => errors.push(err),
    );
    await client.open();
    expect(errors).toHaveLength(1);
    expect(sink.ended).toBe(true);
    expect(client.isClosed).toBe(true);
    client.send(frame(1));
    client.close();
    expect(sink.chunks.filter((c) => c.includes('balance'))).toHaveLength(0);
  });
});
