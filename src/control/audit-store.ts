import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { importLegacyAudit } from '../store/legacy-audit.ts';
import type { Store, StoreDb } from '../store/store.ts';
import { toEntry } from './audit-rows.ts';
import {
  type AuditEntry,
  type AuditResult,
  type AutoSwitch,
  ControlError,
  type ControlSource,
  type EffectVerdict,
} from './types.ts';

/**
 * The control audit log (issue 5): one row in the relational store per attempt to
 * change a pump, refused ones included. It is a safety record: every call resolves
 * only once its row is committed, and the store makes a commit durable (SQLite WAL
 * with synchronous=FULL, PostgreSQL synchronous_commit). A store that cannot write
 * rejects with AUDIT_FAILED instead of letting the control path carry on unrecorded.
 */

/** An attempt as it starts: the entry's who/what/why, with its time in ms. */
export type NewAttempt = Pick<
  AuditEntry,
  | 'actor'
  | 'role'
  | 'source'
  | 'pump'
  | 'substation'
  | 'device'
  | 'reason'
  | 'beforeHz'
  | 'requestedHz'
> & { at: number };

export interface AttemptEnd {
  result: Exclude<AuditResult, 'pending' | 'refused' | 'interrupted'>;
  readBackHz: number | null;
  code: string | null;
  error: string | null;
  wrote: boolean;
  completedAt: number;
}

export interface AuditFilter {
  pump?: string | undefined;
  substation?: string | undefined;
  /** ms since the epoch; entries at or after. */
  since?: number | undefined;
  limit?: number | undefined;
}

/** A confirmed change whose effect is still to be judged. */
export interface AwaitingEffect {
  id: number;
  substation: string | null;
  at: number;
  deviationBeforeC: number | null;
}

export interface AuditStoreOptions {
  store: Store;
  log?: Logger;
  now?: () => number;
  wallNow?: () => number;
  /** The audit's SQLite file from before the store (`control.auditFile`): imported once. */
  legacyFile?: string;
}

const INTERRUPTED =
  'the service stopped before this attempt ended; the drive may have taken the value';

export class AuditStore implements Component {
  readonly name = 'control.audit';
  private started = false;
  private knownSwitch: AutoSwitch | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: AuditStoreOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private wallNow(): number {
    return (this.options.wallNow ?? Date.now)();
  }

  /**
   * Imports the old audit file (once), and marks attempts left pending as interrupted.
   * Start it after the store and before anything that may change a pump.
   */
  async start(): Promise<void> {
    const { store, legacyFile, log } = this.options;
    if (legacyFile) await importLegacyAudit(store, legacyFile, this.now(), log);
    this.started = true;
    try {
      await this.sweep();
      await this.latestAutoSwitch();
    } catch (err) {
      this.started = false;
      throw err;
    }
  }

  /** Attempts a previous run left pending: their drive may have taken the value. */
  private async sweep(): Promise<void> {
    const left = await this.run('start', (db) =>
      db
        .updateTable('control_audit')
        .set((eb) => ({
          result: 'interrupted',
          wrote: 1,
          completed_ms: this.now(),
          error: eb.fn.coalesce('error', eb.val(INTERRUPTED)),
        }))
        .where('result', '=', 'pending')
        .executeTakeFirst(),
    );
    const changed = Number(left.numUpdatedRows);
    if (changed > 0) {
      this.options.log?.warn({ attempts: changed }, 'control attempts interrupted by a restart');
    }
  }

  async stop(): Promise<void> {
    this.started = false;
  }

  get isOpen(): boolean {
    return this.started && this.options.store.isOpen;
  }

  /** Writes an attempt before anything is sent to the drive; resolves to its id once committed. */
  begin(a: NewAttempt): Promise<number> {
    return this.insert(a, 'pending', null, null);
  }

  /** Writes an attempt refused before it reached the drive. */
  async refuse(a: NewAttempt, code: string, error: string): Promise<AuditEntry> {
    const id = await this.insert(a, 'refused', code, error);
    return (await this.get(id))!;
  }

  /** Ends a pending attempt; a confirmed one starts awaiting its effect verdict. */
  async finish(id: number, end: AttemptEnd): Promise<AuditEntry> {
    await this.run('finish', (db) =>
      db
        .updateTable('control_audit')
        .set({
          result: end.result,
          readback_hz: end.readBackHz,
          code: end.code,
          error: end.error,
          wrote: end.wrote ? 1 : 0,
          completed_ms: end.completedAt,
          effect: end.result === 'confirmed' ? 'pending' : null,
        })
        .where('id', '=', id)
        .execute(),
    );
    return (await this.get(id))!;
  }

  async get(id: number): Promise<AuditEntry | undefined> {
    const row = await this.run('read', (db) =>
      db.selectFrom('control_audit').selectAll().where('id', '=', id).executeTakeFirst(),
    );
    return row && toEntry(row);
  }

