import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { BucketDelta } from './accumulator.ts';

/** The history tables' queries (migration 0009); callers hold the transaction. */

type Db = Kysely<Database>;
export type HistoryTable = 'history_minute' | 'history_quarter';

/** 5 parameters a row: well under SQLite's and PostgreSQL's parameter limits. */
const ROWS_PER_STATEMENT = 1000;

/** Adds the deltas to what the table holds (a new row where there is none). */
export async function addBuckets(db: Db, table: HistoryTable, deltas: readonly BucketDelta[]) {
  for (let i = 0; i < deltas.length; i += ROWS_PER_STATEMENT) {
    const rows = deltas.slice(i, i + ROWS_PER_STATEMENT).map((d) => ({
      substation: d.substation,
      field: d.field,
      bucket_ms: d.bucketMs,
      sum: d.sum,
      samples: d.samples,
    }));
    await db
      .insertInto(table)
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['substation', 'field', 'bucket_ms']).doUpdateSet({
          sum: sql`${sql.ref(table)}.sum + excluded.sum`,
          samples: sql`${sql.ref(table)}.samples + excluded.samples`,
        }),
      )
      .execute();
  }
}

/** Deletes the buckets that start before `beforeMs`; resolves to how many. */
export async function pruneBuckets(db: Db, table: HistoryTable, beforeMs: number) {
  const r = await db.deleteFrom(table).where('bucket_ms', '<', beforeMs).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export interface StoredBucket {
  bucketMs: number;
  sum: number;
  samples: number;
}

/** One series' buckets in [fromMs, toMs), oldest first. */
export async function readBuckets(
  db: Db,
  table: HistoryTable,
  q: { substation: string; field: string; fromMs: number; toMs: number },
): Promise<StoredBucket[]> {
  const rows = await db
    .selectFrom(table)
    .select(['bucket_ms', 'sum', 'samples'])
    .where('substation', '=', q.substation)
    .where('field', '=', q.field)
    .where('bucket_ms', '>=', q.fromMs)
    .where('bucket_ms', '<', q.toMs)
    .orderBy('bucket_ms')
    .execute();
  return rows.map((r) => ({
    bucketMs: Number(r.bucket_ms),
    sum: Number(r.sum),
    samples: Number(r.samples),
  }));
}
