import type { Selectable } from 'kysely';
import type { Action, Cause, Diagnosis, Evidence, LocalText } from '../diagnosis/schemas.ts';
import type { ComplaintTable, HistoryTable, IncidentTable, TicketTable } from '../store/schema.ts';
import type {
  Complaint,
  Incident,
  IncidentChange,
  IncidentLevel,
  IncidentOrigin,
  IncidentState,
  Ticket,
  TicketState,
} from './types.ts';

/** The desk's records to and from the store's rows (columns snake_case, times epoch ms). */

export function complaintValues(
  c: Complaint,
): Omit<ComplaintTable, 'idempotency_key' | 'request_hash' | 'answer'> {
  return {
    id: c.id,
    household: c.household,
    building: c.building,
    zone: c.zone,
    substation: c.substation,
    category: c.category,
    channel: c.channel,
    reported_at_ms: c.reportedAt,
    received_at_ms: c.receivedAt,
    reported_temp_c: c.reportedTempC,
    description: c.description,
    contact: c.contact,
    actor: c.actor,
    level: c.diagnosis.level,
    cause: c.diagnosis.cause,
    confidence: c.diagnosis.confidence,
    diagnosis: JSON.stringify(c.diagnosis),
    incident_id: c.incidentId,
  };
}

export function toComplaint(r: Selectable<ComplaintTable>): Complaint {
  return {
    id: r.id,
    household: r.household,
    building: r.building,
    zone: r.zone,
    substation: r.substation,
    category: r.category as Complaint['category'],
    channel: r.channel as Complaint['channel'],
    reportedAt: r.reported_at_ms,
    receivedAt: r.received_at_ms,
    reportedTempC: r.reported_temp_c,
    description: r.description,
    contact: r.contact,
    actor: r.actor,
    diagnosis: JSON.parse(r.diagnosis) as Diagnosis,
    incidentId: r.incident_id,
  };
}

interface IncidentSummary {
  text: LocalText;
  evidence: Evidence[];
  action: Action | null;
}

export function incidentValues(i: Incident): IncidentTable {
  const summary: IncidentSummary = { text: i.summary, evidence: i.evidence, action: i.action };
  return {
    id: i.id,
    fault_key: i.faultKey,
    level: i.level,
    cause: i.cause,
    place: i.place,
    substation: i.substation,
    building: i.building,
    zone: i.zone,
    state: i.state,
    origin: i.origin,
    opened_at_ms: i.openedAt,
    updated_at_ms: i.updatedAt,
    eta_ms: i.etaAt,
    summary: JSON.stringify(summary),
  };
}

export function toIncident(r: Selectable<IncidentTable>): Incident {
  const summary = JSON.parse(r.summary) as IncidentSummary;
  return {
    id: r.id,
    faultKey: r.fault_key,
    level: r.level as IncidentLevel,
    cause: r.cause as Cause,
    place: r.place,
    substation: r.substation,
    building: r.building,
    zone: r.zone,
    state: r.state as IncidentState,
    origin: r.origin as IncidentOrigin,
    openedAt: r.opened_at_ms,
    updatedAt: r.updated_at_ms,
    etaAt: r.eta_ms,
    summary: summary.text,
    evidence: summary.evidence,
    action: summary.action,
  };
}

type TicketCore = Pick<
  Selectable<TicketTable>,
  'id' | 'complaint_id' | 'state' | 'due_at_ms' | 'created_at_ms'
>;

/** A complaint's ticket (a crew's ticket, issue 11, has no complaint and is not read here). */
export const toTicket = (r: TicketCore): Ticket => ({
  id: r.id,
  complaintId: r.complaint_id ?? '',
  state: r.state as TicketState,
  dueAt: r.due_at_ms,
  createdAt: r.created_at_ms,
});

export const toChange = (r: Selectable<HistoryTable>): IncidentChange => ({
  at: r.at_ms,
  actor: r.actor,
  from: r.from_state as IncidentState | null,
  to: r.to_state as IncidentState,
  note: r.note,
});
