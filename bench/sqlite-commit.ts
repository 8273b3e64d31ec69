/**
 * What a durable commit costs on this machine's disk (issue 10's intake tail), the store's
 * SQLite (WAL, synchronous=NORMAL) both ways store.sqliteFsync offers: `commit` flushes the
 * log with fdatasync as each write ends, on the event loop (better-sqlite3 is synchronous,
 * so that is time the loop is held); `grouped` flushes it off the loop before the write
 * resolves, once for the commits that finish meanwhile. For each: the commits one after
 * another (their latency and the longest time the loop was held meanwhile, from a 1 ms
 * ticker), then `--concurrent` commits at once (wall time, and the syncs that covered them).
 *   npx tsx bench/sqlite-commit.ts [--commits 300] [--concurrent 50]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { Store } from '../src/store/store.ts';
import { summary } from './support/intake-timing.ts';

const { values } = parseArgs({
  options: {
    commits: { type: 'string', default: '300' },
    concurrent: { type: 'string', default: '50' },
  },
});

type Mode = 'commit' | 'grouped';

/** The longest gaps between a 1 ms ticker's ticks while `work` runs: the loop held. */
async function loopGaps<T>(work: () => Promise<T>) {
  const gaps: number[] = [];
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 1);
  const result = await work();
  clearInterval(ticker);
  return { result, gaps: summary(gaps) };
}

async function commits(mode: Mode) {
  const path = join(mkdtempSync(join(tmpdir(), 'heatnet-bench-commit-')), 'store.sqlite');
  const store = new Store({ engine: 'sqlite', path, fsync: mode });
  await store.start();
  await sql`CREATE TABLE bench_commit (id INTEGER PRIMARY KEY, body TEXT)`.execute(store.db);
  const one = () =>
    store.transaction((trx) =>
      sql`INSERT INTO bench_commit (body) VALUES (${'x'.repeat(500)})`.execute(trx),
    );
  const sequential = await loopGaps(async () => {
    const ms: number[] = [];
    for (let i = 0; i < Number(values.commits); i++) {
      const t = performance.now();
      await one();
      ms.push(performance.now() - t);
    }
    return summary(ms);
  });
  const before = store.walSyncs ?? { syncs: 0 };
  const t = performance.now();
  const burst = await loopGaps(() =>
    Promise.all(Array.from({ length: Number(values.concurrent) }, one)),
  );
  const after = store.walSyncs ?? { syncs: 0 };
  await store.stop();
  return {
    mode,
    commitMs: sequential.result,
    loopHeldMs: sequential.gaps,
    concurrent: {
      commits: Number(values.concurrent),
      wallMs: Math.round((performance.now() - t) * 10) / 10,
      loopHeldMaxMs: burst.gaps.max,
      logSyncs: after.syncs - before.syncs,
    },
  };
}

const rows = [];
for (const mode of ['commit', 'grouped', 'commit', 'grouped'] as const) {
  rows.push(await commits(mode));
}
console.log(JSON.stringify({ date: new Date().toISOString(), rows }, null, 2));
