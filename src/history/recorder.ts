import type { EventBus } from '../core/events.ts';
import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import type { HeatnetEvents } from '../events.ts';
import type { Store } from '../store/store.ts';
import { HistoryAccumulator } from './accumulator.ts';
import type { Retention } from './embedded.ts';
import { addBuckets, pruneBuckets } from './history-db.ts';

export interface RecorderSettings extends Retention {
  /** How often (real ms) the sums go to the store, in one transaction. */
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
 * Keeps the embedded default's history (issue 13 item 4). Listens to the bus's readings
 * (after the ingest path has taken them: nothing here slows a poll but one map update per
 * value), sums them per minute in memory, and writes the sums in one transaction per
 * flush. A flush that fails is logged and its sums dropped: the trend shows a gap, the
 * readings themselves are safe in the local line-protocol store.
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
    const { minutes, quarters } = this.acc.take();
    try {
      await this.deps.store.transaction(async (trx) => {
        await addBuckets(trx, 'history_minute', minutes);
        await addBuckets(trx, 'history_quarter', quarters);
      });
      this.stats.flushes++;
      this.stats.rows += minutes.length + quarters.length;
    } catch (err) {
      this.stats.failures++;
      this.deps.log.error({ err, rows: minutes.length }, 'history flush failed; its sums dropped');
    }
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
