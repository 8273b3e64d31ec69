import type { Config } from '../config/schema.ts';
import type { Action, Cause, Evidence, LocalText } from '../diagnosis/schemas.ts';
import type { StoreTransaction } from '../store/store.ts';
import { chooseIncident } from './grouping.ts';
import { newId } from './ids.ts';
import { insertIncident, moveIncident, openIncidentsAt, touchIncident } from './incident-db.ts';
import type { FaultPlace, Incident, IncidentChange, IncidentOrigin } from './types.ts';

/**
 * Joining or opening an incident inside the caller's transaction, for a call (intake)
 * and for a fault the network data show (the proactive sweep) alike. What changed is
 * returned as effects, sent out (bus, retained MQTT) only once the transaction commits.
 */

export interface IncidentEffect {
  kind: 'opened' | 'changed';
  incident: Incident;
  change: IncidentChange;
}

/** What a new incident says about its fault: from the diagnosis or finding that opened it. */
export interface FaultSeed {
  cause: Cause;
  place: string;
  summary: LocalText;
  evidence: Evidence[];
  action: Action | null;
}

export interface BookContext {
  at: number;
  windowMs: number;
  newId: () => string;
}

export function bookContext(config: Config, at: number): BookContext {
  return {
    at,
    windowMs: config.service.incidents.groupWindowMin * 60_000,
    newId: () => newId('I', at, config.site.timezone),
  };
}

/** The actor heatnet's own changes are recorded under (the data, not a person). */
export const HEATNET = 'heatnet';

export async function findJoinable(
  trx: StoreTransaction,
  fault: FaultPlace,
  ctx: BookContext,
): Promise<Incident | undefined> {
  return chooseIncident(await openIncidentsAt(trx, fault.substation), fault, ctx.at, ctx.windowMs);
}

export async function openNew(
  trx: StoreTransaction,
  fault: FaultPlace,
  seed: FaultSeed,
  origin: IncidentOrigin,
  ctx: BookContext,
  note: string,
): Promise<IncidentEffect> {
  const incident: Incident = {
    ...fault,
    ...seed,
    id: ctx.newId(),
    state: 'suspected',
    origin,
    openedAt: ctx.at,
    updatedAt: ctx.at,
    etaAt: null,
  };
  const change: IncidentChange = { at: ctx.at, actor: HEATNET, from: null, to: 'suspected', note };
  await insertIncident(trx, incident, change);
  return { kind: 'opened', incident, change };
}

/**
 * A call joins `incident`: a suspected one is confirmed by it (a call from a second
 * household, or a resident corroborating what the data show); otherwise it is only marked
 * active, so the grouping window runs from the latest call.
 */
export async function joinCall(
  trx: StoreTransaction,
  incident: Incident,
  call: { at: number; household: string },
): Promise<{ incident: Incident; effect: IncidentEffect | null }> {
  if (incident.state !== 'suspected' || !(await corroborates(trx, incident, call.household))) {
    await touchIncident(trx, incident.id, call.at);
    return { incident: { ...incident, updatedAt: call.at }, effect: null };
  }
  const note =
    incident.origin === 'data'
      ? 'a resident’s call confirms what the network data show'
      : 'a second household calls about the same fault';
  return confirm(trx, incident, call.at, note);
}

/** One flat calling again says nothing new: a call from another household does. */
async function corroborates(trx: StoreTransaction, incident: Incident, household: string) {
  if (incident.origin === 'data') return true;
  const other = await trx
    .selectFrom('complaints')
    .select('id')
    .where('incident_id', '=', incident.id)
    .where('household', '!=', household)
    .limit(1)
    .executeTakeFirst();
  return other !== undefined;
}

export async function confirm(
  trx: StoreTransaction,
  incident: Incident,
  at: number,
  note: string,
): Promise<{ incident: Incident; effect: IncidentEffect }> {
  const change: IncidentChange = {
    at,
    actor: HEATNET,
    from: incident.state,
    to: 'confirmed',
    note,
  };
  const moved = await moveIncident(trx, incident, change);
  return { incident: moved, effect: { kind: 'changed', incident: moved, change } };
}
