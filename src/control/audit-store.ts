import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { HeatnetError } from '../core/errors.ts';
import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { type Row, SCHEMA, toEntry } from './audit-rows.ts';
import type { AuditEntry, AuditResult, AutoSwitch, ControlSource, EffectVerdict } from './types.ts';

/**
 * The control audit log (issue 5): one SQLite row per attempt to change a pump, refused
 * ones included. It is a safety record, so every commit is fsynced (WAL with
 * synchronous=FULL: a committed row survives a power cut), and a store that cannot
 * write throws AUDIT_FAILED instead of letting the control path carry on unrecorded.
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

const INTERRUPTED =
  'the service stopped before this attempt ended; the drive may have taken the value';

export class AuditStore implements Component {
  readonly name = 'control.audit';
  private db: Database.Database | undefined;

  constructor(
    readonly path: string,
    private readonly log?: Logger,
    private readonly now: () => number = Date.now,
    private readonly wallNow: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    this.open();
  }

  async stop(): Promise<void> {
    this.close();
  }

  /** Opens (creating the file and schema); attempts left pending become `interrupted`. */
  open(): void {
    if (this.db?.open) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const db = new Database(this.path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec(SCHEMA);
      const left = db
        .prepare(
          `UPDATE control_audit SET result = 'interrupted', wrote = 1, completed_ms = ?,
             error = coalesce(error, ?) WHERE result = 'pending'`,
        )
        .run(this.now(), INTERRUPTED);
      if (left.changes > 0) {
        this.log?.warn({ attempts: left.changes }, 'control attempts interrupted by a restart');
      }
    } catch (err) {
      db.close();
      throw err;
    }
    this.db = db;
  }

  close(): void {
    const db = this.db;
    this.db = undefined;
    if (db?.open) db.close();
  }

  get isOpen(): boolean {
    return this.db?.open === true;
  }

  /** Writes an attempt before anything is sent to the drive; returns its id. */
  begin(a: NewAttempt): number {
    return this.insert(a, 'pending', null, null);
  }

  /** Writes an attempt refused before it reached the drive. */
  refuse(a: NewAttempt, code: string, error: string): AuditEntry {
    const id = this.insert(a, 'refused', code, error);
    return this.get(id)!;
  }

  /** Ends a pending attempt; a confirmed one starts awaiting its effect verdict. */
  finish(id: number, end: AttemptEnd): AuditEntry {
    this.run('finish', (db) =>
      db
        .prepare(
          `UPDATE control_audit SET result = ?, readback_hz = ?, code = ?, error = ?, wrote = ?,
             completed_ms = ?, effect = ? WHERE id = ?`,
        )
        .run(
          end.result,
          end.readBackHz,
          end.code,
          end.error,
          end.wrote ? 1 : 0,
          end.completedAt,
          end.result === 'confirmed' ? 'pending' : null,
          id,
        ),
    );
    return this.get(id)!;
  }

  get(id: number): AuditEntry | undefined {
    const row = this.run('read', (db) =>
      db.prepare('SELECT * FROM control_audit WHERE id = ?').get(id),
    ) as Row | undefined;
    return row && toEntry(row);
  }

  /** Newest first. */
  list(filter: AuditFilter = {}): AuditEntry[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      args.push(value);
    };
    add('pump = ?', filter.pump);
    add('substation = ?', filter.substation);
    add('at_ms >= ?', filter.since);
    const sql =
      `SELECT * FROM control_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
      'ORDER BY at_ms DESC, id DESC LIMIT ?';
    const rows = this.run('read', (db) =>
      db.prepare(sql).all(...args, filter.limit ?? 100),
    ) as Row[];
    return rows.map(toEntry);
  }

  /**
   * When the drive of `pump` was last written to (durable, so a restart keeps the
   * interval): the latest such attempt in recording order, on the service clock and
   * on the wall clock.
   */
  lastChangeAt(pump: string, source?: ControlSource): { at: number; wallAt: number | null } | null {
    const bySource = source === undefined ? '' : ' AND source = ?';
    const sql = `SELECT at_ms, wall_ms FROM control_audit WHERE pump = ? AND wrote = 1${bySource} ORDER BY id DESC LIMIT 1`;
    const row = this.run('read', (db) =>
      db.prepare(sql).get(...(source === undefined ? [pump] : [pump, source])),
    ) as { at_ms: number; wall_ms: number | null } | undefined;
    return row ? { at: row.at_ms, wallAt: row.wall_ms } : null;
  }

  /** Records a dispatcher switching auto-balancing on or off. */
  recordAutoSwitch(s: { enabled: boolean; actor: string; reason: string }): AutoSwitch {
    const at = this.now();
    this.run('write', (db) =>
      db
        .prepare(
          'INSERT INTO auto_switch (at_ms, wall_ms, actor, enabled, reason) VALUES (?, ?, ?, ?, ?)',
        )
        .run(at, this.wallNow(), s.actor, s.enabled ? 1 : 0, s.reason),
    );
    return { ...s, at };
  }

  /** The latest switch of auto-balancing by a dispatcher, or null if never switched. */
  latestAutoSwitch(): AutoSwitch | null {
    const row = this.run('read', (db) =>
      db.prepare('SELECT * FROM auto_switch ORDER BY id DESC LIMIT 1').get(),
    ) as { at_ms: number; actor: string; enabled: number; reason: string } | undefined;
    if (!row) return null;
    return { enabled: row.enabled === 1, actor: row.actor, at: row.at_ms, reason: row.reason };
  }

  setDeviationBefore(id: number, deviationC: number | null): void {
    this.run('effect', (db) =>
      db
        .prepare('UPDATE control_audit SET deviation_before_c = ? WHERE id = ?')
        .run(deviationC, id),
    );
  }

  recordEffect(id: number, verdict: EffectVerdict, afterC: number | null, at: number): void {
    this.run('effect', (db) =>
      db
        .prepare(
          'UPDATE control_audit SET effect = ?, deviation_after_c = ?, effect_ms = ? WHERE id = ?',
        )
        .run(verdict, afterC, at, id),
    );
  }

  awaitingEffect(): AwaitingEffect[] {
    const rows = this.run('read', (db) =>
      db
        .prepare(
          `SELECT id, substation, at_ms, deviation_before_c FROM control_audit
             WHERE effect = 'pending' ORDER BY at_ms`,
        )
        .all(),
    ) as Pick<Row, 'id' | 'substation' | 'at_ms' | 'deviation_before_c'>[];
    return rows.map((r) => ({
      id: r.id,
      substation: r.substation,
      at: r.at_ms,
      deviationBeforeC: r.deviation_before_c,
    }));
  }

  private insert(a: NewAttempt, result: AuditResult, code: string | null, error: string | null) {
    const info = this.run('write', (db) =>
      db
        .prepare(
          `INSERT INTO control_audit (at_ms, wall_ms, actor, role, source, pump, substation,
             device, reason, before_hz, requested_hz, result, code, error, completed_ms, wrote)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          a.at,
          this.wallNow(),
          a.actor,
          a.role,
          a.source,
          a.pump,
          a.substation,
          a.device,
          a.reason,
          a.beforeHz,
          a.requestedHz,
          result,
          code,
          error,
          result === 'refused' ? a.at : null,
          // A pending attempt is about to reach the drive: it counts for the interval
          // until its end says the drive refused it.
          result === 'pending' ? 1 : 0,
        ),
    );
    return Number(info.lastInsertRowid);
  }

  /** Runs a statement; any failure (closed, disk full, locked …) is AUDIT_FAILED. */
  private run<T>(what: string, fn: (db: Database.Database) => T): T {
    const db = this.db;
    if (!db?.open) throw new HeatnetError('AUDIT_FAILED', 'the audit log is not open');
    try {
      return fn(db);
    } catch (err) {
      this.log?.error({ err, path: this.path, what }, 'audit log failed');
      throw new HeatnetError('AUDIT_FAILED', `the audit log failed (${what})`, {}, { cause: err });
    }
  }
}
