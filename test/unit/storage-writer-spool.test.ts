import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AlertBoard, type ClearedAlert, type RaisedAlert } from '../../src/core/alerts.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { Spool } from '../../src/storage/spool.ts';
import { type LineTransport, rejected, unreachable } from '../../src/storage/transport.ts';
import { BatchingWriter, type WriterOptions } from '../../src/storage/writer.ts';

/**
 * The writer with its disk spool: a database that stays down sends batches to disk, they
 * come back oldest first before anything newer once it returns, accept() resolves when
 * data are durable, the cap drops oldest with an alert, credentials problems keep the data
 * and raise an alert, and a shutdown leaves nothing only in memory.
 */

/** A database that can be down, slow or refuse credentials; remembers what it stored. */
class FakeDb implements LineTransport {
  readonly kind = 'influx-v1';
  readonly target = 'fake://db';
  readonly stored: string[] = [];
  down: Error | undefined;
  /** How long each write takes. */
  delayMs = 0;
  attempts = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  async send(lines: readonly string[]): Promise<void> {
    this.attempts++;
    if (this.gate) await this.gate;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.down) throw this.down;
    this.stored.push(...lines);
  }

  hold(): void {
    this.gate = new Promise((r) => {
      this.open = r;
    });
  }

  release(): void {
    this.gate = undefined;
    this.open?.();
  }
}

const T0 = 1_700_000_000_000;
const reading = (i: number): Reading => ({
  measurement: 'm',
  tags: {},
  fields: { n: i },
  time: T0 + i,
});
const readings = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => reading(from + k));
const line = (i: number) => `m n=${i} ${T0 + i}`;
const lines = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => line(from + k));
const refusedConnection = () => unreachable('fake://db: ECONNREFUSED');

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

async function setup(db: FakeDb, options: Partial<WriterOptions> = {}, dir?: string) {
  const spoolDir = dir ?? (await mkdtemp(join(tmpdir(), 'heatnet-writer-')));
  if (!dir) cleanup.push(() => rm(spoolDir, { recursive: true, force: true }));
  const alerts: (RaisedAlert | ClearedAlert)[] = [];
  const writer = new BatchingWriter(
    db,
    {
      batchSize: 10,
      flushIntervalMs: 10,
      maxBufferedLines: 10_000,
      spool: new Spool({ dir: spoolDir, maxBytes: 1 << 30, segmentBytes: 4096 }, silentLogger()),
      spoolAfterMs: 0,
      maxBackoffMs: 20,
      alerts: new AlertBoard(
        { raise: (a) => alerts.push(a), clear: (c) => alerts.push(c) },
        Date.now,
      ),
      ...options,
    },
    silentLogger(),
  );
  await writer.start();
  cleanup.push(() => writer.stop());
  return { writer, alerts, spoolDir };
}

// 15 s: the waits are for milliseconds of work, but on a loaded machine (issue 9) 5 s was close.
const waitFor = (check: () => void, timeout = 15_000) =>
  vi.waitFor(check, { timeout, interval: 5 });
const segments = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.lp'));

