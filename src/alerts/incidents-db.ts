import type { OpenIncident } from '../alerting/inhibit.ts';
import type { IncidentReport } from '../alerting/signals-service.ts';
import type { StoreDb } from '../store/store.ts';

export type OpenIncidentRow = IncidentReport & OpenIncident;

/** Incidents still being dealt with, read at start (the desk's table, issue 10). */
export async function loadIncidents(db: StoreDb): Promise<OpenIncidentRow[]> {
  const rows = await db
    .selectFrom('incidents')
    .select(['id', 'substation', 'building', 'level', 'state', 'eta_ms', 'summary'])
    .where('state', 'in', ['suspected', 'confirmed', 'restoring'])
    .execute();
  return rows.map((r) => {
    const parsed = JSON.parse(r.summary) as {
      en?: string;
      zh?: string;
      summary?: { en: string; zh: string };
    };
    const summary = parsed.summary ?? { en: parsed.en ?? r.id, zh: parsed.zh ?? r.id };
    return {
      id: r.id,
      substation: r.substation,
      building: r.building,
      level: r.level,
      state: r.state,
      etaAt: r.eta_ms === null ? null : Number(r.eta_ms),
      summary,
    };
  });
}
