// Fresh relational stores for tests, on both engines the store speaks (DESIGN §5): a SQLite
// file in a temp dir, or an empty database on a real PostgreSQL server (one per describe that
// calls useEngine).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Engine, StoreTarget } from '../../src/store/engine.ts';
import { type PostgresHandle, startPostgres } from './postgres.ts';

export const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];

let server: PostgresHandle | undefined;
let databases = 0;

/**
 * Call in a describe body (collection time): for postgres, starts the file's server before
 * its tests and stops it after them.
 */
export function useEngine(engine: Engine): void {
  if (engine !== 'postgres') return;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.destroy();
    server = undefined;
  });
}

/** A target no test has used yet: an empty store (postgres needs useEngine first). */
export async function freshTarget(engine: Engine): Promise<StoreTarget> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'heatnet-store-'));
    return { engine, path: join(dir, 'heatnet.sqlite') };
  }
  if (!server) throw new Error('call useEngine("postgres") in the describe block first');
  const url = await server.createDatabase(`heatnet_test_${++databases}`);
  return { engine, url };
}
