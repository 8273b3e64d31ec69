import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { importLegacyAudit } from '../store/legacy-audit.ts';
import type { Store } from '../store/store.ts';
import { AuditDb } from './audit-db.ts';
import type { AttemptEnd, AuditFilter, AwaitingEffect, NewAttempt } from './audit-rows.ts';
import { toEntry } from './audit-rows.ts';

export type { AttemptEnd, AuditFilter, AwaitingEffect, NewAttempt } from './audit-rows.ts';

import { AutoSwitches } from './auto-switches.ts';
import type { AuditEntry, AuditResult, ControlSource, EffectVerdict } from './types.ts';

/**
 * The control audit log (issue 5): one row in the relational store per attempt to
 * change a pump, refused ones included. It is a safety record: every call resolves
 * only once its row is committed, and the store makes a commit durable before it
 * resolves (SQLite: the WAL fsynced; PostgreSQL: synchronous_commit). A store that
 * cannot write rejects with AUDIT_FAILED (see AuditDb).
 */

export interface AuditStoreOptions {
  store: Store;
  log?: Logger;
  now?: () => number;
  wallNow?: () => number;
  /** The audit's SQLite file from before the store (`control.auditFile`): imported once. */
  legacyFile?: string;
  /** Told the id of each row once a write to it is committed (the live stream listens). */
  changed?: (id: number) => void;
}

const INTERRUPTED =
  'the service stopped before this attempt ended; the drive may have taken the value';

export class AuditStore implements Component {
  readonly name = 'control.audit';
  private readonly db: AuditDb;
  /** Dispatchers' auto-balancing switches, in the same store. */
  readonly switches: AutoSwitches;

  constructor(private readonly options: AuditStoreOptions) {
    this.db = new AuditDb(options.store, options.log);
    this.switches = new AutoSwitches(
      this.db,
      () => this.now(),
      () => this.wallNow(),
    );
  }

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
    this.db.open();
    try {
      await this.sweep();
      await this.switches.latestAutoSwitch();
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  /** Attempts a previous run left pending: their drive may have taken the value. */
  private async sweep(): Promise<void> {
    const left = await this.db.run('start', (db) =>
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
    this.db.close();
  }

  get isOpen(): boolean {
    return this.db.isOpen;
  }

  /** Writes an attempt before anything is sent to the drive; resolves to its id once committed. */
  async begin(a: NewAttempt): Promise<number> {
    return this.told(await this.insert(a, 'pending', null, null));
  }

  /** Writes an attempt refused before it reached the drive. */
  async refuse(a: NewAttempt, code: string, error: string): Promise<AuditEntry> {
    const id = this.told(await this.insert(a, 'refused', code, error));
    return (await this.get(id))!;
  }

  /**
   * Counts the refused attempts a row records (they share it: see DenialSeries): the
   * count, every pump they named, the time of the latest. Resolves once committed.
   */
  async countSeries(id: number, attempts: number, pumps: string[], lastAt: number): Promise<void> {
    await this.db.run('write', (db) =>
      db
        .updateTable('control_audit')
        .set({ attempts, pumps: JSON.stringify(pumps), last_ms: lastAt })
        .where('id', '=', id)
        .execute(),
    );
    this.told(id);
  }

  /** Ends a pending attempt; a confirmed one starts awaiting its effect verdict. */
  async finish(id: number, end: AttemptEnd): Promise<AuditEntry> {
    await this.db.run('finish', (db) =>
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
    return (await this.get(this.told(id)))!;
  }

  async get(id: number): Promise<AuditEntry | undefined> {
    const row = await this.db.run('read', (db) =>
      db.selectFrom('control_audit').selectAll().where('id', '=', id).executeTakeFirst(),
    );
    return row && toEntry(row);
  }

  /** Newest first. */
  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const rows = await this.db.run('read', (db) => {
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
    const row = await this.db.run('read', (db) => {
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

  async setDeviationBefore(id: number, deviationC: number | null): Promise<void> {
    await this.db.run('effect', (db) =>
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
    await this.db.run('effect', (db) =>
      db
        .updateTable('control_audit')
        .set({ effect: verdict, deviation_after_c: afterC, effect_ms: at })
        .where('id', '=', id)
        .execute(),
    );
    this.told(id);
  }

  /** Tells the listener a row changed; a failing listener never fails the audit. */
  private told(id: number): number {
    try {
      this.options.changed?.(id);
    } catch (err) {
      this.options.log?.error({ err, id }, 'audit change listener failed');
    }
    return id;
  }

  async awaitingEffect(): Promise<AwaitingEffect[]> {
    const rows = await this.db.run('read', (db) =>
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
    const row = await this.db.run('write', (db) =>
      db
        .insertInto('control_audit')
        .values({
          at_ms: a.at,
          wall_ms: this.wallNow(),
          action: a.action ?? 'frequency',
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
}
