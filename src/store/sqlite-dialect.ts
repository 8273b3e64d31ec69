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
import type { Logger } from '../core/logger.ts';
import type { SqliteFsync } from './engine.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';
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
 * WAL, made durable per commit (FULL) or per write by DurableSqliteDriver (grouped). The busy
 * timeout lets a second process on the same file (a tool, a test) wait its turn instead
 * of failing at once.
 */
function openSqlite(
  path: string,
  fsync: SqliteFsync,
  onWrite: () => void,
): SqliteDatabase.Database {
  mkdirSync(dirname(path), { recursive: true });
  const db = new SqliteDatabase(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(fsync === 'commit' ? 'synchronous = FULL' : 'synchronous = NORMAL');
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
 * Durable commits, two ways (store.sqliteFsync). `commit` (the default): SQLite's own
 * synchronous=FULL, an fsync inside every commit — better-sqlite3 commits synchronously,
 * so the event loop waits on the disk (p50 1–5 ms, p99 ~10–20 ms on this kind of machine).
 * `grouped`: synchronous=NORMAL (consistent through a power cut, but the last commits could
 * be lost) and a connection that ran a writing statement fsyncs the `-wal` file in libuv's
 * thread pool once it is released, before the query or transaction resolves; commits that
 * finish while an fsync runs share the next. Either way what has resolved is on stable
 * storage (the control audit is a safety record, a complaint's 201 a promise). Grouped
 * frees the loop, but an fsync that runs while other writes stream into the log takes
 * longer: with the 5,000-station intake bench its tail was worse (BENCHMARKS.md, issue 10).
 */
export class DurableSqliteDriver extends SqliteDriver {
  /**
   * Called once the connection is released, before the fsync is awaited: set by a
   * transaction whose caller orders its own writes by commit, not by durability.
   */
  onReleased: (() => void) | undefined;
  /** A statement that may change the file ran since the connection was acquired. */
  private readonly written = { since: false };
  private readonly checkpoints: { by?: WalCheckpointer };

  constructor(
    path: string,
    private readonly wal: WalSync | null,
    log?: Logger,
  ) {
    const written = { since: false };
    const checkpoints: { by?: WalCheckpointer } = {};
    const fsync = wal ? 'grouped' : 'commit';
    super({
      database: async () => {
        const db = openSqlite(path, fsync, () => (written.since = true));
        if (!db.memory) checkpoints.by = new WalCheckpointer(db, log);
        return db;
      },
    });
    this.written = written;
    this.checkpoints = checkpoints;
  }

  override async destroy(): Promise<void> {
    await this.checkpoints.by?.stop();
    await super.destroy();
    await this.wal?.close();
  }

  override async releaseConnection(): Promise<void> {
    // Taken before the connection is free, while no other statement can run on it.
    const wrote = this.written.since;
    this.written.since = false;
    await super.releaseConnection();
    const released = this.onReleased;
    this.onReleased = undefined;
    released?.();
    if (wrote) await this.wal?.sync();
  }
}

/** Kysely's SQLite dialect with the durable driver and transactional DDL. */
export class DurableSqliteDialect implements Dialect {
  /** The store's group commits (for health and the benchmark); null when each commit fsyncs. */
  readonly wal: WalSync | null;
  /** The driver, once Kysely has asked for it. */
  driver: DurableSqliteDriver | undefined;

  constructor(
    private readonly path: string,
    fsync: SqliteFsync,
    private readonly log?: Logger,
  ) {
    this.wal = fsync === 'grouped' ? new WalSync(`${path}-wal`) : null;
  }

  createDriver(): SqliteDriver {
    this.driver = new DurableSqliteDriver(this.path, this.wal, this.log);
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
