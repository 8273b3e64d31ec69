import { type Kysely, sql } from 'kysely';
import type { RoomDayAggregate } from '../service/ledger-data-days.ts';
import type { Database } from '../store/schema.ts';

/** The room-day and day-change rows (queries only; callers hold the transaction). */

type Db = Kysely<Database>;

export interface RoomDayDelta extends RoomDayAggregate {
  day: string;
  household: string;
}

/**
 * Rows per statement: 9 parameters each keeps a statement under SQLite's and PostgreSQL's
 * parameter limits with room to spare.
 */
const ROWS_PER_STATEMENT = 1000;

/** Adds the deltas to what the store holds (a new row where there is none). */
export async function addRoomDays(db: Db, deltas: readonly RoomDayDelta[], atMs: number) {
  for (let i = 0; i < deltas.length; i += ROWS_PER_STATEMENT) {
    const rows = deltas.slice(i, i + ROWS_PER_STATEMENT).map((d) => ({
      day: d.day,
      household: d.household,
      sum_c: d.sumC,
      samples: d.samples,
      min_c: d.minC,
      max_c: d.maxC,
      first_ms: d.firstMs,
      last_ms: d.lastMs,
      updated_at_ms: atMs,
    }));
    await db
      .insertInto('ledger_room_days')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['day', 'household']).doUpdateSet({
          sum_c: sql`ledger_room_days.sum_c + excluded.sum_c`,
          samples: sql`ledger_room_days.samples + excluded.samples`,
          // CASE rather than min()/LEAST(): the one spelling both engines take.
          min_c: sql`CASE WHEN excluded.min_c < ledger_room_days.min_c THEN excluded.min_c ELSE ledger_room_days.min_c END`,
          max_c: sql`CASE WHEN excluded.max_c > ledger_room_days.max_c THEN excluded.max_c ELSE ledger_room_days.max_c END`,
          first_ms: sql`CASE WHEN excluded.first_ms < ledger_room_days.first_ms THEN excluded.first_ms ELSE ledger_room_days.first_ms END`,
          last_ms: sql`CASE WHEN excluded.last_ms > ledger_room_days.last_ms THEN excluded.last_ms ELSE ledger_room_days.last_ms END`,
          updated_at_ms: sql`excluded.updated_at_ms`,
        }),
      )
      .execute();
  }
}

/** The days' inputs changed at `atMs`: the ledger recomputes them. */
export async function markChanged(db: Db, days: Iterable<string>, atMs: number) {
  const rows = [...new Set(days)].map((day) => ({
    day,
    changed_at_ms: atMs,
    computed_at_ms: null,
  }));
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    await db
      .insertInto('ledger_dirty_days')
      .values(rows.slice(i, i + ROWS_PER_STATEMENT))
      .onConflict((oc) =>
        oc.column('day').doUpdateSet({
          changed_at_ms: sql`CASE WHEN excluded.changed_at_ms > ledger_dirty_days.changed_at_ms THEN excluded.changed_at_ms ELSE ledger_dirty_days.changed_at_ms END`,
        }),
      )
      .execute();
  }
}

export interface StoredRoomDay extends RoomDayAggregate {
  household: string;
  day: string;
  updatedAtMs: number;
}

/** One batch of a day's rows, households after `after`, in order. */
export async function roomDayBatch(
  db: Db,
  day: string,
  after: string | null,
  limit: number,
): Promise<StoredRoomDay[]> {
  let q = db.selectFrom('ledger_room_days').selectAll().where('day', '=', day);
  if (after !== null) q = q.where('household', '>', after);
  const rows = await q.orderBy('household').limit(limit).execute();
  return rows.map((r) => ({
    household: r.household,
    day: r.day,
    sumC: r.sum_c,
    samples: r.samples,
    minC: r.min_c,
    maxC: r.max_c,
    firstMs: r.first_ms,
    lastMs: r.last_ms,
    updatedAtMs: r.updated_at_ms,
  }));
}