describe('BatchingWriter with a spool: outage', () => {
  it('spools while the database is down, then replays in order before newer data', async () => {
    const db = new FakeDb();
    db.down = refusedConnection();
    const { writer, spoolDir } = await setup(db);
    const accepted = writer.accept(readings(0, 25));
    await accepted; // durable on disk, though the database never answered
    expect(writer.health().spool).toMatchObject({ lines: 25 });
    expect(segments(spoolDir).length).toBeGreaterThan(0);
    writer.write(readings(25, 40));
    await waitFor(() => expect(writer.health().spool?.lines).toBe(40));
    expect(writer.health()).toMatchObject({ state: 'retrying', backlogLines: 0 });
    db.down = undefined;
    writer.write(readings(40, 45));
    await waitFor(() => expect(db.stored).toHaveLength(45));
    expect(db.stored).toEqual(lines(0, 45));
    await waitFor(() => expect(writer.health()).toMatchObject({ state: 'ok', writtenLines: 45 }));
    // The drained segment is deleted just after its last record is acknowledged.
    await waitFor(() =>
      expect(writer.health().spool).toMatchObject({ segments: 0, lines: 0, bytes: 0 }),
    );
    // Health counts the segment gone before its file is unlinked: wait for the file too.
    await waitFor(() => expect(segments(spoolDir)).toEqual([]));
    // Back to direct writes: nothing more goes to disk.
    await writer.accept(readings(45, 50));
    expect(db.stored).toEqual(lines(0, 50));
    expect(segments(spoolDir)).toEqual([]);
  });

  it('spools when the buffer passes its threshold while the database is slow', async () => {
    const db = new FakeDb();
    db.delayMs = 200;
    const { writer, spoolDir } = await setup(db, { spoolAtLines: 30, spoolAfterMs: 60_000 });
    writer.write(readings(0, 10)); // in flight for 200 ms
    await waitFor(() => expect(db.attempts).toBe(1));
    // Past 30 lines: to disk once the batch in flight is settled (order is kept).
    const durable = writer.accept(readings(10, 50));
    await waitFor(() => expect(segments(spoolDir).length).toBeGreaterThan(0));
    await durable;
    expect(db.stored.length).toBeLessThan(50);
    await waitFor(() => expect(db.stored).toHaveLength(50));
    expect(db.stored).toEqual(lines(0, 50));
  });

  it('keeps data on 401, raises an alert, reports failing, and clears it once writes work', async () => {
    const db = new FakeDb();
    db.down = rejected('HTTP 401: unauthorized', 401);
    const { writer, alerts } = await setup(db, { spoolAfterMs: 60_000, maxBackoffMs: 50 });
    await writer.accept(readings(0, 10)); // spooled at once: credentials do not heal alone
    expect(writer.health()).toMatchObject({ state: 'failing', authFailed: true });
    expect(alerts).toEqual([
      expect.objectContaining({ source: 'storage', code: 'storage-auth', severity: 'critical' }),
    ]);
    db.down = undefined;
    await waitFor(() => expect(db.stored).toEqual(lines(0, 10)));
    expect(writer.health()).toMatchObject({ state: 'ok', authFailed: false });
    expect(alerts.at(-1)).toMatchObject({ code: 'storage-auth' });
    expect(alerts.at(-1)).not.toHaveProperty('severity');
  });
});

