import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { incidentValues, toChange, toIncident } from './rows.ts';
import { type Incident, type IncidentChange, type IncidentState, OPEN_STATES } from './types.ts';

/** Incident rows and their history (queries only; the desk decides what they mean). */

type Db = Kysely<Database>;

/** Incidents not yet closed or invalid at a substation (every level names its substation). */
export async function openIncidentsAt(db: Db, substation: string): Promise<Incident[]> {
  const rows = await db
    .selectFrom('incidents')
    .selectAll()
    .where('substation', '=', substation)
    .where('state', 'in', [...OPEN_STATES])
    .execute();
  return rows.map(toIncident);
}

/** Every incident not yet closed or invalid (the retained topics and the proactive sweep). */
export async function openIncidents(db: Db): Promise<Incident[]> {
  const rows = await db
    .selectFrom('incidents')
    .selectAll()
    .where('state', 'in', [...OPEN_STATES])
    .execute();
  return rows.map(toIncident);
}

export async function countOpenIncidents(db: Db): Promise<number> {
  const row = await db
    .selectFrom('incidents')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', 'in', [...OPEN_STATES])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertIncident(db: Db, incident: Incident, change: IncidentChange) {
  await db.insertInto('incidents').values(incidentValues(incident)).execute();
  await appendHistory(db, incident.id, change);
}

/** Moves an incident to `to` (history appended); returns it as it is now. */
export async function moveIncident(
  db: Db,
  incident: Incident,
  change: IncidentChange & { etaAt?: number | null },
): Promise<Incident> {
  const etaAt = change.etaAt !== undefined ? change.etaAt : incident.etaAt;
  const moved: Incident = { ...incident, state: change.to, updatedAt: change.at, etaAt };
  await db
    .updateTable('incidents')
    .set({ state: moved.state, updated_at_ms: moved.updatedAt, eta_ms: moved.etaAt })
    .where('id', '=', incident.id)
    .execute();
  await appendHistory(db, incident.id, change);
  return moved;
}

/** A call joined: the incident is active now (the grouping window counts from here). */
export async function touchIncident(db: Db, id: string, at: number): Promise<void> {
  await db.updateTable('incidents').set({ updated_at_ms: at }).where('id', '=', id).execute();
}

async function appendHistory(db: Db, id: string, c: IncidentChange) {
  await db
    .insertInto('incident_history')
    .values({
      incident_id: id,
      at_ms: c.at,
      actor: c.actor,
      from_state: c.from,
      to_state: c.to,
      note: c.note,
    })
    .execute();
}

export async function incidentById(db: Db, id: string): Promise<Incident | undefined> {
  const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toIncident(row);
}

export interface IncidentFilter {
  state?: IncidentState | undefined;
  substation?: string | undefined;
  limit: number;
}

export async function listIncidents(db: Db, f: IncidentFilter): Promise<Incident[]> {
  let q = db.selectFrom('incidents').selectAll();
  if (f.state) q = q.where('state', '=', f.state);
  if (f.substation) q = q.where('substation', '=', f.substation);
  const rows = await q.orderBy('opened_at_ms', 'desc').orderBy('id').limit(f.limit).execute();
  return rows.map(toIncident);
}

export async function incidentHistory(db: Db, id: string): Promise<IncidentChange[]> {
  const rows = await db
    .selectFrom('incident_history')
    .selectAll()
    .where('incident_id', '=', id)
    .orderBy('id')
    .execute();
  return rows.map(toChange);
}

/** Calls and distinct households of each incident (one query for a whole list). */
export async function incidentCounts(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, { complaints: number; households: number }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('complaints')
    .select((eb) => [
      'incident_id',
      eb.fn.countAll<number>().as('complaints'),
      eb.fn.count<number>('household').distinct().as('households'),
    ])
    .where('incident_id', 'in', [...ids])
    .groupBy('incident_id')
    .execute();
  return new Map(
    rows.map((r) => [
      r.incident_id!,
      { complaints: Number(r.complaints), households: Number(r.households) },
    ]),
  );
}
