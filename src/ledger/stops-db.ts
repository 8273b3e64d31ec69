import type { Kysely, Selectable } from 'kysely';
import type { OpenStop, PlaceWatch } from '../service/ledger-data-stops.ts';
import type { HeatStop } from '../service/ledger-inputs.ts';
import type { Database, LedgerHeatStopTable } from '../store/schema.ts';

/** The heat-stop rows (queries only; callers hold the transaction). */

type Db = Kysely<Database>;
export type StopLevel = HeatStop['level'];

export interface PlaceRef {
  level: StopLevel;
  place: string;
}

export async function insertStop(db: Db, p: PlaceRef, w: PlaceWatch, s: OpenStop, atMs: number) {
  await db
    .insertInto('ledger_heat_stops')
    .values({
      id: s.id,
      level: p.level,
      place: p.place,
      from_ms: s.fromMs,
      until_ms: null,
      source: s.source,
      incident_id: s.incidentId,
      confirmed: s.confirmed ? 1 : 0,
      incidents: JSON.stringify(w.incidents),
      updated_at_ms: atMs,
    })
    .execute();
}

/** The open stop's state (confirmed, incidents) and, for a close, its end. */
export async function updateStop(
  db: Db,
  w: PlaceWatch,
  s: OpenStop,
  untilMs: number | null,
  atMs: number,
) {
  await db
    .updateTable('ledger_heat_stops')
    .set({
      until_ms: untilMs,
      incident_id: s.incidentId,
      confirmed: s.confirmed ? 1 : 0,
      updated_at_ms: atMs,
      // A closed stop keeps the incidents it last held: they are spent (see stops-incidents.ts).
      ...(untilMs === null ? { incidents: JSON.stringify(w.incidents) } : {}),
    })
    .where('id', '=', s.id)
    .execute();
}

export async function deleteStop(db: Db, id: string) {
  await db.deleteFrom('ledger_heat_stops').where('id', '=', id).execute();
}

export interface OpenRow extends PlaceRef {
  watch: PlaceWatch;
}

/** The stops still open (candidates included), as the watches a restart resumes from. */
export async function openStops(db: Db): Promise<OpenRow[]> {
  const rows = await db
    .selectFrom('ledger_heat_stops')
    .selectAll()
    .where('until_ms', 'is', null)
    .execute();
  return rows.map((r) => ({
    level: r.level as StopLevel,
    place: r.place,
    watch: {
      stop: {
        id: r.id,
        fromMs: r.from_ms,
        source: r.source as OpenStop['source'],
        incidentId: r.incident_id,
        confirmed: r.confirmed === 1,
      },
      // Unknown until the first sample after the restart: the data say whether it still holds.
      phase: null,
      phaseSinceMs: r.from_ms,
      incidents: JSON.parse(r.incidents) as string[],
    },
  }));
}

/** Confirmed stops overlapping [fromMs, toMs), oldest first. */
export async function stopsBetween(db: Db, fromMs: number, toMs: number): Promise<HeatStop[]> {
  const rows = await db
    .selectFrom('ledger_heat_stops')
    .selectAll()
    .where('confirmed', '=', 1)
    .where('from_ms', '<', toMs)
    .where((eb) => eb.or([eb('until_ms', 'is', null), eb('until_ms', '>', fromMs)]))
    .orderBy('from_ms')
    .orderBy('id')
    .execute();
  return rows.map(toHeatStop);
}

function toHeatStop(r: Selectable<LedgerHeatStopTable>): HeatStop {
  return {
    id: r.id,
    level: r.level as StopLevel,
    place: r.place,
    fromMs: r.from_ms,
    untilMs: r.until_ms,
    source: r.source as HeatStop['source'],
    incidentId: r.incident_id,
  };
}
