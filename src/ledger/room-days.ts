import type { Logger } from '../core/logger.ts';
import type { Reading } from '../core/reading.ts';
import { aggregateOf, mergeAggregates, siteDay } from '../service/ledger-data-days.ts';
import type { Store } from '../store/store.ts';
import { addRoomDays, markChanged, type RoomDayDelta } from './room-days-db.ts';

export interface RoomDaysDeps {
  store: Store;
  timeZone: string;
  now: () => number;
  log: Logger;
}

/**
 * Room temperatures per household and site day, from the readings stream (measurement
 * `room`): summed in memory and added to the store in batched upserts by `flush()` (on a
 * timer and at stop). 250,000 households reporting every 10 min cost one map entry each
 * between flushes and one upsert row each per flush. A reading of an older day (late, or
 * replayed from a spool) adds to that day and marks it changed, so the ledger recomputes it.
 *
 * Restart: what was flushed is in the store and later samples add to it; samples received
 * since the last flush (at most one flush interval) are lost with the process.
 */
export class RoomDays {
  private pending = new Map<string, RoomDayDelta>();
  /** The last sample time per household: a redelivered reading must not count twice. */
  private readonly lastAt = new Map<string, number>();
  private flushing: Promise<void> = Promise.resolve();
  private samplesSeen = 0;

  constructor(private readonly deps: RoomDaysDeps) {}

  /** Adds the `room` readings among `readings` (others are ignored). */
  add(readings: readonly Reading[]): void {
    for (const r of readings) {
      if (r.measurement !== 'room') continue;
      const household = r.tags['household'];
      const temp = r.fields['temp_c'];
      if (!household || typeof temp !== 'number' || !Number.isFinite(temp)) continue;
      if (this.lastAt.get(household) === r.time) continue;
      this.lastAt.set(household, r.time);
      this.addSample(household, temp, r.time);
    }
  }

  private addSample(household: string, tempC: number, atMs: number): void {
    const day = siteDay(atMs, this.deps.timeZone);
    const key = `${day}|${household}`;
    const sample = aggregateOf(tempC, atMs);
    const held = this.pending.get(key);
    this.pending.set(
      key,
      held ? { ...mergeAggregates(held, sample), day, household } : { ...sample, day, household },
    );
    this.samplesSeen++;
  }

  /** Samples added since the start (a health figure). */
  get samples(): number {
    return this.samplesSeen;
  }

  /** Households × days waiting for the next flush. */
  get backlog(): number {
    return this.pending.size;
  }

  /**
   * Writes what was gathered in one transaction (one flush at a time). On failure the
   * batch goes back into memory to be merged into the next try.
   */
  flush(): Promise<void> {
    const turn = this.flushing.then(() => this.write());
    this.flushing = turn.catch(() => undefined);
    return turn;
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const deltas = [...batch.values()];
    const at = this.deps.now();
    try {
      await this.deps.store.transaction(async (trx) => {
        await addRoomDays(trx, deltas, at);
        await markChanged(
          trx,
          deltas.map((d) => d.day),
          at,
        );
      });
    } catch (err) {
      this.putBack(batch);
      this.deps.log.warn({ err, rows: deltas.length }, 'room days not flushed; retrying later');
      throw err;
    }
  }

  private putBack(batch: Map<string, RoomDayDelta>): void {
    for (const [key, d] of batch) {
      const now = this.pending.get(key);
      this.pending.set(
        key,
        now ? { ...mergeAggregates(d, now), day: d.day, household: d.household } : d,
      );
    }
  }
}
