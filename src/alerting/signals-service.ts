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
 */
export function balanceConditions(result: BalanceResult, complianceTarget: number): Condition[] {
  const at = result.evaluatedAt;
  const out: Condition[] = [];
  const maxCold = 1 - complianceTarget;
  for (const s of result.substations) {
    const place = { substation: s.id, branch: s.branch };
    const cause = s.anomaly?.cause ?? '';
    const evidence = s.anomaly ? `${cause} — ${s.anomaly.evidence.join('; ')}` : '';
    out.push({
      rule: 'balance-anomaly',
      place,
      active: s.anomaly !== null && s.anomaly !== undefined,
      at,
      ...ruleText('balance-anomaly', place, evidence),
    });
    const far = s.flag === 'far-end-underheating';
    out.push({
      rule: 'far-end-underheating',
      place,
      active: far,
      at,
      ...ruleText('far-end-underheating', place, ''),
    });
    const cold = s.coldShare !== null && s.coldShare > maxCold;
    const share = s.coldShare === null ? '' : `cold share ${(s.coldShare * 100).toFixed(1)} %`;
    out.push({
      rule: 'cold-share',
      place,
      active: cold,
      at,
      ...ruleText('cold-share', place, share),
    });
  }
  return out;
}

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
    ...ruleText('incident-opened', place, i.summary.en),
    description: i.summary,
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
    ...ruleText('incident-eta-missed', place, ''),
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
    ...ruleText(rule, place, r.clock),
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
    ...ruleText('heat-stopped', place, ''),
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
    summary: a.summary,
    description: a.description,
    severity: a.severity,
    ...(a.incidentId ? { incidentId: a.incidentId } : {}),
  };
}
