import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.ts';
import { Store } from '../../src/store/store.ts';
import { eventually } from '../support/config.ts';

/*
 * SQLite's log is copied into the database by a thread of the store's own, not by the
 * commit that happens to take it past 1,000 pages on the event loop (issue 10).
 */

const open: Store[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.stop();
});

async function storeIn(dir: string): Promise<Store> {
  const store = new Store({ engine: 'sqlite', path: join(dir, 'heatnet.sqlite') }, silentLogger());
  open.push(store);
  await store.start();
  return store;
}

/** ~2 MB of rows in one commit: half of what SQLite would checkpoint by itself. */
async function writeTwoMegabytes(store: Store): Promise<void> {
  await sql`CREATE TABLE bulk (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`.execute(store.db);
  await store.transaction(async (trx) => {
    for (let i = 0; i < 500; i++) {
      await sql`INSERT INTO bulk (body) VALUES (${'x'.repeat(4000)})`.execute(trx);
    }
  });
}

describe('WAL checkpoints off the event loop', () => {
  it('copies committed pages into the database file without a commit asking', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heatnet-checkpoint-'));
    const store = await storeIn(dir);
    const file = join(dir, 'heatnet.sqlite');
    const before = statSync(file).size;
    await writeTwoMegabytes(store);
    // Only a checkpoint writes the database file itself; SQLite's own would wait for 4 MB.
    await eventually(() => statSync(file).size > before + 1_900_000, {
      timeoutMs: 20_000,
      what: 'the database file to hold the committed pages',
    });
    const rows = await sql<{ n: number }>`SELECT count(*) AS n FROM bulk`.execute(store.db);
    expect(rows.rows[0]?.n).toBe(500);
  });

  it('stops with the store, leaving every row in the database and no log behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heatnet-checkpoint-'));
    const store = await storeIn(dir);
    await writeTwoMegabytes(store);
    await store.stop();
    open.splice(0);
    expect(existsSync(join(dir, 'heatnet.sqlite-wal'))).toBe(false);
    const again = await storeIn(dir);
    const rows = await sql<{ n: number }>`SELECT count(*) AS n FROM bulk`.execute(again.db);
    expect(rows.rows[0]?.n).toBe(500);
  });

  it('keeps a process that has nothing else to do alive until the thread has ended', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heatnet-checkpoint-'));
    // The thread is unref'd while the store runs; stopping must wait for it all the same,
    // or the script's top-level await is left unsettled and the process exits with 13.
    const script = `
      import { Store } from './src/store/store.ts';
      const store = new Store({ engine: 'sqlite', path: ${JSON.stringify(join(dir, 'h.sqlite'))} });
      await store.start();
      await store.stop();
      console.log('stopped');`;
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe('stopped');
  });
});
