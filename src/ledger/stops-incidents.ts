import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { PlaceRef } from './stops-db.ts';

/**
 * The heat-stopped incidents the desk holds, to square the stops with on start: the desk
 * commits an incident before it tells the bus, so a process that died in between (or a
 * listener that failed) leaves an incident the stops never heard of, or an ending they missed.
 * An incident a stop already held is spent, even when the stop closed on the data with the
 * incident still open: it must not open a second stop after a restart.
 */

const ACTIVE = ['suspected', 'confirmed', 'restoring'];

export interface IncidentRow {
  id: string;
  place: PlaceRef;
  active: boolean;
  openedAtMs: number;
  updatedAtMs: number;
  invalid: boolean;
}

/** Heat-stopped incidents at building or substation level that are active or in `ids`. */
export async function heatStoppedIncidents(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<IncidentRow[]> {
  const rows = await db
    .selectFrom('incidents')
    .select(['id', 'level', 'building', 'substation', 'state', 'opened_at_ms', 'updated_at_ms'])
    .where('cause', '=', 'heat-stopped')
    .where('level', 'in', ['building', 'substation'])
    .where((eb) =>
      ids.length === 0
        ? eb('state', 'in', ACTIVE)
        : eb.or([eb('state', 'in', ACTIVE), eb('id', 'in', ids)]),
    )
    .execute();
  return rows.flatMap((r) => {
    const place: PlaceRef | null =
      r.level === 'substation'
        ? { level: 'substation', place: r.substation }
        : r.building
          ? { level: 'building', place: r.building }
          : null;
    if (!place) return [];
    return [
      {
        id: r.id,
        place,
        active: ACTIVE.includes(r.state),
        openedAtMs: r.opened_at_ms,
        updatedAtMs: r.updated_at_ms,
        invalid: r.state === 'invalid',
      },
    ];
  });
}

/** Whether any stop, open or closed, ever held the incident. */
export async function incidentSpent(db: Kysely<Database>, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('ledger_heat_stops')
    .select('id')
    .where((eb) =>
      eb.or([eb('incident_id', '=', id), eb('incidents', 'like', `%${JSON.stringify(id)}%`)]),
    )
    .executeTakeFirst();
  return row !== undefined;
}
