import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * The alert outbox (issue 12): every notification is a row before anything is sent, keyed
 * by its idempotency key (unique), so a retry of the producer or a restart never makes a
 * second message. `state`: pending → sending (claimed) → sent | gave-up, or merged (folded
 * into a batch row by a rate limit). `alert_outbox_alerts` indexes which alerts a message
 * carried, for an alert's notification log.
 */
export function outboxTables(_engine: Engine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('alert_outbox')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('merged_count', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('merged_into', 'text')
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('next_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('claimed_by', 'text')
        .addColumn('claimed_at_ms', 'bigint')
        .addColumn('sent_at_ms', 'bigint')
        .addColumn('receipt', 'text')
        .addColumn('last_error', 'text')
        .execute();
      await db.schema
        .createIndex('alert_outbox_due')
        .on('alert_outbox')
        .columns(['state', 'next_at_ms'])
        .execute();
      await db.schema
        .createIndex('alert_outbox_sent')
        .on('alert_outbox')
        .columns(['channel', 'sent_at_ms'])
        .execute();
      await db.schema
        .createTable('alert_outbox_alerts')
        .addColumn('alert_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull().references('alert_outbox.key'))
        .addPrimaryKeyConstraint('alert_outbox_alerts_pk', ['alert_id', 'key'])
        .execute();
    },
  };
}
