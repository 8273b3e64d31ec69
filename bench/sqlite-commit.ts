/**
 * What one durable commit costs the event loop on this machine's disk (issue 10's intake
 * tail): the store's SQLite (WAL) with synchronous=FULL, as heatnet runs it, against
 * NORMAL (no fsync per commit; an experiment, not an option heatnet offers). better-sqlite3
 * commits synchronously, so the fsync is time the event loop is held.
 *   npx tsx bench/sqlite-commit.ts [--commits 300]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { Store } from '../src/store/store.ts';
import { summary } from './support/intake-timing.ts';

const { values } = parseArgs({ options: { commits: { type: 'string', default: '300' } } });

async function commits(mode: 'FULL' | 'NORMAL') {
  const path = join(mkdtempSync(join(tmpdir(), 'heatnet-bench-commit-')), 'store.sqlite');
  const store = new Store({ engine: 'sqlite', path });
  await store.start();
  await sql.raw(`PRAGMA synchronous = ${mode}`).execute(store.db);
  await sql`CREATE TABLE bench_commit (id INTEGER PRIMARY KEY, body TEXT)`.execute(store.db);
  const ms: number[] = [];
  for (let i = 0; i < Number(values.commits); i++) {
    const t = performance.now();
    await store.transaction((trx) =>
      sql`INSERT INTO bench_commit (body) VALUES (${'x'.repeat(500)})`.execute(trx),
    );
    ms.push(performance.now() - t);
  }
  await store.stop();
  return { mode, ...summary(ms) };
}

const rows = [];
for (const mode of ['FULL', 'NORMAL', 'FULL', 'NORMAL'] as const) rows.push(await commits(mode));
console.log(JSON.stringify({ date: new Date().toISOString(), rows }));
