import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { every, type Scheduled, type ScheduleSpec } from '../core/schedule.ts';
import { dayOf, daysBetween, seasonOfDay } from '../service/ledger-calendar.ts';
import type { Attribution } from '../service/ledger-inputs.ts';
import { computeLedgerDay, type DayDeps, type DayRun } from './job-day.ts';
import { recordedDirtyDays } from './ledger-db.ts';

/**
 * The nightly ledger (issue 11 item 3): on the service clock it computes the day just
 * ended and every day a late input made dirty; on demand, any day range. Idempotent: a
 * day recomputed from the same inputs writes the same rows. One run at a time.
 */

export interface LedgerProgress {
  running: boolean;
  day: string | null;
  done: number;
  total: number;
  lastRun: DayRun | null;
  lastError: string | null;
}

export interface LedgerJobDeps extends DayDeps {
  now: () => number;
  log: Logger;
  schedule: ScheduleSpec;
  clockRate: number;
}

export class LedgerJob implements Component {
  readonly name = 'ledger-job';
  readonly progress: LedgerProgress = {
    running: false,
    day: null,
    done: 0,
    total: 0,
    lastRun: null,
    lastError: null,
  };
  private timer: Scheduled | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** The last day the nightly run computed as "yesterday" (after a restart, once more). */
  private lastNightly: string | null = null;

  constructor(private readonly deps: LedgerJobDeps) {}

  async start(): Promise<void> {
    this.timer = every(this.deps.schedule, this.deps.clockRate, () =>
      this.runDue().then(() => undefined),
    );
  }

  async stop(): Promise<void> {
    this.timer?.stop();
    this.timer = undefined;
    await this.queue.catch(() => undefined);
  }

  /** Yesterday (once) and every dirty day before today. */
  async runDue(): Promise<DayRun[]> {
    const today = dayOf(this.deps.now(), this.deps.rules.timeZone);
    const yesterday = previousDay(today);
    const recorded = await recordedDirtyDays(this.deps.store.db, (a) =>
      this.attributedDays(a, yesterday),
    );
    const fromSource = await this.deps.source.dirtyDays();
    const days = new Set([...fromSource, ...recorded].filter((d) => d < today));
    if (yesterday !== this.lastNightly) days.add(yesterday);
    const runs = await this.runDays([...days].sort());
    this.lastNightly = yesterday;
    return runs;
  }

  /** The computed days an attribution covers: up to yesterday, inside a season. */
  private attributedDays(a: Attribution, yesterday: string): string[] {
    const to = a.toDay === null || a.toDay > yesterday ? yesterday : a.toDay;
    const season = seasonOfDay(to, this.deps.rules.season);
    if (!season) return [];
    const from = [a.fromDay, season.firstDay].sort()[1] ?? a.fromDay;
    return from <= to ? daysBetween(from, to) : [];
  }

  /** On demand: every day from `from` to `to`, both included. */
  runRange(from: string, to: string): Promise<DayRun[]> {
    return this.runDays(daysBetween(from, to));
  }

  private runDays(days: readonly string[]): Promise<DayRun[]> {
    const run = this.queue.then(() => this.computeAll(days));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async computeAll(days: readonly string[]): Promise<DayRun[]> {
    const runs: DayRun[] = [];
    for (const day of days) {
      const run = await this.computeOne(day);
      if (run) runs.push(run);
    }
    return runs;
  }

  private async computeOne(day: string): Promise<DayRun | null> {
    const season = seasonOfDay(day, this.deps.rules.season);
    const startedMs = this.deps.now();
    if (!season) {
      await this.deps.source.markComputed(day, startedMs);
      return null;
    }
    Object.assign(this.progress, {
      running: true,
      day,
      done: 0,
      total: this.deps.households.length,
    });
    try {
      const run = await computeLedgerDay(
        { ...this.deps, onBatch: (done) => this.onBatch(day, done) },
        season,
        day,
        startedMs,
      );
      // Marked with the time it started: an input arriving meanwhile leaves the day dirty.
      await this.deps.source.markComputed(day, startedMs);
      this.deps.log.info({ ...run }, 'ledger day computed');
      Object.assign(this.progress, { lastRun: run, lastError: null });
      return run;
    } catch (err) {
      this.progress.lastError = err instanceof Error ? err.message : String(err);
      this.deps.log.error({ day, err }, 'ledger day failed; it stays due');
      throw err;
    } finally {
      this.progress.running = false;
    }
  }

  private onBatch(day: string, done: number) {
    this.progress.done = done;
    this.deps.log.debug({ day, done, total: this.progress.total }, 'ledger progress');
  }
}

function previousDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}
