import { readdirSync } from 'node:fs';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.ts';
import { Spool } from '../../src/storage/spool.ts';
import { encodeRecord } from '../../src/storage/spool-format.ts';

/**
 * Any sequence of appends, deliveries, failed sends, clean restarts and crashes (with a
 * record torn at any byte) keeps the spool's promises: every record handed out is one that
 * was appended, whole; none is skipped; order holds (after a crash the oldest segment may
 * come again — at least once); and in the end everything appended is delivered.
 */

type Op =
  | { kind: 'append'; lines: number }
  | { kind: 'deliver' }
  | { kind: 'fail' }
  | { kind: 'restart' }
  | { kind: 'crash'; tear: number | null };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('append'), lines: fc.integer({ min: 1, max: 4 }) }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fail') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart') }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('crash'),
      tear: fc.option(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })),
    }),
  },
) as fc.Arbitrary<Op>;

const batchLines = (i: number, n: number) =>
  Array.from({ length: n }, (_, k) => `p,b=${i} k=${k}i ${1_700_000_000_000 + i}`);
const indexOf = (lines: readonly string[]) => Number(/b=(\d+)/.exec(lines[0] ?? '')?.[1]);

class Model {
  readonly appended: string[][] = [];
  readonly delivered = new Set<number>();
  /** Highest index delivered since the last crash: order within an epoch. */
  lastInEpoch = -1;
  crashed = false;

  minUndelivered(): number {
    for (let i = 0; i < this.appended.length; i++) if (!this.delivered.has(i)) return i;
    return this.appended.length;
  }

  /** Checks a record handed out by peek(). */
  check(lines: readonly string[]): number {
    const i = indexOf(lines);
    expect(this.appended[i], 'a record that was appended').toBeDefined();
    expect(lines, 'whole, unchanged').toEqual(this.appended[i]);
    expect(i, 'nothing undelivered is skipped').toBeLessThanOrEqual(this.minUndelivered());
    expect(i, 'in order').toBeGreaterThan(this.lastInEpoch);
    return i;
  }
}

async function run(ops: readonly Op[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'heatnet-spool-prop-'));
  const open = async () => {
    const s = new Spool({ dir, maxBytes: 1 << 30, segmentBytes: 200 }, silentLogger());
    await s.open();
    return s;
  };
  const model = new Model();
  let spool = await open();
  try {
    for (const op of ops) spool = await apply(op, spool, model, dir, open);
    for (let r = await spool.peek(); r; r = await spool.peek()) {
      model.lastInEpoch = model.check(r.lines);
      model.delivered.add(model.lastInEpoch);
      await spool.ack(r);
    }
    expect(model.minUndelivered(), 'everything delivered in the end').toBe(model.appended.length);
    expect(spool.isEmpty()).toBe(true);
  } finally {
    await spool.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

async function apply(
  op: Op,
  spool: Spool,
  model: Model,
  dir: string,
  open: () => Promise<Spool>,
): Promise<Spool> {
  switch (op.kind) {
    case 'append': {
      const lines = batchLines(model.appended.length, op.lines);
      model.appended.push(lines);
      await spool.append(lines);
      return spool;
    }
    case 'deliver':
    case 'fail': {
      const r = await spool.peek();
      if (!r) return spool;
      const i = model.check(r.lines);
      if (op.kind === 'fail') {
        spool.release(r);
        return spool;
      }
      model.delivered.add(i);
      model.lastInEpoch = i;
      await spool.ack(r);
      return spool;
    }
    case 'restart':
      await spool.close();
      return open();
    case 'crash':
      await crash(spool, dir, op.tear);
      model.lastInEpoch = -1;
      return open();
  }
}

/**
 * What a killed process leaves on disk: no saved cursor, its lock, and maybe the start of
 * a record it was writing. (close() first only to release file handles in this process;
 * fsync makes no difference to what another process reads.)
 */
async function crash(spool: Spool, dir: string, tear: number | null): Promise<void> {
  await spool.close();
  await rm(join(dir, 'CURSOR'), { force: true });
  await writeFile(join(dir, 'LOCK'), `${process.pid}\n`);
  const newest = readdirSync(dir)
    .filter((n) => n.endsWith('.lp'))
    .sort()
    .at(-1);
  if (tear === null || newest === undefined) return;
  const record = encodeRecord(batchLines(999_999, 3), Date.now());
  await appendFile(join(dir, newest), record.subarray(0, Math.floor(tear * record.length)));
}

describe('Spool properties', () => {
  it('keeps order, never yields a torn record and loses nothing, whatever happens', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 40 }), (ops) => run(ops)),
      { numRuns: 80 },
    );
  }, 60_000);
});
