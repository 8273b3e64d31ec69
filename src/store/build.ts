import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.ts';
import { childLogger, type Logger } from '../core/logger.ts';
import type { StoreTarget } from './engine.ts';
import { Store } from './store.ts';

/** The SQLite file's name inside `storage.dataDir` when `store.sqlite` does not name one. */
export const DEFAULT_SQLITE_FILE = 'heatnet.sqlite';

/**
 * Where the store lives: `store.postgres` (its `env:` reference already resolved by the
 * config loader), else `store.sqlite` (relative to the config's base directory, as
 * `storage.dataDir` is), else `heatnet.sqlite` in `storage.dataDir`.
 */
export function storeTarget(config: Config, baseDir: string): StoreTarget {
  const { store, storage } = config;
  if (store.postgres) return { engine: 'postgres', url: store.postgres };
  const fsync = store.sqliteFsync;
  const path = store.sqlite
    ? resolve(baseDir, store.sqlite)
    : join(resolve(baseDir, storage.dataDir), DEFAULT_SQLITE_FILE);
  return { engine: 'sqlite', path, fsync };
}

/** The store, and its component for the root to start before anything that uses it. */
export function buildStore(deps: { config: Config; baseDir: string; log: Logger }) {
  const store = new Store(storeTarget(deps.config, deps.baseDir), childLogger(deps.log, 'store'));
  return { store, components: [store] };
}
