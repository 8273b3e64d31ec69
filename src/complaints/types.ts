import { Words } from '../core/words.ts';
import type {
  Action,
  Cause,
  ComplaintCategory,
  ComplaintChannel,
  Diagnosis,
  Evidence,
  LocalText,
} from '../diagnosis/schemas.ts';
import { TICKET_STATES, type TicketState } from '../service/ticket-words.ts';

/**
 * The service desk's records (issue 10): complaints, the incidents they are grouped
 * into, the tickets they open. Times are epoch ms (the views format ISO). The words
 * exist once, here; the API's schemas and the store's rows use them.
 */

/** An incident's life (issue 10 §3); `invalid` = it was not a fault after all. */
export const INCIDENT_STATES = [
  'suspected',
  'confirmed',
  'restoring',
  'restored',
  'closed',
  'invalid',
] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];
export const IncidentStateSchema = Words(INCIDENT_STATES);

/** States in which a fault is still being dealt with: later calls join, retained MQTT is set. */
export const ACTIVE_STATES: readonly IncidentState[] = ['suspected', 'confirmed', 'restoring'];
/** Not closed and not invalid: shown on the incident topic. */
export const OPEN_STATES: readonly IncidentState[] = [...ACTIVE_STATES, 'restored'];

export const INCIDENT_LEVELS = ['network', 'substation', 'building', 'zone'] as const;
export type IncidentLevel = (typeof INCIDENT_LEVELS)[number];

export const ORIGINS = ['data', 'complaint'] as const;
export type IncidentOrigin = (typeof ORIGINS)[number];
export const OriginSchema = Words(
  ORIGINS,
  'data = opened from network data before anyone called; complaint = by a call',
);

/** A ticket's states are the work orders' (issue 11), written once in src/service. */
export { TICKET_STATES, type TicketState } from '../service/ticket-words.ts';
export const TicketStateSchema = Words(TICKET_STATES);

export interface Ticket {
  id: string;
  complaintId: string;
  state: TicketState;
  dueAt: number;
  createdAt: number;
}

export interface Complaint {
  id: string;
  household: string;
  building: string;
  zone: string;
  substation: string;
  category: ComplaintCategory;
  channel: ComplaintChannel;
  reportedAt: number;
  receivedAt: number;
  reportedTempC: number | null;
  description: string | null;
  contact: string | null;
  /** Who took the call (the token's name). */
  actor: string;
  diagnosis: Diagnosis;
  incidentId: string | null;
}

/** Where a fault is, as an incident (or a complaint looking for one) names it. */
export interface FaultPlace {
  faultKey: string;
  level: IncidentLevel;
  substation: string;
  building: string | null;
  zone: string | null;
}

export interface Incident extends FaultPlace {
  id: string;
  cause: Cause;
  place: string;
  state: IncidentState;
  origin: IncidentOrigin;
  openedAt: number;
  updatedAt: number;
  etaAt: number | null;
  summary: LocalText;
  evidence: Evidence[];
  action: Action | null;
}

export interface IncidentChange {
  at: number;
  actor: string;
  from: IncidentState | null;
  to: IncidentState;
  note: string | null;
}

/** The incident a complaint joined, as its answer shows it. */
export interface IncidentRef {
  id: string;
  state: IncidentState;
  etaAt: number | null;
}

/** What `POST /api/complaints` answers (and replays for a retried post). */
export interface IntakeAnswer extends Complaint {
  ticket: Ticket;
  incident: IncidentRef | null;
}