  /** Newest first. */
  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const rows = await this.run('read', (db) => {
      let q = db.selectFrom('control_audit').selectAll();
      if (filter.pump !== undefined) q = q.where('pump', '=', filter.pump);
      if (filter.substation !== undefined) q = q.where('substation', '=', filter.substation);
      if (filter.since !== undefined) q = q.where('at_ms', '>=', filter.since);
      return q
        .orderBy('at_ms', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit ?? 100)
        .execute();
    });
    return rows.map(toEntry);
  }

  /**
   * When the drive of `pump` was last written to (durable, so a restart keeps the
   * interval): the latest such attempt in recording order, on the service clock and
   * on the wall clock.
   */
  async lastChangeAt(
    pump: string,
    source?: ControlSource,
  ): Promise<{ at: number; wallAt: number | null } | null> {
    const row = await this.run('read', (db) => {
      let q = db
        .selectFrom('control_audit')
        .select(['at_ms', 'wall_ms'])
        .where('pump', '=', pump)
        .where('wrote', '=', 1);
      if (source !== undefined) q = q.where('source', '=', source);
      return q.orderBy('id', 'desc').limit(1).executeTakeFirst();
    });
    return row ? { at: row.at_ms, wallAt: row.wall_ms } : null;
  }

  /** Records a dispatcher switching auto-balancing on or off. */
  async recordAutoSwitch(s: { enabled: boolean; actor: string; reason: string }) {
    const at = this.now();
    await this.run('write', (db) =>
      db
        .insertInto('auto_switch')
        .values({
          at_ms: at,
          wall_ms: this.wallNow(),
          actor: s.actor,
          enabled: s.enabled ? 1 : 0,
          reason: s.reason,
        })
        .execute(),
    );
    this.knownSwitch = { ...s, at: new Date(at).toISOString() };
    return this.knownSwitch;
  }

  /**
   * The latest switch of auto-balancing by a dispatcher, or null if never switched,
   * read from the store: with several instances on one PostgreSQL, another may have
   * recorded it.
   */
  async latestAutoSwitch(): Promise<AutoSwitch | null> {
    const row = await this.run('read', (db) =>
      db.selectFrom('auto_switch').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst(),
    );
    this.knownSwitch = row
      ? {
          enabled: row.enabled === 1,
          actor: row.actor,
          at: new Date(row.at_ms).toISOString(),
          reason: row.reason,
        }
      : null;
    return this.knownSwitch;
  }

  /** The switch as last read or written here, for views that cannot wait for the store. */
  lastKnownAutoSwitch(): AutoSwitch | null {
    return this.knownSwitch;
  }

  async setDeviationBefore(id: number, deviationC: number | null): Promise<void> {
    await this.run('effect', (db) =>
      db
        .updateTable('control_audit')
        .set({ deviation_before_c: deviationC })
        .where('id', '=', id)
        .execute(),
    );
  }

  async recordEffect(
    id: number,
    verdict: EffectVerdict,
    afterC: number | null,
    at: number,
  ): Promise<void> {
    await this.run('effect', (db) =>
      db
        .updateTable('control_audit')
        .set({ effect: verdict, deviation_after_c: afterC, effect_ms: at })
        .where('id', '=', id)
        .execute(),
    );
  }

  async awaitingEffect(): Promise<AwaitingEffect[]> {
    const rows = await this.run('read', (db) =>
      db
        .selectFrom('control_audit')
        .select(['id', 'substation', 'at_ms', 'deviation_before_c'])
        .where('effect', '=', 'pending')
        .orderBy('at_ms')
        .execute(),
    );
    return rows.map((r) => ({
      id: r.id,
      substation: r.substation,
      at: r.at_ms,
      deviationBeforeC: r.deviation_before_c,
    }));
  }

  private async insert(
    a: NewAttempt,
    result: AuditResult,
    code: string | null,
    error: string | null,
  ): Promise<number> {
    const row = await this.run('write', (db) =>
      db
        .insertInto('control_audit')
        .values({
          at_ms: a.at,
          wall_ms: this.wallNow(),
          actor: a.actor,
          role: a.role,
          source: a.source,
          pump: a.pump,
          substation: a.substation,
          device: a.device,
          reason: a.reason,
          before_hz: a.beforeHz,
          requested_hz: a.requestedHz,
          result,
          code,
          error,
          completed_ms: result === 'refused' ? a.at : null,
          // A pending attempt is about to reach the drive: it counts for the interval
          // until its end says the drive refused it.
          wrote: result === 'pending' ? 1 : 0,
        })
        .returning('id')
        .executeTakeFirstOrThrow(),
    );
    return Number(row.id);
  }

  /**
   * Runs a query; any failure (closed, disk full, server gone …) is AUDIT_FAILED. Queries
   * run one at a time in the order they were asked for, on PostgreSQL's pool as on
   * SQLite's one connection: ids follow the order attempts were recorded in.
   */
  private async run<T>(what: string, fn: (db: StoreDb) => Promise<T>): Promise<T> {
    if (!this.isOpen) throw new ControlError('AUDIT_FAILED', 'the audit log is not open');
    const turn = this.queue.then(() => fn(this.options.store.db));
    this.queue = turn.catch(() => undefined);
    try {
      return await turn;
    } catch (err) {
      const store = this.options.store.engine;
      this.options.log?.error({ err, store, what }, 'audit log failed');
      throw new ControlError('AUDIT_FAILED', `the audit log failed (${what})`, {}, { cause: err });
    }
  }
}
