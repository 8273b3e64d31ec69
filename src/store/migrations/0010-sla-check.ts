import type { Kysely, Migration } from 'kysely';

/**
 * When each open ticket's SLA clocks next need looking at (issue 10/11): the watch reads
 * only the tickets whose time has come, through this index, instead of every open ticket
 * each minute — a cold snap's 30,000 open tickets made that read and its clocks hold the
 * event loop for tenths of a second every minute, and complaint intake waited behind it.
 * Null = nothing due until the ticket moves (paused, stopped or final). Rows from before
 * this migration start null; the watch marks every open ticket due when it starts.
 */
export function slaCheckColumn(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('tickets').addColumn('sla_check_at_ms', 'bigint').execute();
      await db.schema
        .createIndex('tickets_sla_check')
        .on('tickets')
        .column('sla_check_at_ms')
        .execute();
    },
  };
}
