import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * The alert book (issue 12 items 1, 3, 4): alerts with their lifecycle (an open alert
 * holds its fingerprint in `open_fingerprint`, unique, so a burst never creates a
 * duplicate — thingsboard #2986), their history, silences, and each notification
 * group's timers and escalation step, so a restart resumes every alert and every
 * pending escalation without repeating a message.
 */
export function alertTables(engine: Engine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await alerts(db);
      await history(db, engine);
      await silences(db);
      await groups(db);
    },
  };
}

async function alerts(db: Kysely<unknown>) {
  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('open_fingerprint', 'text', (c) => c.unique())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('silenced', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('inhibited_by', 'text')
    .addColumn('incident_id', 'text')
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('starts_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('ends_at_ms', 'bigint')
    .addColumn('ack_by', 'text')
    .addColumn('ack_at_ms', 'bigint')
    .addColumn('assignee', 'text')
    .addColumn('escalation_step', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('alerts_state')
    .on('alerts')
    .columns(['state', 'starts_at_ms'])
    .execute();
  await db.schema.createIndex('alerts_starts').on('alerts').column('starts_at_ms').execute();
  await db.schema
    .createIndex('alerts_rule')
    .on('alerts')
    .columns(['rule', 'starts_at_ms'])
    .execute();
}

async function history(db: Kysely<unknown>, engine: Engine) {
  const withId =
    engine === 'postgres'
      ? db.schema.createTable('alert_history').addColumn('id', 'bigserial', (c) => c.primaryKey())
      : db.schema
          .createTable('alert_history')
          .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await withId
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .execute();
  await db.schema
    .createIndex('alert_history_owner')
    .on('alert_history')
    .columns(['alert_id', 'id'])
    .execute();
}

async function silences(db: Kysely<unknown>) {
  await db.schema
    .createTable('alert_silences')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('matchers', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('starts_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('ends_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expiry_notified', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('alert_silences_ends')
    .on('alert_silences')
    .column('ends_at_ms')
    .execute();
}

async function groups(db: Kysely<unknown>) {
  await db.schema
    .createTable('alert_groups')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('route', 'integer', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('first_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('last_sent_at_ms', 'bigint')
    .addColumn('sent_ids', 'text', (c) => c.notNull())
    .addColumn('step', 'integer', (c) => c.notNull())
    .execute();
}
