import type { StoredComplaint } from '../complaints/complaint-db.ts';
import type { IncidentDetail, IncidentSummary } from '../complaints/incidents.ts';
import type { Complaint, IntakeAnswer, Ticket } from '../complaints/types.ts';
import type { Diagnosis } from '../diagnosis/schemas.ts';
import type {
  ComplaintView,
  DiagnosisView,
  IncidentDetailView,
  IncidentView,
  IntakeAnswerView,
} from './schemas-complaints.ts';
import { iso, isoOrNull } from './views.ts';

/**
 * The desk's records as the API shows them: times in ISO. A resident's contact details
 * are personal data: shown to the roles that call residents back (service, dispatcher,
 * admin), left out for viewers and anonymous readers.
 */

export const diagnosisView = (d: Diagnosis): DiagnosisView => ({
  ...d,
  evidence: d.evidence.map((e) => ({ ...e, at: isoOrNull(e.at) })),
});

const ticketView = (t: Ticket | null) => t && { id: t.id, state: t.state, dueAt: iso(t.dueAt) };

export function complaintView(
  c: Complaint,
  ticket: Ticket | null,
  showContact: boolean,
): ComplaintView {
  const { contact, ...rest } = c;
  return {
    ...rest,
    ...(showContact ? { contact } : {}),
    reportedAt: iso(c.reportedAt),
    receivedAt: iso(c.receivedAt),
    diagnosis: diagnosisView(c.diagnosis),
    ticket: ticketView(ticket),
  };
}

export const storedView = (s: StoredComplaint, showContact: boolean) =>
  complaintView(s.complaint, s.ticket, showContact);

/** The intake's answer (only the roles that post complaints receive it: contact included). */
export function intakeView(a: IntakeAnswer): IntakeAnswerView {
  const { ticket, incident, ...complaint } = a;
  return {
    ...complaintView(complaint, ticket, true),
    incident: incident && { ...incident, etaAt: isoOrNull(incident.etaAt) },
  };
}

export function incidentView(i: IncidentSummary): IncidentView {
  return {
    ...i,
    openedAt: iso(i.openedAt),
    updatedAt: iso(i.updatedAt),
    etaAt: isoOrNull(i.etaAt),
    evidence: i.evidence.map((e) => ({ ...e, at: isoOrNull(e.at) })),
  };
}

export function incidentDetailView(i: IncidentDetail, showContact: boolean): IncidentDetailView {
  const { calls, history, ...summary } = i;
  return {
    ...incidentView(summary),
    calls: calls.map((c) => storedView(c, showContact)),
    history: history.map((h) => ({ ...h, at: iso(h.at) })),
  };
}
