import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  type Dialect,
  type DialectAdapter,
  type Kysely,
  SqliteAdapter,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { WalSync } from './wal-sync.ts';

/**
 * SQLite runs DDL inside transactions perfectly well; Kysely's adapter just says it
 * does not, which would let a migration that fails half-way leave half a schema.
 */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * WAL with synchronous=NORMAL, made durable per write by DurableSqliteDriver. The busy
 * timeout lets a second process on the same file (a tool, a test) wait its turn instead
 * of failing at once.
 */
function openSqlite(path: string, onWrite: () => void): SqliteDatabase.Database {
  mkdirSync(dirname(path), { recursive: true });
  const db = new SqliteDatabase(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  keepStatements(db, onWrite);
  return db;
}

/** Prepared statements kept; heatnet's queries are a few hundred shapes that repeat. */
const STATEMENTS_KEPT = 500;

/**
 * Kysely prepares every statement on every query (~0.45 ms of each complaint call in the
 * intake profile, more for a 1,000-row insert). The statements are kept by SQL text,
 * least recently used dropped past STATEMENTS_KEPT. Sharing one is safe because Kysely
 * runs each to completion (`all`/`run`) before the next query; heatnet never streams.
 * `onWrite` is told of every statement run that may change the file (DDL included).
 */
function keepStatements(db: SqliteDatabase.Database, onWrite: () => void): void {
  const kept = new Map<string, SqliteDatabase.Statement>();
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    let stmt = kept.get(source);
    if (stmt) kept.delete(source);
    else stmt = writes(prepare(source), onWrite);
    kept.set(source, stmt);
    if (kept.size > STATEMENTS_KEPT) kept.delete(kept.keys().next().value!);
    return stmt;
  }) as typeof db.prepare;
}

/**
 * The statement, telling `onWrite` whenever it runs if it may change the file. SQLite's
 * own judgement (`readonly`): DDL and INSERT … RETURNING (a "reader") write; BEGIN and
 * COMMIT do not by themselves.
 */
function writes(stmt: SqliteDatabase.Statement, onWrite: () => void) {
  if (stmt.readonly) return stmt;
  const methods = stmt as unknown as Record<'run' | 'all' | 'get', (...p: unknown[]) => unknown>;
  for (const name of ['run', 'all', 'get'] as const) {
    const original = methods[name].bind(stmt);
    methods[name] = (...params) => {
      onWrite();
      return original(...params);
    };
  }
  return stmt;
}

/**
 * Durable commits without an fsync on the event loop. better-sqlite3 commits
 * synchronously, so with `synchronous=FULL` every commit's fsync (p50 3–5 ms, p99 ~20 ms
 * on this kind of machine) held the main thread, and complaint intake waited behind the
 * fsyncs of every write before it (issue 10). Here SQLite runs with `synchronous=NORMAL`
 * (consistent through a power cut, but the last commits could be lost) and a connection
 * that changed rows fsyncs the `-wal` file in libuv's thread pool once it is released,
 * before the query or transaction resolves: what has resolved is on stable storage, as
 * with FULL (the control audit is a safety record, a complaint's 201 a promise).
 * Commits that finish while an fsync runs share the next one.
 */
export class DurableSqliteDriver extends SqliteDriver {
  /**
   * Called once the connection is released, before the fsync is awaited: set by a
   * transaction whose caller orders its own writes by commit, not by durability.
   */
  onReleased: (() => void) | undefined;
  /** A statement that may change the file ran since the connection was acquired. */
  private readonly written = { since: false };

  constructor(
    path: string,
    private readonly wal: WalSync,
  ) {
    const written = { since: false };
    super({ database: async () => openSqlite(path, () => (written.since = true)) });
    this.written = written;
  }

  override async releaseConnection(): Promise<void> {
    // Taken before the connection is free, while no other statement can run on it.
    const wrote = this.written.since;
    this.written.since = false;
    await super.releaseConnection();
    const released = this.onReleased;
    this.onReleased = undefined;
    released?.();
    if (wrote) await this.wal.sync();
  }
}

/** Kysely's SQLite dialect with the durable driver and transactional DDL. */
export class DurableSqliteDialect implements Dialect {
  /** The store's group commits (for health and the benchmark). */
  readonly wal: WalSync;
  /** The driver, once Kysely has asked for it. */
  driver: DurableSqliteDriver | undefined;

  constructor(private readonly path: string) {
    this.wal = new WalSync(`${path}-wal`);
  }

  createDriver(): SqliteDriver {
    this.driver = new DurableSqliteDriver(this.path, this.wal);
    return this.driver;
  }

  createQueryCompiler(): SqliteQueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): SqliteIntrospector {
    return new SqliteIntrospector(db);
  }
}
