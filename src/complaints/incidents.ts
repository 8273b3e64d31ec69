import { HeatnetError } from '../core/errors.ts';
import { listComplaints, type StoredComplaint } from './complaint-db.ts';
import type { DeskDb } from './desk-db.ts';
import {
  type IncidentFilter,
  incidentById,
  incidentCounts,
  incidentHistory,
  listIncidents,
  moveIncident,
} from './incident-db.ts';
import { checkTransition } from './incident-states.ts';
import type { DeskSignals } from './signals.ts';
import type { Incident, IncidentChange, IncidentState } from './types.ts';

export interface IncidentSummary extends Incident {
  complaints: number;
  affectedHouseholds: number;
}

export interface IncidentDetail extends IncidentSummary {
  calls: StoredComplaint[];
  history: IncidentChange[];
}

export interface IncidentPatch {
  to: IncidentState;
  note?: string | undefined;
  etaAt?: number | undefined;
  reason?: string | undefined;
}

/** The most calls an incident's page lists (the count is always complete). */
const CALLS_SHOWN = 1000;

/** Incidents as staff see and move them (issue 10 §3): `GET/PATCH /api/incidents`. */
export class IncidentDesk {
  constructor(private readonly deps: { db: DeskDb; signals: DeskSignals; now: () => number }) {}

  async list(filter: IncidentFilter): Promise<IncidentSummary[]> {
    const incidents = await this.deps.db.read('incidents', (d) => listIncidents(d, filter));
    return this.withCounts(incidents);
  }

  async get(id: string): Promise<IncidentDetail> {
    const { db } = this.deps;
    const incident = await db.read('incident', (d) => incidentById(d, id));
    if (!incident) throw new HeatnetError('NOT_FOUND', `no incident "${id}"`, { field: 'id' });
    const [summary] = await this.withCounts([incident]);
    const [calls, history] = await db.read('incident', (d) =>
      Promise.all([
        listComplaints(d, { incident: id, limit: CALLS_SHOWN }),
        incidentHistory(d, id),
      ]),
    );
    return { ...summary!, calls, history };
  }

  /** A person moves an incident; 409 naming the allowed states when the move is not one. */
  async change(id: string, patch: IncidentPatch, actor: string): Promise<IncidentDetail> {
    const { db, signals, now } = this.deps;
    const effect = await db.write('incident', async (trx) => {
      const incident = await incidentById(trx, id);
      if (!incident) throw new HeatnetError('NOT_FOUND', `no incident "${id}"`, { field: 'id' });
      checkTransition({ from: incident.state, ...patch });
      const note = [patch.reason, patch.note].filter((t) => t?.trim()).join(' — ') || null;
      const change: IncidentChange = { at: now(), actor, from: incident.state, to: patch.to, note };
      // Only `restoring` carries an ETA; once restored (or given up) it no longer applies.
      const etaAt = patch.to === 'restoring' ? patch.etaAt! : null;
      const moved = await moveIncident(trx, incident, { ...change, etaAt });
      return { kind: 'changed' as const, incident: moved, change };
    });
    await signals.incidents([effect]);
    return this.get(id);
  }

  private async withCounts(incidents: Incident[]): Promise<IncidentSummary[]> {
    const ids = incidents.map((i) => i.id);
    const counts = await this.deps.db.read('counts', (d) => incidentCounts(d, ids));
    return incidents.map((i) => {
      const c = counts.get(i.id);
      return { ...i, complaints: c?.complaints ?? 0, affectedHouseholds: c?.households ?? 0 };
    });
  }
}
