import { meanOf } from '../service/ledger-data-days.ts';
import type { HeatStop, RoomDay } from '../service/ledger-inputs.ts';
import type { Store } from '../store/store.ts';
import { roomDayBatch } from './room-days-db.ts';
import { stopsBetween } from './stops-db.ts';

/**
 * What the ledger's rules read from the store (issue 11 item 3): the room days and the heat
 * stops the ledger data collectors keep, and which days changed since they were last computed.
 * The rules' side (nightly job, API, CSV) depends on this interface only, never on the tables.
 */
export interface LedgerSource {
  /**
   * Every household's room day for `day` (`YYYY-MM-DD` in `site.timezone`), in batches ordered by
   * household, so 250,000 households are never held at once.
   */
  roomDays(day: string): AsyncIterable<RoomDay[]>;
  /** The stops overlapping [fromMs, toMs), open ones included (untilMs null), ordered by fromMs. */
  stops(fromMs: number, toMs: number): Promise<HeatStop[]>;
  /**
   * Days whose inputs changed (room samples flushed, a late reading, a stop counted or ended)
   * since markComputed was last called for them, oldest first. Today is among them while its
   * readings come in: skip the days that have not ended yet.
   */
  dirtyDays(): Promise<string[]>;
  /**
   * Records that `day` was computed at `atMs` from the inputs as they were then; the day stays
   * clean until an input that changed after `atMs` touches it again. Pass the service time at
   * which the computation began reading, so a change that lands while it runs dirties it again.
   */
  markComputed(day: string, atMs: number): Promise<void>;
}

/** Households per batch of `roomDays`: a few hundred kB of rows at a time. */
const BATCH = 5000;

/** The ledger's source over the relational store (tables of migration 0005). */
export class StoreLedgerSource implements LedgerSource {
  constructor(private readonly store: Store) {}

  async *roomDays(day: string): AsyncIterable<RoomDay[]> {
    let after: string | null = null;
    for (;;) {
      const rows = await roomDayBatch(this.store.db, day, after, BATCH);
      if (rows.length === 0) return;
      yield rows.map((r) => ({
        household: r.household,
        day: r.day,
        meanC: meanOf(r),
        samples: r.samples,
        updatedAtMs: r.updatedAtMs,
      }));
      if (rows.length < BATCH) return;
      after = rows[rows.length - 1]!.household;
    }
  }

  stops(fromMs: number, toMs: number): Promise<HeatStop[]> {
    return stopsBetween(this.store.db, fromMs, toMs);
  }

  async dirtyDays(): Promise<string[]> {
    const rows = await this.store.db
      .selectFrom('ledger_dirty_days')
      .select('day')
      .where((eb) =>
        eb.or([
          eb('computed_at_ms', 'is', null),
          eb('changed_at_ms', '>', eb.ref('computed_at_ms')),
        ]),
      )
      .orderBy('day')
      .execute();
    return rows.map((r) => r.day);
  }

  async markComputed(day: string, atMs: number): Promise<void> {
    await this.store.db
      .insertInto('ledger_dirty_days')
      .values({ day, changed_at_ms: atMs, computed_at_ms: atMs })
      .onConflict((oc) => oc.column('day').doUpdateSet({ computed_at_ms: atMs }))
      .execute();
  }
}
