import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  type Dialect,
  type DialectAdapter,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
} from 'kysely';
import pg from 'pg';
import type { Logger } from '../core/logger.ts';
import type { StoreTarget } from './engine.ts';

/**
 * The drivers, in the one place allowed to import them (DESIGN §3: only the store
 * imports the database drivers).
 */

/** PostgreSQL's int8 (BIGINT, bigserial): epoch ms and ids, all well inside 2^53. */
const INT8_OID = 20;

/**
 * SQLite runs DDL inside transactions perfectly well; Kysely's adapter just says it
 * does not, which would let a migration that fails half-way leave half a schema.
 */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class TransactionalSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}

/**
 * WAL with synchronous=FULL: a committed row survives a power cut (the control audit
 * is a safety record). The busy timeout lets a second process on the same file (a
 * tool, a test) wait its turn instead of failing at once.
 */
function openSqlite(path: string): SqliteDatabase.Database {
  mkdirSync(dirname(path), { recursive: true });
  const db = new SqliteDatabase(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

export function createDialect(target: StoreTarget, log?: Logger): Dialect {
  if (target.engine === 'sqlite') {
    return new TransactionalSqliteDialect({ database: async () => openSqlite(target.path) });
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: 10,
    // Commits wait for the WAL flush (PostgreSQL's default; said here so no role or
    // database setting can quietly weaken it for the store).
    options: '-c synchronous_commit=on',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server drops emits 'error' on the pool; unhandled, that
  // would end the process. The next query gets a fresh connection (or fails loudly).
  pool.on('error', (err) => log?.warn({ err: err.message }, 'store connection lost'));
  return new PostgresDialect({ pool });
}

/** Another SQLite file, read only: the control audit's file from before the store, to import. */
export function openSqliteReadOnly(path: string): SqliteDatabase.Database {
  return new SqliteDatabase(path, { readonly: true, fileMustExist: true });
}
