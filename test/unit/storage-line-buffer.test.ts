import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineBuffer, type Taken } from '../../src/storage/line-buffer.ts';

/**
 * The writer's memory buffer and the promises of accept() callers riding in it: lines come
 * out in arrival order whatever is put back, a caller's promise resolves only once all its
 * lines are settled and rejects if any of them was dropped, and callers in a row share one
 * promise instead of one each.
 */

const settleMicrotasks = () => new Promise((r) => setImmediate(r));

describe('LineBuffer tickets', () => {
  it('gives consecutive durable pushes one promise, settled with their batch', async () => {
    const b = new LineBuffer(100);
    const p1 = b.push(['a'], true);
    const p2 = b.push(['b'], true);
    expect(p2).toBe(p1);
    expect(b.push(['c'], false)).toBeUndefined();
    const p3 = b.push(['d'], true);
    expect(p3).not.toBe(p1);
    let done = false;
    void p1!.then(() => {
      done = true;
    });
    const taken = b.take(2);
    expect(taken.lines).toEqual(['a', 'b']);
    await settleMicrotasks();
    expect(done).toBe(false);
    b.settle(taken);
    await settleMicrotasks();
    expect(done).toBe(true);
  });

  it('starts a new promise once a batch has been cut from the open one', () => {
    const b = new LineBuffer(100);
    const p1 = b.push(['a', 'b'], true);
    b.take(1);
    expect(b.push(['c'], true)).not.toBe(p1);
  });

  it('starts a new promise when the open one covers a batch', () => {
    const b = new LineBuffer(2);
    const p1 = b.push(['a', 'b'], true);
    expect(b.push(['c'], true)).not.toBe(p1);
  });
});

type Op =
  | { kind: 'push'; lines: number; durable: boolean }
  | { kind: 'take'; max: number; after: 'settle' | 'putBack' | 'hold' }
  | { kind: 'finish' }
  | { kind: 'drop'; count: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('push' as const),
    lines: fc.integer({ min: 1, max: 5 }),
    durable: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('take' as const),
    max: fc.integer({ min: 1, max: 8 }),
    after: fc.constantFrom('settle' as const, 'putBack' as const, 'hold' as const),
  }),
  fc.record({ kind: fc.constant('finish' as const) }),
  fc.record({ kind: fc.constant('drop' as const), count: fc.integer({ min: 1, max: 4 }) }),
);

interface Caller {
  lines: string[];
  state: 'pending' | 'resolved' | 'rejected';
}

class Harness {
  readonly buffer = new LineBuffer(6);
  readonly callers: Caller[] = [];
  readonly settled = new Set<string>();
  readonly dropped = new Set<string>();
  /** A batch out of the buffer, as the writer holds at most one per lane. */
  held: Taken | undefined;
  private next = 0;

  push(n: number, durable: boolean): void {
    const lines = Array.from({ length: n }, () => `L${this.next++}`);
    const promise = this.buffer.push([...lines], durable);
    if (!durable) return;
    const caller: Caller = { lines, state: 'pending' };
    this.callers.push(caller);
    promise!.then(
      () => {
        caller.state = 'resolved';
      },
      () => {
        caller.state = 'rejected';
      },
    );
  }

  settle(taken: Taken): void {
    this.buffer.settle(taken);
    for (const l of taken.lines) this.settled.add(l);
  }

  drop(count: number): void {
    const before = this.buffer.size;
    const front = this.buffer.take(count);
    this.buffer.putBack(front);
    this.buffer.dropOldest(count, new Error('dropped'));
    expect(this.buffer.size).toBe(Math.max(0, before - count));
    for (const l of front.lines) this.dropped.add(l);
  }

  verify(): void {
    for (const c of this.callers) {
      const lost = c.lines.some((l) => this.dropped.has(l));
      if (lost) expect(c.state, `${c.lines} lost a line`).toBe('rejected');
      if (c.state === 'resolved') {
        expect(
          c.lines.every((l) => this.settled.has(l)),
          `${c.lines} resolved early`,
        ).toBe(true);
      }
    }
  }
}

async function apply(h: Harness, op: Op): Promise<void> {
  if (op.kind === 'push') h.push(op.lines, op.durable);
  if (op.kind === 'drop') h.drop(op.count);
  if (op.kind === 'finish' && h.held) {
    h.settle(h.held);
    h.held = undefined;
  }
  if (op.kind === 'take' && !h.held) {
    const taken = h.buffer.take(op.max);
    if (op.after === 'settle') h.settle(taken);
    if (op.after === 'putBack') h.buffer.putBack(taken);
    if (op.after === 'hold') h.held = taken;
  }
  await settleMicrotasks();
  h.verify();
}

describe('LineBuffer properties', () => {
  it('keeps arrival order and settles every caller correctly, whatever the sequence', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 40 }), async (ops) => {
        const h = new Harness();
        for (const op of ops) await apply(h, op);
        await apply(h, { kind: 'finish' });
        h.settle(h.buffer.take(h.buffer.size));
        await settleMicrotasks();
        h.verify();
        expect(h.buffer.size).toBe(0);
        const all = [...h.settled, ...h.dropped].map((l) => Number(l.slice(1)));
        expect(new Set(all).size, 'each line leaves once').toBe(all.length);
        expect(
          h.callers.every((c) => c.state !== 'pending'),
          'no caller left waiting',
        ).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('hands lines out in arrival order across put-backs', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 30 }), (sizes) => {
        const b = new LineBuffer(4);
        let n = 0;
        for (const s of sizes)
          b.push(
            Array.from({ length: s }, () => `L${n++}`),
            s % 2 === 0,
          );
        const out: string[] = [];
        for (let i = 0; b.size > 0; i++) {
          const taken = b.take(1 + (i % 5));
          if (i % 3 === 0) b.putBack(taken);
          else out.push(...taken.lines);
        }
        expect(out).toEqual(Array.from({ length: n }, (_, k) => `L${k}`));
      }),
    );
  });
});
