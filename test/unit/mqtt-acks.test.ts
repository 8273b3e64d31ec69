import { describe, expect, it } from 'vitest';
import { AckQueue, SeqRanges } from '../../src/ingest/mqtt/ack-queue.ts';
import { type AckSocket, AckWriter } from '../../src/ingest/mqtt/ack-writer.ts';

const turn = () => new Promise((r) => setImmediate(r));

class FakeSocket implements AckSocket {
  destroyed = false;
  writable = true;
  readonly writes: Buffer[] = [];
  write(chunk: Buffer): boolean {
    this.writes.push(chunk);
    return true;
  }
  /** Packet ids of every PUBACK written, in order. */
  ids(): number[] {
    const out: number[] = [];
    for (const w of this.writes) {
      for (let i = 0; i < w.length; i += 4) {
        expect([w[i], w[i + 1]]).toEqual([0x40, 2]);
        out.push((w[i + 2]! << 8) | w[i + 3]!);
      }
    }
    return out;
  }
}

describe('AckQueue', () => {
  it('pops only the done prefix, in arrival order, across growth and wrap-around', () => {
    const q = new AckQueue();
    const acked: number[] = [];
    let next = 0;
    // More than the initial ring, with the front pending while the rest completes.
    const seqs = Array.from({ length: 5000 }, () => q.push((next++ % 65_535) + 1));
    for (const seq of seqs.slice(1)) q.markDone(seq);
    q.popDone((id) => acked.push(id));
    expect(acked).toEqual([]);
    expect(q.size).toBe(5000);
    q.markDone(seqs[0]!);
    q.popDone((id) => acked.push(id));
    expect(acked).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(q.size).toBe(0);
    // The ring is reused after it emptied.
    const more = [q.push(7), q.push(8)];
    q.markDone(more[1]!);
    q.markDone(more[0]!);
    q.popDone((id) => acked.push(id));
    expect(acked.slice(-2)).toEqual([7, 8]);
  });

  it('forgets everything on clear and ignores marks of forgotten messages', () => {
    const q = new AckQueue();
    const seq = q.push(1);
    q.clear();
    q.markDone(seq);
    const acked: number[] = [];
    q.popDone((id) => acked.push(id));
    expect(acked).toEqual([]);
    expect(q.size).toBe(0);
  });
});

describe('AckQueue ranges', () => {
  it('marks a range done, clipped to the messages still pending', () => {
    const q = new AckQueue();
    const seqs = Array.from({ length: 6 }, (_, i) => q.push(i + 1));
    const acked: number[] = [];
    q.markDone(seqs[2]!, seqs[5]! + 1);
    q.popDone((id) => acked.push(id));
    expect(acked).toEqual([]);
    q.markDone(seqs[0]! - 10, seqs[2]!); // starts before the head: only pending ones count
    q.popDone((id) => acked.push(id));
    expect(acked).toEqual([1, 2, 3, 4, 5, 6]);
    q.markDone(seqs[5]! + 1, seqs[5]! + 50); // beyond the tail: nothing to mark
    expect(q.size).toBe(0);
  });

  it('keeps places as ranges, joining those that follow on, in the order added', () => {
    const r = new SeqRanges();
    expect(r.empty).toBe(true);
    for (const seq of [3, 4, 5, 9, 10, 2]) r.add(seq);
    const other = new SeqRanges();
    other.add(3);
    other.add(11); // does not follow `3`
    const all = new SeqRanges();
    all.addAll(r);
    all.addAll(other);
    const ranges: number[][] = [];
    all.each((from, to) => ranges.push([from, to]));
    expect(ranges).toEqual([
      [3, 6],
      [9, 11],
      [2, 4],
      [11, 12],
    ]);
    expect(all.empty).toBe(false);
  });
});

describe('AckWriter', () => {
  it('writes the acks of one turn as one chunk of PUBACKs', async () => {
    const socket = new FakeSocket();
    const w = new AckWriter(() => socket);
    w.bind();
    for (const id of [1, 2, 300, 65_535]) w.send(id);
    expect(socket.writes).toHaveLength(0);
    await turn();
    expect(socket.writes).toHaveLength(1);
    expect(socket.ids()).toEqual([1, 2, 300, 65_535]);
  });

  it('never writes on another connection than the one it was bound to, nor after close', async () => {
    const first = new FakeSocket();
    let current: FakeSocket | undefined = first;
    const w = new AckWriter(() => current);
    w.bind();
    w.send(1);
    current = new FakeSocket(); // reconnected meanwhile
    await turn();
    expect(first.writes).toHaveLength(0);
    expect(current.writes).toHaveLength(0);

    const gone = new FakeSocket();
    const closed = new AckWriter(() => gone);
    closed.bind();
    closed.send(2);
    closed.close();
    await turn();
    gone.destroyed = true;
    closed.send(3);
    await turn();
    expect(gone.writes).toHaveLength(0);
  });
});
