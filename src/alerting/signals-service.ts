import type { BalanceResult } from '../balance/types.ts';
import type { Condition } from './conditions.ts';
import type { AlertRecord } from './model.ts';
import type { RuleId } from './rule-words.ts';
import { ruleText } from './texts.ts';

/**
 * Conditions from the balancing engine, the service desk and the ledger's heat stops
 * (issue 12 item 2). Pure: the evaluator passes the events and the time in.
 */

/**
 * Per substation and evaluation: an anomaly (pump fault or stop, leak, restriction, heat
 * exchanger), far-end underheating and a cold share above 1 − complianceTarget. Every
 * station says true or false each time, so a condition that went away is seen to.
 * `keep` chooses which to build (most of 15,000 per evaluation at 5,000 stations say
 * "still clear" and would be dropped unread, issue 10); it is asked once per rule and
 * station, in order.
 */
export function balanceConditions(
  result: BalanceResult,
  complianceTarget: number,
  keep: KeepCondition = () => true,
): Condition[] {
  const at = result.evaluatedAt;
  const out: Condition[] = [];
  const maxCold = 1 - complianceTarget;
  for (const s of result.substations) {
    const place = { substation: s.id, branch: s.branch };
    const anomaly = s.anomaly ?? null;
    if (keep('balance-anomaly', s.id, anomaly !== null)) {
      const detail = anomaly ? `${anomaly.cause} — ${anomaly.evidence.join('; ')}` : '';
      out.push({ rule: 'balance-anomaly', place, active: anomaly !== null, at, detail });
    }
    const far = s.flag === 'far-end-underheating';
    if (keep('far-end-underheating', s.id, far)) {
      out.push({ rule: 'far-end-underheating', place, active: far, at, detail: '' });
    }
    const cold = s.coldShare !== null && s.coldShare > maxCold;
    if (keep('cold-share', s.id, cold)) {
      const detail = s.coldShare === null ? '' : `cold share ${(s.coldShare * 100).toFixed(1)} %`;
      out.push({ rule: 'cold-share', place, active: cold, at, detail });
    }
  }
  return out;
}

/** Whether a station's balance condition is worth building and passing on. */
export type KeepCondition = (rule: RuleId, substation: string, active: boolean) => boolean;

export interface IncidentReport {
  id: string;
  substation: string;
  building: string | null;
  state: string;
  etaAt: number | null;
  summary: { en: string; zh: string };
}

const ACTIVE_INCIDENT = new Set(['suspected', 'confirmed', 'restoring']);

function incidentPlace(i: IncidentReport) {
  return {
    incident: i.id,
    substation: i.substation,
    ...(i.building ? { building: i.building } : {}),
  };
}

/** Open while the incident is being dealt with; its own summary is the description. */
export function incidentCondition(i: IncidentReport, at: number): Condition {
  const place = incidentPlace(i);
  return {
    rule: 'incident-opened',
    place,
    active: ACTIVE_INCIDENT.has(i.state),
    at,
    detail: i.summary.en,
    text: { summary: ruleText('incident-opened', place, '').summary, description: i.summary },
    incidentId: i.id,
  };
}

/** The ETA passed and the heat is not back (restored or later ends it). */
export function etaCondition(i: IncidentReport, now: number): Condition {
  const place = incidentPlace(i);
  const missed = ACTIVE_INCIDENT.has(i.state) && i.etaAt !== null && now > i.etaAt;
  return {
    rule: 'incident-eta-missed',
    place,
    active: missed,
    at: missed && i.etaAt !== null ? i.etaAt : now,
    detail: '',
    incidentId: i.id,
  };
}

export interface SlaReport {
  ticket: string;
  substation: string | null;
  incidentId: string | null;
  clock: string;
  kind: 'warning' | 'breach';
  at: number;
}

export function slaCondition(r: SlaReport, active: boolean): Condition {
  const rule = r.kind === 'breach' ? 'sla-breached' : 'sla-warning';
  const place = {
    ticket: r.ticket,
    clock: r.clock,
    ...(r.substation ? { substation: r.substation } : {}),
  };
  return {
    rule,
    place,
    active,
    at: r.at,
    detail: r.clock,
    ...(r.incidentId ? { incidentId: r.incidentId } : {}),
  };
}

/** A ticket in one of these states no longer needs its SLA alerts. */
export const TICKET_DONE = new Set([
  'resolved',
  'reported',
  'called-back',
  'closed',
  'cancelled',
  'duplicate',
]);

export interface StopReport {
  level: string;
  place: string;
  substation: string | null;
  fromMs: number;
}

/**
 * A heat stop, open since `fromMs`: the rule's `for` (12 h by default) counts from the
 * stop's start, so a restart in between does not restart the count.
 */
export function stopCondition(s: StopReport, active: boolean, now: number): Condition {
  const place = {
    [s.level]: s.place,
    ...(s.substation && s.level !== 'substation' ? { substation: s.substation } : {}),
  };
  return {
    rule: 'heat-stopped',
    place,
    active,
    at: active ? s.fromMs : now,
    detail: '',
  };
}

/** Labels the runtime adds to a place; what is left is the place itself. */
const ADDED = new Set(['alertname', 'severity', 'branch', 'team']);

/** A stored alert's condition, as the rules resume it after a restart. */
export function asCondition(a: AlertRecord): Condition {
  const place = Object.fromEntries(Object.entries(a.labels).filter(([k]) => !ADDED.has(k)));
  return {
    rule: a.rule as RuleId,
    place,
    active: true,
    at: a.startsAt,
    detail: '',
    text: { summary: a.summary, description: a.description },
    severity: a.severity,
    ...(a.incidentId ? { incidentId: a.incidentId } : {}),
  };
}
