import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * The embedded default's queryable history (issue 13 item 4): per substation and field,
 * the sum and count of the samples in each 1-minute and each 15-minute bucket (`*` is
 * the site, for the outdoor temperature). Sums and counts rather than means, so flushes
 * of the same bucket (and late readings) add up in any order. Bounded on disk by the
 * recorder's retention: minutes for days, quarters for the season.
 */
export function historyTables(_engine: Engine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const table of ['history_minute', 'history_quarter']) {
        await db.schema
          .createTable(table)
          .addColumn('substation', 'text', (c) => c.notNull())
          .addColumn('field', 'text', (c) => c.notNull())
          .addColumn('bucket_ms', 'bigint', (c) => c.notNull())
          .addColumn('sum', 'double precision', (c) => c.notNull())
          .addColumn('samples', 'integer', (c) => c.notNull())
          // A trend reads one substation's field over a time range: that order.
          .addPrimaryKeyConstraint(`${table}_pk`, ['substation', 'field', 'bucket_ms'])
          .execute();
        // Retention deletes by time alone.
        await db.schema.createIndex(`${table}_bucket`).on(table).columns(['bucket_ms']).execute();
      }
    },
  };
}
