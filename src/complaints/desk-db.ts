import { HeatnetError, isHeatnetError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Store, StoreTransaction } from '../store/store.ts';

/**
 * The service desk's way into the relational store. Writes run one at a time in this
 * process (intake and the proactive sweep both decide "join or open" from what is
 * committed, so two calls about one fault must not both open an incident); a store that
 * fails is STORE_FAILED (503): the complaint was not taken and the caller retries with
 * its Idempotency-Key. HeatnetErrors thrown by the work itself pass through as they are.
 */
export class DeskDb {
  /** Settles when the last queued transaction has ended: the next one may start. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Settles when the last queued write has resolved (durable, or failed). */
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    readonly store: Store,
    private readonly log?: Logger,
  ) {}

  /**
   * One transaction, after the transactions queued before it have ended; it resolves once
   * durable. The next one starts when this one has committed, not when the disk has
   * confirmed it: the order the desk needs is the commit order, and waiting for each
   * fsync in turn capped intake at the disk's round trips (issue 10).
   */
  write<T>(what: string, fn: (trx: StoreTransaction) => Promise<T>): Promise<T> {
    let settled!: () => void;
    const ended = new Promise<void>((resolve) => (settled = resolve));
    const turn = this.queue.then(() => this.guard(what, () => this.store.transaction(fn, settled)));
    turn.then(settled, settled);
    this.queue = ended;
    this.last = turn.catch(() => undefined);
    return turn;
  }

  /** Resolves once every write queued so far has ended. */
  async idle(): Promise<void> {
    await this.last;
  }

  /** A read; it does not wait for queued writes. */
  read<T>(what: string, fn: (db: Store['db']) => Promise<T>): Promise<T> {
    return this.guard(what, () => fn(this.store.db));
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isHeatnetError(err) && err.code !== 'INTERNAL') throw err;
      if (isUniqueViolation(err)) throw err;
      this.log?.error({ err, store: this.store.engine, what }, 'service desk store failed');
      throw new HeatnetError('STORE_FAILED', `the store failed (${what})`, {}, { cause: err });
    }
  }
}

/** A unique or primary key refused the row (SQLite's and PostgreSQL's ways of saying it). */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
