import { existsSync, readdirSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.ts';
import { Spool, type SpoolOptions } from '../../src/storage/spool.ts';
import { spoolLockHolder } from '../../src/storage/spool-files.ts';
import { encodeRecord, segmentRecords } from '../../src/storage/spool-format.ts';

/**
 * The disk spool on its own: records in append order, segments that roll over and go away
 * once delivered, the size cap with counted drop-oldest, and records torn or corrupted by a
 * crash that are detected and never handed out.
 */

const dirs: string[] = [];
const spools: Spool[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'heatnet-spool-'));
  dirs.push(dir);
  return dir;
}

async function openSpool(dir: string, options: Partial<SpoolOptions> = {}): Promise<Spool> {
  const spool = new Spool({ dir, maxBytes: 1 << 30, ...options }, silentLogger());
  spools.push(spool);
  await spool.open();
  return spool;
}

afterEach(async () => {
  for (const s of spools.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const batch = (i: number, n = 3) => Array.from({ length: n }, (_, k) => `m,b=${i} k=${k}i ${i}`);
const segmentsIn = (dir: string) =>
  readdirSync(dir)
    .filter((n) => n.endsWith('.lp'))
    .sort();

/** Everything the spool hands out, acknowledging each record. */
async function drain(spool: Spool): Promise<string[][]> {
  const out: string[][] = [];
  for (let r = await spool.peek(); r; r = await spool.peek()) {
    out.push(r.lines);
    await spool.ack(r);
  }
  return out;
}

describe('Spool order and segments', () => {
  it('hands records out in append order and deletes each segment once delivered', async () => {
    const dir = await tempDir();
    const spool = await openSpool(dir, { segmentBytes: 100 });
    for (let i = 0; i < 6; i++) await spool.append(batch(i));
    expect(segmentsIn(dir).length).toBeGreaterThan(1);
    expect(spool.stats()).toMatchObject({ lines: 18, droppedLines: 0, corruptLines: 0 });
    expect(await drain(spool)).toEqual([0, 1, 2, 3, 4, 5].map((i) => batch(i)));
    expect(spool.isEmpty()).toBe(true);
    expect(segmentsIn(dir)).toEqual([]);
    expect(spool.stats()).toMatchObject({ segments: 0, bytes: 0, lines: 0, oldestAt: null });
  });

  it('gives a released record again, and records appended meanwhile after it', async () => {
    const spool = await openSpool(await tempDir());
    await spool.append(batch(0));
    const first = await spool.peek();
    spool.release(first!);
    await spool.append(batch(1));
    expect(await drain(spool)).toEqual([batch(0), batch(1)]);
  });

  it('keeps its records across a restart, goes on where a clean close stopped, never appends to an old segment', async () => {
    const dir = await tempDir();
    const a = await openSpool(dir, { segmentBytes: 1 << 20 });
    for (let i = 0; i < 4; i++) await a.append(batch(i));
    const r = await a.peek();
    await a.ack(r!);
    await a.close();
    const before = segmentsIn(dir);
    const b = await openSpool(dir);
    expect(b.stats()).toMatchObject({ segments: 1, lines: 9 });
    await b.append(batch(4));
    expect(segmentsIn(dir)).toEqual([...before, expect.stringMatching(/^spool-0+2\.lp$/)]);
    expect(await drain(b)).toEqual([1, 2, 3, 4].map((i) => batch(i)));
  });

  it('keeps the saved position through a restart that reads nothing', async () => {
    const dir = await tempDir();
    const a = await openSpool(dir);
    for (let i = 0; i < 3; i++) await a.append(batch(i));
    await a.ack((await a.peek())!);
    await a.close();
    await (await openSpool(dir)).close();
    expect(await drain(await openSpool(dir))).toEqual([batch(1), batch(2)]);
  });

  it('sends the oldest segment again from its start after a crash (at least once)', async () => {
    const dir = await tempDir();
    const a = await openSpool(dir, { segmentBytes: 1 << 20 });
    for (let i = 0; i < 3; i++) await a.append(batch(i));
    await a.ack((await a.peek())!);
    // No close(): the process died.
    const b = await openSpool(dir);
    expect(await drain(b)).toEqual([0, 1, 2].map((i) => batch(i)));
  });

  it('reports when the oldest undelivered record was spooled', async () => {
    const spool = await openSpool(await tempDir());
    const before = Date.now();
    await spool.append(batch(0));
    const oldest = spool.stats().oldestAt;
    expect(oldest).toBeGreaterThanOrEqual(before);
    expect(oldest).toBeLessThanOrEqual(Date.now());
  });

  it('holds a lock while open that names this process, and lets it go at close', async () => {
    const dir = await tempDir();
    const spool = await openSpool(dir);
    expect(await spoolLockHolder(dir)).toBe(process.pid);
    await spool.close();
    expect(existsSync(join(dir, 'LOCK'))).toBe(false);
    // A lock left by a dead process does not count.
    await writeFile(join(dir, 'LOCK'), '999999999\n');
    expect(await spoolLockHolder(dir)).toBeUndefined();
  });
});

describe('Spool cap', () => {
  it('deletes the oldest segments beyond maxBytes and counts their lines', async () => {
    const dir = await tempDir();
    const record = encodeRecord(batch(0), Date.now()).length;
    // One record per segment; room for three.
    const spool = await openSpool(dir, { segmentBytes: 1, maxBytes: 3 * record + 10 });
    let dropped = 0;
    for (let i = 0; i < 10; i++) dropped += await spool.append(batch(i));
    expect(dropped).toBe(7 * 3);
    expect(spool.stats()).toMatchObject({ segments: 3, droppedLines: 21, lines: 9 });
    expect(spool.stats().bytes).toBeLessThanOrEqual(3 * record + 10);
    expect(await drain(spool)).toEqual([7, 8, 9].map((i) => batch(i)));
  });

  it('counts a record being sent when its segment is dropped only if the send fails', async () => {
    const record = encodeRecord(batch(0), Date.now()).length;
    const spool = await openSpool(await tempDir(), { segmentBytes: 1, maxBytes: 2 * record });
    await spool.append(batch(0));
    const sending = await spool.peek();
    await spool.append(batch(1));
    await spool.append(batch(2)); // drops segment 0 while its record is out
    expect(spool.stats().droppedLines).toBe(0);
    await spool.ack(sending!); // delivered after all: nothing lost
    expect(spool.stats().droppedLines).toBe(0);
    const next = await spool.peek();
    await spool.append(batch(3)); // drops segment 1
    spool.release(next!); // and its send failed: lost
    expect(spool.stats().droppedLines).toBe(3);
    expect(await drain(spool)).toEqual([batch(2), batch(3)]);
  });
});

describe('Spool torn and corrupt records', () => {
  it('never hands out a record torn by a crash mid-write, at any byte', async () => {
    const dir = await tempDir();
    const good = [batch(0), batch(1)];
    const torn = encodeRecord(batch(2, 5), Date.now());
    for (let cut = 0; cut < torn.length; cut++) {
      const sub = join(dir, `cut-${cut}`);
      const a = await openSpool(sub);
      for (const b of good) await a.append(b);
      await a.close();
      await appendFile(join(sub, segmentsIn(sub)[0]!), torn.subarray(0, cut));
      const b = await openSpool(sub);
      expect(await drain(b), `cut at ${cut}`).toEqual(good);
      expect(b.isEmpty()).toBe(true);
      await b.close();
    }
  });

  it('skips a record whose checksum fails and counts its lines', async () => {
    const dir = await tempDir();
    const a = await openSpool(dir);
    for (let i = 0; i < 3; i++) await a.append(batch(i));
    await a.close();
    const file = join(dir, segmentsIn(dir)[0]!);
    const bytes = await readFile(file);
    const second = bytes.indexOf('m,b=1 k=1i');
    bytes[second + 4] = '7'.charCodeAt(0); // b=1 → b=7: same length, other content
    await writeFile(file, bytes);
    const b = await openSpool(dir);
    expect(await drain(b)).toEqual([batch(0), batch(2)]);
    expect(b.stats().corruptLines).toBe(3);
  });

  it('reads segment files for replay-spool the same way', async () => {
    const dir = await tempDir();
    const a = await openSpool(dir);
    for (let i = 0; i < 3; i++) await a.append(batch(i));
    await a.close();
    const file = join(dir, segmentsIn(dir)[0]!);
    const size = (await readFile(file)).length;
    await truncate(file, size - 4);
    const bad: string[] = [];
    const read: string[][] = [];
    for await (const r of segmentRecords(file, (reason) => bad.push(reason))) {
      if (r.lines.length > 0) read.push(r.lines);
    }
    expect(read).toEqual([batch(0), batch(1)]);
    expect(bad).toEqual(['record cut short']);
  });
});
