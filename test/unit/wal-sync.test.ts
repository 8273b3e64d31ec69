import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DurableSqliteDriver } from '../../src/store/sqlite-dialect.ts';
import { Store } from '../../src/store/store.ts';
import { LogFile, WalSync } from '../../src/store/wal-sync.ts';

/**
 * The store's group commit (issue 10): a write resolves only after an fsync that started
 * after it asked, and writes that ask while one runs share the next.
 */

function controlledFsync() {
  const calls: { done: () => void; fail: (e: Error) => void }[] = [];
  const fsync = () =>
    new Promise<void>((resolve, reject) => calls.push({ done: resolve, fail: reject }));
  return { fsync, calls };
}

const settled = async (p: Promise<unknown>) => {
  let state = 'pending';
  p.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return state;
};

describe('WalSync', () => {
  it('waits for an fsync that started after the request, shared by those that came meanwhile', async () => {
    const { fsync, calls } = controlledFsync();
    const wal = new WalSync(fsync);
    const first = wal.sync();
    expect(calls).toHaveLength(1);
    // These commits finished while the first fsync ran: it may not cover them.
    const second = wal.sync();
    const third = wal.sync();
    expect(calls).toHaveLength(1);
    calls[0]!.done();
    expect(await settled(first)).toBe('resolved');
    expect(await settled(second)).toBe('pending');
    expect(calls).toHaveLength(2);
    calls[1]!.done();
    expect(await settled(second)).toBe('resolved');
    expect(await settled(third)).toBe('resolved');
    expect(wal.stats).toEqual({ syncs: 2, requests: 3 });
    // Idle again: the next request starts its own fsync at once.
    void wal.sync();
    expect(calls).toHaveLength(3);
  });

  it('rejects the writes an fsync failed for, and the next fsync still runs', async () => {
    const { fsync, calls } = controlledFsync();
    const wal = new WalSync(fsync);
    const first = wal.sync();
    const second = wal.sync();
    calls[0]!.fail(new Error('EIO'));
    await expect(first).rejects.toThrow('EIO');
    expect(calls).toHaveLength(2);
    calls[1]!.done();
    await expect(second).resolves.toBeUndefined();
  });
});

describe('Store.transaction on SQLite with grouped fsyncs', () => {
  it('says the transaction ended before its log is fsynced, and resolves after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heatnet-wal-'));
    const path = join(dir, 'store.sqlite');
    const store = new Store({ engine: 'sqlite', path, fsync: 'grouped' });
    await store.start();
    try {
      const before = store.walSyncs!.syncs;
      const seen: string[] = [];
      await store.transaction(
        (trx) => sql`CREATE TABLE t (x INTEGER)`.execute(trx),
        () => seen.push(`ended after ${store.walSyncs!.syncs - before} fsyncs`),
      );
      seen.push(`resolved after ${store.walSyncs!.syncs - before} fsyncs`);
      expect(seen).toEqual(['ended after 0 fsyncs', 'resolved after 1 fsyncs']);
    } finally {
      await store.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('DurableSqliteDriver, flushing as each write ends', () => {
  it('fails the write whose flush fails, and still releases the connection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heatnet-flush-'));
    const path = join(dir, 'store.sqlite');
    const file = new LogFile(`${path}-wal`);
    let failing = true;
    const datasyncNow = file.datasyncNow.bind(file);
    file.datasyncNow = () => {
      if (failing) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      datasyncNow();
    };
    const driver = new DurableSqliteDriver(path, file, null);
    await driver.init();
    const run = async (query: string) => {
      const connection = await driver.acquireConnection();
      try {
        await connection.executeQuery(CompiledQuery.raw(query));
      } finally {
        await driver.releaseConnection();
      }
    };
    try {
      await expect(run('CREATE TABLE t (x INTEGER)')).rejects.toThrow('EIO');
      // Reads need no flush; the connection came back, so the next write proceeds.
      await expect(run('SELECT 1')).resolves.toBeUndefined();
      failing = false;
      await expect(run('INSERT INTO t VALUES (1)')).resolves.toBeUndefined();
      expect(file.flushes.count).toBe(1);
    } finally {
      await driver.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** This process's open descriptors on `path` (Linux). */
function handlesOn(path: string): number {
  const fds = readdirSync('/proc/self/fd');
  return fds.filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
}

describe('LogFile', () => {
  it('fails every flush after the first that failed, on the loop and off it', async () => {
    // procfs has no fsync: fdatasync answers EINVAL, as a failing disk answers EIO.
    const log = new LogFile('/proc/self/status');
    let first: unknown;
    try {
      log.datasyncNow();
    } catch (err) {
      first = err;
    }
    expect(first).toBeInstanceOf(Error);
    expect((first as Error).message).toMatch(/store's log failed: EINVAL.*until heatnet restarts/);
    expect(() => log.datasyncNow()).toThrow(first as Error);
    expect(log.failed).toBe((first as Error).message); // for /api/health
    await expect(log.datasync()).rejects.toBe(first);
    // Only the first reached the disk, and only it was timed.
    expect(log.flushes.count).toBe(1);
    await log.close();
  });

  it('syncs through one handle, on the loop or off it, waits for a log that does not exist yet, and closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heatnet-log-'));
    const path = join(dir, 'store.sqlite-wal');
    const log = new LogFile(path);
    try {
      // No log yet (nothing written): nothing to sync, and the next call looks again.
      await expect(log.datasync()).resolves.toBeUndefined();
      writeFileSync(path, 'frames');
      await expect(log.datasync()).resolves.toBeUndefined();
      log.datasyncNow();
      await expect(log.datasync()).resolves.toBeUndefined();
      expect(log.flushes.count).toBe(3);
      expect(log.flushes.longestMs).toBeGreaterThan(0);
      expect(handlesOn(path)).toBe(1);
      await log.close();
      await log.close();
      expect(handlesOn(path)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
