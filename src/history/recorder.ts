import type { EventBus } from '../core/events.ts';
import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { nextTurn } from '../core/slices.ts';
import type { HeatnetEvents } from '../events.ts';
import type { Store } from '../store/store.ts';
import { HistoryAccumulator } from './accumulator.ts';
import type { Retention } from './embedded.ts';
import { addBuckets, pruneBuckets } from './history-db.ts';

export interface RecorderSettings extends Retention {
  /** How often (real ms) the sums go to the store. */
  flushIntervalMs: number;
  /** How often (real ms) buckets past their retention are deleted. */
  pruneIntervalMs: number;
}

export interface RecorderDeps {
  bus: EventBus<HeatnetEvents>;
  store: Store;
  now: () => number;
  log: Logger;
  settings: RecorderSettings;
}

const DAY_MS = 86_400_000;
/**
 * Rows per transaction: the store has one connection, and a flush of 130,000 rows in one
 * transaction (5,000 substations) held it for over a second while complaint intake
 * queued behind it (issue 10). A part of 1,000 rows is a few milliseconds.
 */
const ROWS_PER_TRANSACTION = 1_000;

/**
 * Keeps the embedded default's history (issue 13 item 4). Listens to the bus's readings
 * (after the ingest path has taken them: nothing here slows a poll but one map update per
 * value), sums them per minute in memory, and writes the sums in transactions of
 * `ROWS_PER_TRANSACTION` rows with a turn of the event loop between them. A part that
 * fails is logged and its sums and those after it dropped (the parts before it are
 * committed, each sum exactly once): the trend shows a gap, the readings themselves are
 * safe in the local line-protocol store.
 */
export class HistoryRecorder implements Component {
  readonly name = 'history';
  private readonly acc = new HistoryAccumulator();
  private off: (() => void) | undefined;
  private timers: NodeJS.Timeout[] = [];
  private flushing: Promise<void> | undefined;
  /** Flushes and rows written, for health and the benchmark. */
  readonly stats = { flushes: 0, rows: 0, failures: 0, pruned: 0 };

  constructor(private readonly deps: RecorderDeps) {}

  async start(): Promise<void> {
    this.off = this.deps.bus.on('readings', 'history', (readings) => this.acc.record(readings));
    const { flushIntervalMs, pruneIntervalMs } = this.deps.settings;
    this.timers = [
      setInterval(() => void this.flush(), flushIntervalMs),
      setInterval(() => void this.prune(), pruneIntervalMs),
    ];
    for (const t of this.timers) t.unref();
    await this.prune();
  }

  async stop(): Promise<void> {
    this.off?.();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.flush();
  }

  /** Writes what was summed since the last flush; resolves when it is committed. */
  flush(): Promise<void> {
    // One at a time: a second caller waits for the running flush, then flushes the rest.
    const run = (this.flushing ?? Promise.resolve()).then(() => this.write());
    this.flushing = run.finally(() => {
      if (this.flushing === run) this.flushing = undefined;
    });
    return run;
  }

  private async write(): Promise<void> {
    if (this.acc.size === 0) return;
    const parts = this.acc.take(ROWS_PER_TRANSACTION);
    let first = true;
    for (const part of parts) {
      if (!first) await nextTurn();
      first = false;
      const table = part.kind === 'minute' ? 'history_minute' : 'history_quarter';
      try {
        await this.deps.store.transaction((trx) => addBuckets(trx, table, part.rows));
        this.stats.rows += part.rows.length;
      } catch (err) {
        this.stats.failures++;
        parts.return(undefined);
        this.deps.log.error({ err, table }, 'history flush failed; the rest of its sums dropped');
        return;
      }
    }
    this.stats.flushes++;
  }

  /** Deletes minutes and quarters past their retention. */
  async prune(): Promise<void> {
    const { minuteDays, quarterDays } = this.deps.settings;
    const now = this.deps.now();
    try {
      const db = this.deps.store.db;
      this.stats.pruned += await pruneBuckets(db, 'history_minute', now - minuteDays * DAY_MS);
      this.stats.pruned += await pruneBuckets(db, 'history_quarter', now - quarterDays * DAY_MS);
    } catch (err) {
      this.deps.log.error({ err }, 'history retention failed');
    }
  }
}
