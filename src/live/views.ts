import { iso } from '../api/views.ts';
import { complaintView, incidentView } from '../api/views-complaints.ts';
import type { Incident, IncidentChange, IntakeAnswer } from '../complaints/types.ts';
import type { Config } from '../config/schema.ts';
import type { ClearedAlert, RaisedAlert } from '../core/alerts.ts';
import type { HeatnetEvents } from '../events.ts';
import type { TicketChange, WorkOrder } from '../tickets/types.ts';
import type {
  ActiveAlertView,
  AlertEvent,
  ComplaintEvent,
  DeviceEvent,
  IncidentEvent,
  SiteView,
  TicketEvent,
} from './events-contract.ts';

/** The stream's payloads from the bus's records: epoch ms → ISO, personal data left out. */

export function siteView(config: Config, now: number, clockRate: number): SiteView {
  const { site, standards } = config;
  return {
    name: site.name,
    timezone: site.timezone,
    heatingSeason: { start: site.heatingSeason.start, end: site.heatingSeason.end },
    standards: { ...standards.indoor, complianceTarget: standards.complianceTarget },
    clock: { now: iso(now), rate: clockRate },
  };
}

export const activeAlertView = (a: RaisedAlert): ActiveAlertView => ({
  source: a.source,
  code: a.code,
  severity: a.severity,
  message: a.message,
  at: iso(a.at),
});

export const raisedEvent = (a: RaisedAlert): AlertEvent => ({
  kind: 'raised',
  alert: activeAlertView(a),
});

export const clearedEvent = (c: ClearedAlert): AlertEvent => ({
  kind: 'cleared',
  alert: { source: c.source, code: c.code, at: iso(c.at) },
});

export function ticketEvent(e: { ticket: WorkOrder; change: TicketChange }): TicketEvent {
  const { dueAt, createdAt, updatedAt, ...rest } = e.ticket;
  return {
    ticket: { ...rest, dueAt: iso(dueAt), createdAt: iso(createdAt), updatedAt: iso(updatedAt) },
    change: { ...e.change, at: iso(e.change.at) },
  };
}

/** Anyone who may read the stream sees it, so the resident's contact stays out. */
export function complaintEvent(a: IntakeAnswer): ComplaintEvent {
  const { ticket, incident: _incident, ...complaint } = a;
  const { contact: _contact, ...view } = complaintView(complaint, ticket, false);
  return view;
}

export function incidentEvent(
  kind: IncidentEvent['kind'],
  e: { incident: Incident; change: IncidentChange },
): IncidentEvent {
  const {
    complaints: _c,
    affectedHouseholds: _a,
    ...incident
  } = incidentView({
    ...e.incident,
    complaints: 0,
    affectedHouseholds: 0,
  });
  return { kind, incident, change: { ...e.change, at: iso(e.change.at) } };
}

export const deviceEvent = (e: HeatnetEvents['device.state']): DeviceEvent => ({
  ...e,
  at: iso(e.at),
});
