import type { Logger } from '../core/logger.ts';
import type { Reading } from '../core/reading.ts';
import { SeriesRecord } from '../core/series-tags.ts';
import { nextTurn } from '../core/slices.ts';
import { type DayWindow, dayWindow } from '../service/ledger-data-days.ts';
import type { Store } from '../store/store.ts';
import { RoomDayRows } from './room-day-rows.ts';
import { addRoomDays, markChanged, type RoomDayDelta } from './room-days-db.ts';

export interface RoomDaysDeps {
  store: Store;
  timeZone: string;
  now: () => number;
  log: Logger;
}

/** Rows per flush transaction: ~4 ms of the event loop each, fsync included (2,000: 12–50 ms). */
export const ROWS_PER_TRANSACTION = 250;

/**
 * Room temperatures per household and site day, from the readings stream (measurement
 * `room`): summed in memory and added to the store in batched upserts by `flush()` (on a
 * timer and at stop). 250,000 households reporting every 10 min cost one map entry and one
 * row of numbers each (room-day-rows.ts) and one upsert row each per flush. A reading of an
 * older day (late, or replayed from a spool) adds to that day and marks it changed, so the
 * ledger recomputes it.
 *
 * Restart: what was flushed is in the store and later samples add to it; samples received
 * since the last flush (at most one flush interval) are lost with the process.
 */
export class RoomDays {
  /** One row per household, kept across flushes (it carries the last sample's time). */
  private readonly rows = new RoomDayRows();
  /**
   * A household's row by the readings' shared tags (core/series-tags.ts): a reading finds
   * it without hashing the household's id into a map of every household (issue 14).
   */
  private readonly slotByTags = new SeriesRecord<number>();
  private flushing: Promise<void> = Promise.resolve();
  private samplesSeen = 0;
  private window: DayWindow | undefined;
  /** The last day seen before `window`: a backfill steps through old days one by one. */
  private late: DayWindow | undefined;

  constructor(private readonly deps: RoomDaysDeps) {}

  /** Adds the `room` readings among `readings` (others are ignored). */
  add(readings: readonly Reading[]): void {
    for (const r of readings) {
      if (r.measurement !== 'room') continue;
      const temp = r.fields['temp_c'];
      if (typeof temp !== 'number' || !Number.isFinite(temp)) continue;
      const slot = this.slotByTags.get(r.tags) ?? this.slotOf(r.tags);
      if (slot < 0) continue;
      const day = this.dayOf(r.time);
      if (this.rows.addAt(slot, temp, r.time, day.startMs, day.day)) this.samplesSeen++;
    }
  }

  /** The household's row in `rows` (-1 when the reading names none), kept on shared tags. */
  private slotOf(tags: Reading['tags']): number {
    const household = tags['household'];
    if (!household) return -1;
    const slot = this.rows.slotOf(household);
    this.slotByTags.set(tags, slot);
    return slot;
  }

  /**
   * The site day of an instant; Intl only when it falls outside the newest day seen and the
   * last older one. Late readings keep a day of their own: a running service taking a
   * gateway's week-old buffer meets Intl once a day of the backfill, not per reading, and
   * its live readings keep the newest day (issue 14).
   */
  private dayOf(atMs: number): DayWindow {
    const w = this.window;
    if (w && atMs >= w.startMs && atMs < w.endMs) return w;
    const l = this.late;
    if (l && atMs >= l.startMs && atMs < l.endMs) return l;
    const found = dayWindow(atMs, this.deps.timeZone);
    if (!w || found.startMs > w.startMs) this.window = found;
    else this.late = found;
    return found;
  }

  /** Samples added since the start (a health figure). */
  get samples(): number {
    return this.samplesSeen;
  }

  /** Households × days waiting for the next flush. */
  get backlog(): number {
    return this.rows.size;
  }

  /**
   * Writes what was gathered (one flush at a time), in transactions of
   * `ROWS_PER_TRANSACTION` rows with a turn of the event loop between them: 250,000
   * households in one transaction held the loop for a third of a second, and complaint
   * intake waited behind it (issue 10). A failed part goes back into memory with the parts
   * after it, to be merged into the next try; the parts before it are committed.
   */
  flush(): Promise<void> {
    const turn = this.flushing.then(() => this.write());
    this.flushing = turn.catch(() => undefined);
    return turn;
  }

  private async write(): Promise<void> {
    if (this.rows.size === 0) return;
    const deltas = this.rows.takeAll();
    for (let i = 0; i < deltas.length; i += ROWS_PER_TRANSACTION) {
      if (i > 0) await nextTurn();
      try {
        await this.writePart(deltas.slice(i, i + ROWS_PER_TRANSACTION));
      } catch (err) {
        this.rows.putBack(deltas.slice(i));
        this.deps.log.warn(
          { err, rows: deltas.length - i },
          'room days not flushed; retrying later',
        );
        throw err;
      }
    }
  }

  private async writePart(deltas: readonly RoomDayDelta[]): Promise<void> {
    const at = this.deps.now();
    await this.deps.store.transaction(async (trx) => {
      await addRoomDays(trx, deltas, at);
      await markChanged(
        trx,
        deltas.map((d) => d.day),
        at,
      );
    });
  }
}
