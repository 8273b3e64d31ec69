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
import { LogFile, type LogFlushes, WalSync } from './wal-sync.ts';

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
 * WAL with synchronous=NORMAL: SQLite itself syncs the log only when it checkpoints, and
 * DurableSqliteDriver makes each write durable. The busy timeout lets a second process on
 * the same file (a tool, a test) wait its turn instead of failing at once.
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
 * Durable commits, two ways (store.sqliteFsync); either way what has resolved is on stable
 * storage (the control audit is a safety record, a complaint's 201 a promise). SQLite runs
 * synchronous=NORMAL (consistent through a power cut, but the last commits could be lost),
 * and a connection that ran a writing statement flushes the `-wal` file with fdatasync
 * through a descriptor kept open (LogFile) before the query or transaction resolves:
 * - `commit` (the default): on the event loop, as the connection is released. The loop
 *   waits for the disk (0.5–0.8 ms on average on this kind of machine), but for the log's
 *   data alone: SQLite's own synchronous=FULL called fsync, which on ext4 also commits the
 *   filesystem's journal. A virtual disk's flush still stalls now and then, 100 ms and
 *   more however idle the machine, and every call waiting meanwhile is late
 *   (BENCHMARKS.md, issue 10, session 10; `GET /metrics` counts the slow flushes).
 * - `grouped`: in libuv's thread pool once the connection is released; commits that finish
 *   while a sync runs share the next. It frees the loop, but each write waits for the sync
 *   that was running plus its own: with the 5,000-station intake bench its tail was worse.
 */
export class DurableSqliteDriver extends SqliteDriver {
  /**
   * Called once the connection is released, before a grouped sync is awaited: set by a
   * transaction whose caller orders its own writes by commit, not by durability.
   */
  onReleased: (() => void) | undefined;
  /** A statement that may change the file ran since the connection was acquired. */
  private readonly written = { since: false };
  private readonly checkpoints: { by?: WalCheckpointer };

  constructor(
    path: string,
    private readonly file: LogFile,
    private readonly wal: WalSync | null,
    log?: Logger,
  ) {
    const written = { since: false };
    const checkpoints: { by?: WalCheckpointer } = {};
    super({
      database: async () => {
        const db = openSqlite(path, () => (written.since = true));
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
    await this.file.close();
  }

  override async releaseConnection(): Promise<void> {
    // Taken before the connection is free, while no other statement can run on it.
    const wrote = this.written.since;
    this.written.since = false;
    let unflushed: unknown;
    try {
      if (wrote && !this.wal) this.file.datasyncNow();
    } catch (err) {
      unflushed = err; // the write failed: the connection is released all the same
    }
    await super.releaseConnection();
    const released = this.onReleased;
    this.onReleased = undefined;
    released?.();
    if (unflushed) throw unflushed;
    if (wrote) await this.wal?.sync();
  }
}

/** The log's syncs so far: each covered `requests / syncs` writes on average. */
export interface LogSyncs {
  syncs: number;
  requests: number;
  flushes: LogFlushes;
}

/** Kysely's SQLite dialect with the durable driver and transactional DDL. */
export class DurableSqliteDialect implements Dialect {
  /** The store's group commits (`grouped`); null when each commit syncs on the loop. */
  readonly wal: WalSync | null;
  /** The driver, once Kysely has asked for it. */
  driver: DurableSqliteDriver | undefined;

  private readonly file: LogFile;

  constructor(
    private readonly path: string,
    fsync: SqliteFsync,
    private readonly log?: Logger,
  ) {
    this.file = new LogFile(`${path}-wal`);
    this.wal = fsync === 'grouped' ? new WalSync(this.file) : null;
  }

  /** Syncs of the log, the writes they covered and what they took (metrics, benchmarks). */
  get syncs(): LogSyncs {
    const flushes = { ...this.file.flushes };
    if (this.wal) return { ...this.wal.stats, flushes };
    return { syncs: flushes.count, requests: flushes.count, flushes };
  }

  /** Why the store takes no writes any more (see LogFile.failed). */
  get failure(): string | undefined {
    return this.file.failed;
  }

  createDriver(): SqliteDriver {
    this.driver = new DurableSqliteDriver(this.path, this.file, this.wal, this.log);
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
