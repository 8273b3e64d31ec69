import { HeatnetError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Store, StoreDb } from '../store/store.ts';

/**
 * The control area's way into the relational store: queries run one at a time in the
 * order they were asked for (on PostgreSQL's pool as on SQLite's one connection, so
 * audit ids follow the order attempts were recorded in), and any failure — closed,
 * disk full, server gone — is AUDIT_FAILED: the control path never carries on
 * unrecorded.
 */
export class AuditDb {
  private started = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly store: Store,
    private readonly log?: Logger,
  ) {}

  open(): void {
    this.started = true;
  }

  close(): void {
    this.started = false;
  }

  get isOpen(): boolean {
    return this.started && this.store.isOpen;
  }

  async run<T>(what: string, fn: (db: StoreDb) => Promise<T>): Promise<T> {
    if (!this.isOpen) throw new HeatnetError('AUDIT_FAILED', 'the audit log is not open');
    const turn = this.queue.then(() => fn(this.store.db));
    this.queue = turn.catch(() => undefined);
    try {
      return await turn;
    } catch (err) {
      this.log?.error({ err, store: this.store.engine, what }, 'audit log failed');
      throw new HeatnetError('AUDIT_FAILED', `the audit log failed (${what})`, {}, { cause: err });
    }
  }
}
