import { type Diagnosis, type Finding, faultKey, zonePlace } from '../diagnosis/schemas.ts';
import type { Household } from '../domain/topology.ts';
import { ACTIVE_STATES, type FaultPlace, type Incident, type IncidentLevel } from './types.ts';

/**
 * Which complaints share a fault (issue 10 §3), pure. A fault at a level covers every
 * place below it: a tripped pump (substation) covers the zone and building calls its
 * households make, so those join the pump's incident instead of opening their own.
 */

const RANK: Record<IncidentLevel, number> = { zone: 1, building: 2, substation: 3, network: 4 };

const isIncidentLevel = (level: string): level is IncidentLevel => level in RANK;

/**
 * The fault a complaint's diagnosis names, if it is one an incident tracks: levels above
 * the household, diagnosed with at least `minConfidence`. Household, none and unknown
 * diagnoses concern one flat (or nothing) and open no incident.
 */
export function complaintFault(
  diagnosis: Diagnosis,
  household: Household,
  minConfidence: number,
): FaultPlace | null {
  const { level } = diagnosis;
  if (!isIncidentLevel(level) || diagnosis.confidence < minConfidence) return null;
  const place = diagnosis.place ?? defaultPlace(level, household);
  return {
    faultKey: faultKey({ level, place }),
    level,
    substation: household.substation,
    building: level === 'building' || level === 'zone' ? household.building : null,
    zone: level === 'zone' ? household.zone : null,
  };
}

function defaultPlace(level: IncidentLevel, h: Household): string {
  if (level === 'zone') return zonePlace(h.building, h.zone);
  if (level === 'building') return h.building;
  return h.substation;
}

/** The fault a finding of the network data names. */
export function findingFault(f: Finding): FaultPlace {
  return {
    faultKey: faultKey(f),
    level: f.level,
    substation: f.substation,
    building: f.level === 'building' || f.level === 'zone' ? f.building : null,
    zone: f.level === 'zone' ? f.zone : null,
  };
}

/** Whether an incident's fault explains a fault at `place` (same place or a level above it). */
export function covers(incident: FaultPlace, place: FaultPlace): boolean {
  if (incident.faultKey === place.faultKey) return true;
  if (RANK[incident.level] <= RANK[place.level]) return false;
  if (incident.substation !== place.substation) return false;
  if (incident.level === 'building') return incident.building === place.building;
  return true;
}

/**
 * The incident a fault joins: an active one (suspected, confirmed, restoring) or one
 * restored within the grouping window (rooms take hours to warm up again, so calls keep
 * coming after a repair) that covers it; the same fault first, then the nearest level
 * above, then the newest.
 */
export function chooseIncident(
  incidents: readonly Incident[],
  place: FaultPlace,
  now: number,
  windowMs: number,
): Incident | undefined {
  const joinable = incidents.filter(
    (i) =>
      (ACTIVE_STATES.includes(i.state) ||
        (i.state === 'restored' && i.updatedAt >= now - windowMs)) &&
      covers(i, place),
  );
  const score = (i: Incident) => (i.faultKey === place.faultKey ? 0 : RANK[i.level]);
  return joinable.sort((a, b) => score(a) - score(b) || b.openedAt - a.openedAt)[0];
}
