import SqliteDatabase from 'better-sqlite3';
import { type Dialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from '../core/logger.ts';
import type { StoreTarget } from './engine.ts';
import { DurableSqliteDialect } from './sqlite-dialect.ts';

/**
 * The drivers, in the one place allowed to import them (DESIGN §3: only the store
 * imports the database drivers).
 */

/** PostgreSQL's int8 (BIGINT, bigserial): epoch ms and ids, all well inside 2^53. */
const INT8_OID = 20;

export function createDialect(target: StoreTarget, log?: Logger): Dialect {
  if (target.engine === 'sqlite') {
    return new DurableSqliteDialect(target.path, target.fsync ?? 'commit', log);
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
