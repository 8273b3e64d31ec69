import type { BalanceResult } from '../balance/types.ts';
import { errorMessage } from '../core/errors.ts';
import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import type { AuditStore, AwaitingEffect } from './audit-store.ts';
import type { AuditEntry, EffectVerdict } from './types.ts';

/** A change improved (or worsened) the deviation when |deviation| moved by this much… */
const MIN_CHANGE_K = 0.3;
/** …or by this share of where it was. */
const MIN_CHANGE_SHARE = 0.25;
const EPS = 1e-9;

/**
 * Did the substation's deviation from the heating curve move toward zero? `improved`
 * when |after| is below |before| by ≥ 0.3 K or ≥ 25 %, `worsened` when above by as
 * much, `no-change` in between, `unknown` without a deviation on either side (issue 5).
 */
export function judgeEffect(
  beforeC: number | null,
  afterC: number | null,
): Exclude<EffectVerdict, 'pending'> {
  if (beforeC === null || afterC === null) return 'unknown';
  const before = Math.abs(beforeC);
  const after = Math.abs(afterC);
  const moved = (d: number) =>
    d >= MIN_CHANGE_K - EPS || (before > 0 && d / before >= MIN_CHANGE_SHARE - EPS);
  if (after < before && moved(before - after)) return 'improved';
  if (after > before && moved(after - before)) return 'worsened';
  return 'no-change';
}

interface Waiting extends AwaitingEffect {
  judged?: { verdict: Exclude<EffectVerdict, 'pending'>; afterC: number | null; at: number };
  /** Its verdict is being written: a result arriving meanwhile does not write it again. */
  recording?: boolean;
}

function deviationOf(result: BalanceResult | undefined, substation: string | null): number | null {
  if (!result || substation === null) return null;
  return result.substations.find((s) => s.id === substation)?.deviationC ?? null;
}

/**
 * Judges every confirmed change once its settling time has passed, driven by balance
 * results alone (no timers, so a simulated clock or a replay judges the same way):
 * the deviation before is the latest result's at the time of the change, the one
 * after is the first result evaluated at or after change + settlingMin. Changes still
 * waiting are kept in the audit log (`effect = 'pending'`), so a restart loses none.
 */
export class EffectTracker implements Component {
  readonly name = 'control.effects';
  private latest: BalanceResult | undefined;
  private readonly awaiting = new Map<number, Waiting>();

  constructor(private readonly deps: { audit: AuditStore; settlingMin: number; log: Logger }) {}

  async start(): Promise<void> {
    for (const a of await this.deps.audit.awaitingEffect()) this.awaiting.set(a.id, a);
  }

  async stop(): Promise<void> {}

  /** Changes still waiting for their verdict. */
  get pending(): number {
    return this.awaiting.size;
  }

  /** A change was confirmed: remember where its substation stood (resolves once recorded). */
  async onConfirmed(entry: AuditEntry): Promise<void> {
    const before = deviationOf(this.latest, entry.substation);
    const waiting: Waiting = {
      id: entry.id,
      substation: entry.substation,
      at: entry.at,
      deviationBeforeC: before,
    };
    this.awaiting.set(entry.id, waiting);
    try {
      await this.deps.audit.setDeviationBefore(entry.id, before);
    } catch (err) {
      // The change itself is recorded; only the context for its verdict is missing.
      this.deps.log.error({ audit: entry.id, err: errorMessage(err) }, 'deviation not recorded');
    }
  }

  /**
   * Called after every balance evaluation; resolves once the verdicts it reached are
   * written (callers on the event bus need not wait: a failed write is logged and
   * retried with the next result).
   */
  async onBalance(result: BalanceResult): Promise<void> {
    this.latest = result;
    const { evaluatedAt } = result;
    const settlingMs = this.deps.settlingMin * 60_000;
    const writes: Promise<void>[] = [];
    for (const a of [...this.awaiting.values()]) {
      if (a.recording || (!a.judged && evaluatedAt < a.at + settlingMs)) continue;
      // Judged once, on the first result past settling; a failed record retries that verdict.
      const afterC = deviationOf(result, a.substation);
      a.judged ??= { verdict: judgeEffect(a.deviationBeforeC, afterC), afterC, at: evaluatedAt };
      writes.push(this.record(a, a.judged));
    }
    await Promise.all(writes);
  }

  private async record(a: Waiting, judged: NonNullable<Waiting['judged']>): Promise<void> {
    a.recording = true;
    try {
      await this.deps.audit.recordEffect(a.id, judged.verdict, judged.afterC, judged.at);
      this.awaiting.delete(a.id);
      this.deps.log.info(
        { audit: a.id, verdict: judged.verdict, before: a.deviationBeforeC, after: judged.afterC },
        'effect of a pump change judged',
      );
    } catch (err) {
      this.deps.log.error({ audit: a.id, err: errorMessage(err) }, 'effect not recorded');
    } finally {
      a.recording = false;
    }
  }
}
