import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * The regulation ledger's inputs (issue 11 item 3): each household's room temperature per
 * site day, kept as sums so batches of samples and late readings add up in any order; the
 * heat stops per building or substation; and which days changed since the ledger last
 * computed them. Days are `YYYY-MM-DD` in `site.timezone`; times are epoch ms.
 */
export function ledgerDataTables(_engine: Engine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('ledger_room_days')
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('household', 'text', (c) => c.notNull())
        .addColumn('sum_c', 'double precision', (c) => c.notNull())
        .addColumn('samples', 'integer', (c) => c.notNull())
        .addColumn('min_c', 'double precision', (c) => c.notNull())
        .addColumn('max_c', 'double precision', (c) => c.notNull())
        .addColumn('first_ms', 'bigint', (c) => c.notNull())
        .addColumn('last_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
        // The ledger reads a day's households in order, in batches: day first.
        .addPrimaryKeyConstraint('ledger_room_days_pk', ['day', 'household'])
        .execute();
      await stops(db);
      await db.schema
        .createTable('ledger_dirty_days')
        .addColumn('day', 'text', (c) => c.primaryKey())
        .addColumn('changed_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('computed_at_ms', 'bigint')
        .execute();
    },
  };
}

async function stops(db: Kysely<unknown>) {
  await db.schema
    .createTable('ledger_heat_stops')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('from_ms', 'bigint', (c) => c.notNull())
    .addColumn('until_ms', 'bigint')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text')
    // 0 while a data stop has not lasted its minimum yet: kept so a restart resumes it.
    .addColumn('confirmed', 'integer', (c) => c.notNull())
    // JSON array of the active incidents holding it open.
    .addColumn('incidents', 'text', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ledger_heat_stops_from')
    .on('ledger_heat_stops')
    .columns(['from_ms'])
    .execute();
  await db.schema
    .createIndex('ledger_heat_stops_open')
    .on('ledger_heat_stops')
    .columns(['until_ms', 'place'])
    .execute();
}
