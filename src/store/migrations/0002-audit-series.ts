import type { Kysely, Migration } from 'kysely';

/**
 * Refused control attempts that share a row (issue 15): the row counts them as they
 * come (`attempts`, committed before each answer), names every pump they were aimed at
 * (`pumps`, a JSON array) and when the last one came (`last_ms`); `action` tells a pump
 * change from a switch of auto-balancing, whose refusals are recorded too.
 */
export function auditSeries(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const columns = [
        ['action', 'text', 'frequency'],
        ['attempts', 'integer', 1],
      ] as const;
      for (const [name, type, value] of columns) {
        await db.schema
          .alterTable('control_audit')
          .addColumn(name, type, (c) => c.notNull().defaultTo(value))
          .execute();
      }
      await db.schema.alterTable('control_audit').addColumn('pumps', 'text').execute();
      await db.schema.alterTable('control_audit').addColumn('last_ms', 'bigint').execute();
    },
  };
}
