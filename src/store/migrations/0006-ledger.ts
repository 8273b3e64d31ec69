import type { CreateTableBuilder, Kysely, Migration } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * The regulation ledger (issue 11): one row per household and day, recomputed in place
 * (the same inputs give the same row), and what people record that the ledger reads —
 * room temperatures measured on a visit and who bears a household's days. Those two are
 * only ever appended to: a dispute is settled by the record, so it is never rewritten.
 */
export function ledgerTables(engine: Engine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('ledger_days')
        .addColumn('household', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('season', 'text', (c) => c.notNull())
        .addColumn('building', 'text', (c) => c.notNull())
        .addColumn('substation', 'text', (c) => c.notNull())
        .addColumn('sensor_mean_c', 'double precision')
        .addColumn('measured_c', 'double precision')
        .addColumn('temp_c', 'double precision')
        .addColumn('below', 'integer', (c) => c.notNull())
        .addColumn('billed_share_bp', 'integer', (c) => c.notNull())
        .addColumn('stopped_minutes', 'integer', (c) => c.notNull())
        .addColumn('attribution', 'text', (c) => c.notNull())
        .addColumn('attribution_reason', 'text')
        .addColumn('computed_at_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_days_pk', ['household', 'day'])
        .execute();
      await db.schema
        .createIndex('ledger_days_day')
        .on('ledger_days')
        .columns(['day', 'substation'])
        .execute();
      await db.schema
        .createIndex('ledger_days_season')
        .on('ledger_days')
        .columns(['season', 'household', 'day'])
        .execute();
      await withId(engine, db.schema.createTable('room_measurements'))
        .addColumn('household', 'text', (c) => c.notNull())
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('temp_c', 'double precision', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('ticket_id', 'text')
        .addColumn('recorded_at_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('room_measurements_household')
        .on('room_measurements')
        .columns(['household', 'at_ms'])
        .execute();
      await withId(engine, db.schema.createTable('attributions'))
        .addColumn('household', 'text', (c) => c.notNull())
        .addColumn('from_day', 'text', (c) => c.notNull())
        .addColumn('to_day', 'text')
        .addColumn('party', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('attributions_household')
        .on('attributions')
        .columns(['household', 'from_day'])
        .execute();
    },
  };
}

function withId(engine: Engine, table: CreateTableBuilder<string, never>) {
  return engine === 'postgres'
    ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}
