import type { Config } from '../config/schema.ts';
import type { Logger } from '../core/logger.ts';
import { nextTurn, runInSlices } from '../core/slices.ts';
import type { Diagnoser } from '../diagnosis/diagnoser.ts';
import type { Finding } from '../diagnosis/schemas.ts';
import type { StoreTransaction } from '../store/store.ts';
import type { DeskDb } from './desk-db.ts';
import { findingFault } from './grouping.ts';
import {
  bookContext,
  confirm,
  findJoinable,
  HEATNET,
  type IncidentEffect,
  openNew,
} from './incident-book.ts';
import { moveIncident, openIncidents } from './incident-db.ts';
import type { DeskSignals } from './signals.ts';
import { ACTIVE_STATES } from './types.ts';

/**
 * Real milliseconds of sweep work before the event loop is handed back: at 5,000 stations
 * the sweep takes a quarter of a second, which a complaint arriving meanwhile must not
 * wait out (issue 10: intake p99 ≤ 20 ms while evaluations run).
 */
export const SWEEP_SLICE_MS = 4;

/**
 * How many evaluations in a row each fault has been seen, and absent (issue 10 §3). In
 * memory: after a restart the streaks start again, which only delays the next decision
 * by a few evaluations; what was decided (open incidents) is in the store.
 */
export class FindingStreaks {
  private readonly seen = new Map<string, number>();
  private readonly absent = new Map<string, number>();

  constructor(private readonly limits: { confirmAfter: number; restoredAfter: number }) {}

  /** Starts counting the absence of faults the store says are open (after a restart). */
  track(keys: Iterable<string>): void {
    for (const key of keys) if (!this.seen.has(key)) this.absent.set(key, 0);
  }

  /**
   * One evaluation's faults: returns those seen `confirmAfter` times in a row just now
   * (due: open or confirm their incident) and those absent `restoredAfter` times in a row
   * just now (gone: the data call them restored). Each fires once per streak.
   */
  update(keys: ReadonlySet<string>): { due: string[]; gone: string[] } {
    const due: string[] = [];
    const gone: string[] = [];
    for (const key of keys) {
      const n = (this.seen.get(key) ?? 0) + 1;
      this.seen.set(key, n);
      this.absent.delete(key);
      if (n === this.limits.confirmAfter) due.push(key);
    }
    for (const key of [...this.seen.keys()]) {
      if (keys.has(key)) continue;
      this.seen.delete(key);
      this.absent.set(key, 0);
    }
    for (const [key, n] of this.absent) {
      if (keys.has(key)) continue;
      this.absent.set(key, n + 1);
      if (n + 1 === this.limits.restoredAfter) {
        gone.push(key);
        this.absent.delete(key);
      }
    }
    return { due, gone };
  }
}

/**
 * Incidents from network data alone (issue 10 §3, "found before residents call"): after
 * every balance evaluation, the diagnoser's findings of that moment; a fault seen
 * `confirmAfter` evaluations in a row opens a suspected incident (or confirms the one a
 * call opened), and one gone `restoredAfter` in a row is restored by heatnet.
 */
export class IncidentWatch {
  private readonly streaks: FindingStreaks;
  private primed = false;
  /** Sweeps run one after another: the streaks count evaluations in their order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      config: Config;
      diagnoser: Diagnoser;
      db: DeskDb;
      signals: DeskSignals;
      log: Logger;
    },
  ) {
    this.streaks = new FindingStreaks(deps.config.service.incidents);
  }

  /** The sweep after an evaluation at `at`, once the sweeps before it have ended. */
  onEvaluation(at: number): Promise<void> {
    const turn = this.queue.then(() => this.sweep(at));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async sweep(at: number): Promise<void> {
    const { db, signals } = this.deps;
    if (!this.primed) await this.prime();
    else await signals.resend();
    const findings = new Map<string, Finding>();
    for (const f of await this.findingsAt(at)) findings.set(findingFault(f).faultKey, f);
    const { due, gone } = this.streaks.update(new Set(findings.keys()));
    if (due.length === 0 && gone.length === 0) return;
    const effects: IncidentEffect[] = [];
    try {
      for (const key of due) {
        // A transaction per fault and a turn of the loop between them: on a cold-snap
        // morning a hundred faults come due at once, and SQLite runs each transaction
        // synchronously, so one for all of them held every call waiting behind it.
        effects.push(...(await db.write('findings', (t) => this.found(t, findings.get(key)!, at))));
        await nextTurn();
      }
      if (gone.length > 0) {
        effects.push(...(await db.write('findings', (t) => this.restored(t, new Set(gone), at))));
      }
    } finally {
      // What was committed is announced, even when a later fault's write failed.
      await signals.incidents(effects);
    }
  }

  /** The diagnoser's findings, in slices when it can give them so. */
  private findingsAt(at: number): Promise<Finding[]> | Finding[] {
    const { diagnoser } = this.deps;
    if (!diagnoser.findingSteps) return diagnoser.findings(at);
    return runInSlices(diagnoser.findingSteps(at), { sliceMs: SWEEP_SLICE_MS });
  }

  /** Open incidents the data opened are watched for their fault's end; topics are republished. */
  private async prime(): Promise<void> {
    this.primed = true;
    const open = await this.deps.db.read('watch', (d) => openIncidents(d));
    this.streaks.track(
      open
        .filter((i) => i.origin === 'data' && ACTIVE_STATES.includes(i.state))
        .map((i) => i.faultKey),
    );
    await this.deps.signals.refreshAll();
  }

  private async found(trx: StoreTransaction, f: Finding, at: number): Promise<IncidentEffect[]> {
    const fault = findingFault(f);
    const ctx = bookContext(this.deps.config, at);
    const existing = await findJoinable(trx, fault, ctx);
    if (!existing) {
      const seed = {
        cause: f.cause,
        place: f.place,
        summary: f.summary,
        evidence: f.evidence,
        action: f.action,
      };
      const note = `the network data show it in ${this.deps.config.service.incidents.confirmAfter} evaluations in a row`;
      return [await openNew(trx, fault, seed, 'data', ctx, note)];
    }
    if (existing.state !== 'suspected' || existing.faultKey !== fault.faultKey) return [];
    return [
      (await confirm(trx, existing, at, 'the network data show the fault the calls named')).effect,
    ];
  }

  private async restored(
    trx: StoreTransaction,
    gone: Set<string>,
    at: number,
  ): Promise<IncidentEffect[]> {
    if (gone.size === 0) return [];
    const { restoredAfter } = this.deps.config.service.incidents;
    const note = `the network data no longer show the fault (${restoredAfter} evaluations in a row)`;
    const out: IncidentEffect[] = [];
    for (const incident of await openIncidents(trx)) {
      if (!gone.has(incident.faultKey) || !ACTIVE_STATES.includes(incident.state)) continue;
      const change = { at, actor: HEATNET, from: incident.state, to: 'restored' as const, note };
      const moved = await moveIncident(trx, incident, { ...change, etaAt: null });
      out.push({ kind: 'changed', incident: moved, change });
    }
    return out;
  }
}
