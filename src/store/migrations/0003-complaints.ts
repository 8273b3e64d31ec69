import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * The service desk (issue 10): residents' complaints with their diagnosis, the incidents
 * they are grouped into (with a history that is only ever appended to), and the work
 * orders (tickets) each complaint opens, which issue 11 extends. Ids are text the staff
 * quote on the phone (`C-…`, `I-…`, `T-…`); times are epoch ms.
 */
export function complaintTables(engine: Engine): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await incidents(db);
      await history(db, engine, 'incident_history', 'incident_id', 'incidents');
      await complaints(db);
      await db.schema
        .createTable('tickets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('complaint_id', 'text', (c) => c.notNull().unique().references('complaints.id'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('due_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .execute();
      await history(db, engine, 'ticket_history', 'ticket_id', 'tickets');
      await indexes(db);
    },
  };
}

async function incidents(db: Kysely<unknown>) {
  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('fault_key', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('substation', 'text', (c) => c.notNull())
    .addColumn('building', 'text')
    .addColumn('zone', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('opened_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('eta_ms', 'bigint')
    .addColumn('summary', 'text', (c) => c.notNull())
    .execute();
}

async function complaints(db: Kysely<unknown>) {
  await db.schema
    .createTable('complaints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('household', 'text', (c) => c.notNull())
    .addColumn('building', 'text', (c) => c.notNull())
    .addColumn('zone', 'text', (c) => c.notNull())
    .addColumn('substation', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('reported_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('received_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('reported_temp_c', 'double precision')
    .addColumn('description', 'text')
    .addColumn('contact', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('confidence', 'double precision', (c) => c.notNull())
    .addColumn('diagnosis', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.references('incidents.id'))
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('request_hash', 'text')
    .addColumn('answer', 'text', (c) => c.notNull())
    .execute();
}

/** Who moved a record from which state to which, when, why: rows are never rewritten. */
async function history(
  db: Kysely<unknown>,
  engine: Engine,
  table: string,
  owner: string,
  ownerTable: string,
) {
  const withId =
    engine === 'postgres'
      ? db.schema.createTable(table).addColumn('id', 'bigserial', (c) => c.primaryKey())
      : db.schema
          .createTable(table)
          .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await withId
    .addColumn(owner, 'text', (c) => c.notNull().references(`${ownerTable}.id`))
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .execute();
  await db.schema.createIndex(`${table}_owner`).on(table).columns([owner, 'id']).execute();
}

/** The API's filters, newest first. */
async function indexes(db: Kysely<unknown>) {
  const all: [string, string, string[]][] = [
    ['complaints_received', 'complaints', ['received_at_ms']],
    ['complaints_substation', 'complaints', ['substation', 'received_at_ms']],
    ['complaints_building', 'complaints', ['building', 'received_at_ms']],
    ['complaints_household', 'complaints', ['household', 'received_at_ms']],
    ['complaints_level', 'complaints', ['level', 'received_at_ms']],
    ['complaints_incident', 'complaints', ['incident_id']],
    ['incidents_state', 'incidents', ['state', 'substation']],
    ['incidents_key', 'incidents', ['fault_key', 'state']],
    ['incidents_opened', 'incidents', ['opened_at_ms']],
    ['tickets_due', 'tickets', ['state', 'due_at_ms']],
  ];
  for (const [name, table, columns] of all) {
    await db.schema.createIndex(name).on(table).columns(columns).execute();
  }
}
