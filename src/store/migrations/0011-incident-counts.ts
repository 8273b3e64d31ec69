import type { Kysely, Migration } from 'kysely';

/**
 * Each incident's calls and distinct households (`incidentCounts`, every incident list the
 * console asks for) read from the index alone: with `incident_id` only, SQLite fetched every
 * attached complaint's row for its household — 60 ms a list with 15,000 calls attached, on
 * the event loop, while complaint intake waited (issue 10). The wider index replaces it.
 */
export function incidentCountsIndex(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('complaints_incident_household')
        .on('complaints')
        .columns(['incident_id', 'household'])
        .execute();
      await db.schema.dropIndex('complaints_incident').execute();
    },
  };
}
