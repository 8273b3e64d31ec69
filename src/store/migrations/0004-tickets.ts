import { type Kysely, type Migration, sql } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * Work orders get their life (issue 11): a kind (a complaint's ticket, or a crew's for an
 * incident, which has no complaint), its incident, team and assignee; the history rows
 * carry the reason and assignee of a move; and `sla_signals` records every SLA warning
 * and breach already sent, so each goes out once, also across a restart.
 */
export function ticketTables(engine: Engine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // Intake (issue 10) inserts complaint tickets without naming the kind.
      await db.schema
        .alterTable('tickets')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('complaint'))
        .execute();
      const columns: [string, 'text' | 'bigint'][] = [
        ['incident_id', 'text'],
        ['team', 'text'],
        ['assignee', 'text'],
        ['updated_at_ms', 'bigint'],
      ];
      for (const [name, type] of columns) {
        await db.schema.alterTable('tickets').addColumn(name, type).execute();
      }
      await sql`UPDATE tickets SET updated_at_ms = created_at_ms`.execute(db);
      for (const name of ['reason', 'assignee', 'team']) {
        await db.schema.alterTable('ticket_history').addColumn(name, 'text').execute();
      }
      await nullableComplaint(db, engine);
      await db.schema.createIndex('tickets_incident').on('tickets').column('incident_id').execute();
      await db.schema
        .createIndex('tickets_created')
        .on('tickets')
        .column('created_at_ms')
        .execute();
      await db.schema
        .createTable('sla_signals')
        .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id'))
        .addColumn('signal', 'text', (c) => c.notNull())
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .addColumn('sent_at_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('sla_signals_pk', ['ticket_id', 'signal'])
        .execute();
    },
  };
}

/**
 * A crew's ticket has no complaint. PostgreSQL drops the NOT NULL in place; SQLite cannot,
 * so it rebuilds both tables (history first, since it references the tickets) with the
 * same rows and ids, and renames them back (which keeps the references pointing right).
 */
async function nullableComplaint(db: Kysely<unknown>, engine: Engine): Promise<void> {
  if (engine === 'postgres') {
    await sql`ALTER TABLE tickets ALTER COLUMN complaint_id DROP NOT NULL`.execute(db);
    return;
  }
  await sql`CREATE TABLE tickets_next (
    id text PRIMARY KEY, complaint_id text UNIQUE REFERENCES complaints(id),
    state text NOT NULL, due_at_ms bigint NOT NULL, created_at_ms bigint NOT NULL,
    kind text NOT NULL DEFAULT 'complaint', incident_id text, team text, assignee text, updated_at_ms bigint)`.execute(
    db,
  );
  await sql`CREATE TABLE ticket_history_next (
    id integer PRIMARY KEY AUTOINCREMENT, ticket_id text NOT NULL REFERENCES tickets_next(id),
    at_ms bigint NOT NULL, actor text NOT NULL, from_state text, to_state text NOT NULL,
    note text, reason text, assignee text, team text)`.execute(db);
  await sql`INSERT INTO tickets_next SELECT id, complaint_id, state, due_at_ms, created_at_ms,
    kind, incident_id, team, assignee, updated_at_ms FROM tickets`.execute(db);
  await sql`INSERT INTO ticket_history_next SELECT id, ticket_id, at_ms, actor, from_state,
    to_state, note, reason, assignee, team FROM ticket_history`.execute(db);
  await sql`DROP TABLE ticket_history`.execute(db);
  await sql`DROP TABLE tickets`.execute(db);
  await sql`ALTER TABLE tickets_next RENAME TO tickets`.execute(db);
  await sql`ALTER TABLE ticket_history_next RENAME TO ticket_history`.execute(db);
  await db.schema
    .createIndex('tickets_due')
    .on('tickets')
    .columns(['state', 'due_at_ms'])
    .execute();
  await db.schema
    .createIndex('ticket_history_owner')
    .on('ticket_history')
    .columns(['ticket_id', 'id'])
    .execute();
}
