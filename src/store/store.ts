import { type Dialect, Kysely, Migrator, type Transaction } from 'kysely';
import { HeatnetError } from '../core/errors.ts';
import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { createDialect } from './dialects.ts';
import { describeTarget, type Engine, type StoreTarget } from './engine.ts';
import { CodeMigrations } from './migrations/index.ts';
import type { Database } from './schema.ts';
import { DurableSqliteDialect, type LogSyncs } from './sqlite-dialect.ts';

export type StoreDb = Kysely<Database>;
export type StoreTransaction = Transaction<Database>;

/**
 * The relational store (DESIGN §3): everything that is not a time series. One Kysely
 * instance over SQLite (embedded, the default) or PostgreSQL (several instances); the
 * schema is brought up to date by the migrations in code at every start. Commits are
 * durable on both engines before they resolve (SQLite: WAL, its log flushed per commit or
 * grouped off the event loop, see sqlite-dialect.ts; PostgreSQL: synchronous_commit).
 */
export class Store implements Component {
  readonly name = 'store';
  private kysely: StoreDb | undefined;
  private dialect: Dialect | undefined;

  constructor(
    readonly target: StoreTarget,
    private readonly log?: Logger,
  ) {}

  get engine(): Engine {
    return this.target.engine;
  }

  async start(): Promise<void> {
    if (this.kysely) return;
    this.dialect = createDialect(this.target, this.log);
    const db = new Kysely<Database>({ dialect: this.dialect });
    try {
      await this.migrate(db);
    } catch (err) {
      await db.destroy().catch(() => undefined);
      throw err;
    }
    this.kysely = db;
    this.log?.info({ store: describeTarget(this.target) }, 'store open');
  }

  async stop(): Promise<void> {
    const db = this.kysely;
    this.kysely = undefined;
    await db?.destroy();
  }

  get isOpen(): boolean {
    return this.kysely !== undefined;
  }

  /** The query builder; throws while the store is not started. */
  get db(): StoreDb {
    if (!this.kysely) {
      throw new HeatnetError('INTERNAL', `the store (${this.target.engine}) is not open`);
    }
    return this.kysely;
  }

  /** Why the store takes no writes any more (SQLite: a flush of its log failed). */
  get failure(): string | undefined {
    return this.sqlite?.failure;
  }

  /** SQLite's syncs of its log so far and the writes they covered; null on PostgreSQL. */
  get walSyncs(): LogSyncs | null {
    return this.sqlite?.syncs ?? null;
  }

  /** The SQLite dialect, whose driver flushes the log; undefined on PostgreSQL. */
  private get sqlite(): DurableSqliteDialect | undefined {
    return this.dialect instanceof DurableSqliteDialect ? this.dialect : undefined;
  }

  /**
   * Runs `fn` in one transaction: all of it is committed, or none of it; resolves once
   * the commit is durable. `onSettled` is called as soon as the transaction has ended
   * (committed or rolled back), before a grouped flush of SQLite's log (`grouped`; by
   * default the flush comes first): a caller that runs its transactions one after another
   * starts the next then, instead of after the disk.
   */
  transaction<T>(fn: (trx: StoreTransaction) => Promise<T>, onSettled?: () => void): Promise<T> {
    const driver = this.sqlite?.driver;
    if (!onSettled) return this.db.transaction().execute(fn);
    if (!driver) return this.db.transaction().execute(fn).finally(onSettled);
    return this.db.transaction().execute((trx) => {
      // Inside the transaction the connection is ours: no other release can take this.
      driver.onReleased = onSettled;
      return fn(trx);
    });
  }

  /** Applies pending migrations (all in one transaction, both engines); a no-op when current. */
  private async migrate(db: StoreDb): Promise<void> {
    const migrator = new Migrator({ db, provider: new CodeMigrations(this.target.engine) });
    const { error, results } = await migrator.migrateToLatest();
    for (const r of results ?? []) {
      if (r.status === 'Success') this.log?.info({ migration: r.migrationName }, 'store migrated');
    }
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
      throw new HeatnetError(
        'INTERNAL',
        `store migration ${failed} failed on ${describeTarget(this.target)}: ${error instanceof Error ? error.message : String(error)}`,
        {},
        { cause: error },
      );
    }
  }
}
