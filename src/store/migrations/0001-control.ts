import type { CreateTableBuilder, Kysely, Migration } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * The control audit and the auto-balancing switch (issue 5), moved here from their own
 * SQLite file (issue 9). Columns keep the old file's names, so its rows import as they are.
 */
export function controlTables(engine: Engine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await withId(engine, db.schema.createTable('control_audit'))
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .addColumn('wall_ms', 'bigint')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('role', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('pump', 'text', (c) => c.notNull())
        .addColumn('substation', 'text')
        .addColumn('device', 'text')
        .addColumn('reason', 'text')
        .addColumn('before_hz', 'double precision')
        .addColumn('requested_hz', 'double precision')
        .addColumn('readback_hz', 'double precision')
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('code', 'text')
        .addColumn('error', 'text')
        .addColumn('wrote', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('completed_ms', 'bigint')
        .addColumn('effect', 'text')
        .addColumn('deviation_before_c', 'double precision')
        .addColumn('deviation_after_c', 'double precision')
        .addColumn('effect_ms', 'bigint')
        .execute();
      for (const [name, columns] of [
        ['control_audit_at', ['at_ms']],
        ['control_audit_pump', ['pump', 'at_ms']],
        ['control_audit_substation', ['substation', 'at_ms']],
      ] as const) {
        await db.schema
          .createIndex(name)
          .on('control_audit')
          .columns([...columns])
          .execute();
      }
      await withId(engine, db.schema.createTable('auto_switch'))
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .addColumn('wall_ms', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('store_import')
        .addColumn('source', 'text', (c) => c.primaryKey())
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .addColumn('rows', 'integer', (c) => c.notNull())
        .execute();
    },
  };
}

/**
 * An id that is never reused (SQLite AUTOINCREMENT, a PostgreSQL sequence): an audit id
 * quoted in a log line or an answer must keep meaning that one attempt.
 */
function withId(engine: Engine, table: CreateTableBuilder<string, never>) {
  return engine === 'postgres'
    ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}