describe('BatchingWriter with a spool: cap and shutdown', () => {
  it('drops the oldest spooled data beyond the cap, counts it and raises an alert until drained', async () => {
    const db = new FakeDb();
    db.down = refusedConnection();
    const dir = await mkdtemp(join(tmpdir(), 'heatnet-writer-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const spool = new Spool({ dir, maxBytes: 2000, segmentBytes: 400 }, silentLogger());
    const { writer, alerts } = await setup(db, { spool }, dir);
    for (let i = 0; i < 200; i += 10) await writer.accept(readings(i, i + 10));
    const h = writer.health().spool!;
    expect(h.droppedLines).toBeGreaterThan(0);
    expect(h.bytes).toBeLessThanOrEqual(2000);
    expect(h.lines + h.droppedLines).toBe(200);
    expect(alerts).toEqual([expect.objectContaining({ code: 'spool-full', severity: 'critical' })]);
    db.down = undefined;
    // The alert clears just after the last segment is acknowledged, not with it: wait for
    // both, or a loaded machine sees the empty spool first (issue 9: failed once here).
    await waitFor(() => {
      expect(writer.health().spool?.segments).toBe(0);
      expect(alerts).toHaveLength(2);
    });
    // What survived is the newest data, in order.
    expect(db.stored).toEqual(lines(h.droppedLines, 200));
    expect(alerts.at(-1)).toEqual(expect.objectContaining({ code: 'spool-full' }));
    expect(alerts).toHaveLength(2);
  });

  it('spools everything at shutdown; the next start replays it before new data', async () => {
    const db = new FakeDb();
    db.down = refusedConnection();
    const dir = await mkdtemp(join(tmpdir(), 'heatnet-writer-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const first = await setup(db, { spoolAfterMs: 60_000, batchSize: 1000 }, dir);
    first.writer.write(readings(0, 7)); // a partial batch, only in memory
    await first.writer.stop();
    expect(first.writer.health()).toMatchObject({ backlogLines: 0, droppedLines: 0 });
    expect(first.writer.health().spool?.lines).toBe(7);
    db.down = undefined;
    const second = await setup(db, {}, dir);
    second.writer.write(readings(7, 12));
    await waitFor(() => expect(db.stored).toHaveLength(12));
    expect(db.stored).toEqual(lines(0, 12));
  });

  it('rejects accept() for readings dropped from memory, so they are not acknowledged', async () => {
    const db = new FakeDb();
    db.hold();
    const writer = new BatchingWriter(
      db,
      { batchSize: 1000, flushIntervalMs: 60_000, maxBufferedLines: 5 },
      silentLogger(),
    );
    cleanup.push(async () => {
      db.release();
      await writer.stop();
    });
    const lost = writer.accept(readings(0, 3));
    const kept = writer.write(readings(3, 8));
    expect(kept).toBeUndefined();
    await expect(lost).rejects.toThrow(/dropped/);
    expect(writer.health().droppedLines).toBe(3);
  });

  it('resolves accept() only once the database has the readings, one promise per batch', async () => {
    const db = new FakeDb();
    db.hold();
    const writer = new BatchingWriter(
      db,
      { batchSize: 4, flushIntervalMs: 60_000, maxBufferedLines: 100 },
      silentLogger(),
    );
    cleanup.push(() => writer.stop());
    const promises = [0, 1, 2].map((i) => writer.accept([reading(i)]));
    expect(new Set(promises).size).toBe(1);
    let done = false;
    void promises[0]!.then(() => {
      done = true;
    });
    const flushed = writer.flush();
    await waitFor(() => expect(db.attempts).toBe(1));
    expect(done).toBe(false);
    db.release();
    await flushed;
    await promises[0];
    expect(db.stored).toEqual(lines(0, 3));
  });
});

type Step =
  | { kind: 'write' | 'accept'; n: number }
  | { kind: 'down' | 'up' | 'slow' | 'flush' }
  | { kind: 'wait'; ms: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('write' as const, 'accept' as const),
    n: fc.integer({ min: 1, max: 25 }),
  }),
  fc.record({
    kind: fc.constantFrom('down' as const, 'up' as const, 'slow' as const, 'flush' as const),
  }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 30 }) }),
);

/** Plays the steps against a writer; returns how many lines went in and the accept() promises. */
async function play(steps: readonly Step[], db: FakeDb, writer: BatchingWriter) {
  const accepted: Promise<void>[] = [];
  let next = 0;
  for (const step of steps) {
    if (step.kind === 'write' || step.kind === 'accept') {
      const batch = readings(next, next + step.n);
      next += step.n;
      if (step.kind === 'write') writer.write(batch);
      else accepted.push(writer.accept(batch));
    }
    if (step.kind === 'down') db.down = refusedConnection();
    if (step.kind === 'up') db.down = undefined;
    if (step.kind === 'slow') db.delayMs = db.delayMs === 0 ? 15 : 0;
    if (step.kind === 'flush') await writer.flush();
    if (step.kind === 'wait') await new Promise((r) => setTimeout(r, step.ms));
  }
  return { count: next, accepted };
}

describe('BatchingWriter with a spool: any outage pattern', () => {
  it('delivers every line once, in order, and settles every accept()', async () => {
    const property = fc.asyncProperty(
      fc.array(stepArb, { maxLength: 25 }),
      fc.integer({ min: 0, max: 20 }),
      async (steps, spoolAfterMs) => {
        const db = new FakeDb();
        const { writer } = await setup(db, { spoolAfterMs, spoolAtLines: 60, maxBackoffMs: 5 });
        const { count, accepted } = await play(steps, db, writer);
        db.down = undefined;
        await Promise.all(accepted);
        await waitFor(() => expect(db.stored).toHaveLength(count));
        expect(db.stored).toEqual(lines(0, count));
        await writer.stop();
        expect(writer.health()).toMatchObject({ backlogLines: 0, droppedLines: 0 });
        expect(writer.health().spool).toMatchObject({ segments: 0, lines: 0 });
      },
    );
    await fc.assert(property, { numRuns: 25 });
  }, 120_000);
});
