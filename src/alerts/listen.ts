import type { Condition } from '../alerting/conditions.ts';
import type { RuleId } from '../alerting/rule-words.ts';
import {
  darkCondition,
  deviceCondition,
  sinkCondition,
  substationDark,
} from '../alerting/signals.ts';
import {
  balanceConditions,
  type IncidentReport,
  incidentCondition,
  type KeepCondition,
  slaCondition,
  TICKET_DONE,
} from '../alerting/signals-service.ts';
import type { Config } from '../config/schema.ts';
import type { EventBus } from '../core/events.ts';
import type { HeatnetEvents } from '../events.ts';

/** Where the listeners put conditions and incidents (the runtime, which queues them). */
export interface ConditionSink {
  conditions(list: Condition[]): void;
  incident(i: IncidentReport): void;
  /** The ticket needs no SLA alerts any more (resolved, closed, cancelled …). */
  ticketDone(ticket: string, at: number): void;
}

/**
 * The bus events that become rule conditions (issue 12 item 2): device states (and the
 * darkness of their substation), what components raise through the alert sink, balance
 * evaluations, incidents and SLA signals. Returns the unsubscribers.
 */
export function listen(bus: EventBus<HeatnetEvents>, config: Config, sink: ConditionSink) {
  const kinds = new Map(config.ingest.modbus.devices.map((d) => [d.id, d.kind as string]));
  const devices = new Map<string, Map<string, string>>();
  const changes = new BalanceChanges();
  const counts = new Map<string, number>();
  for (const d of config.ingest.modbus.devices)
    counts.set(d.substation, (counts.get(d.substation) ?? 0) + 1);
  const offs = [
    bus.on('device.state', 'alerts', (e) => {
      const states = devices.get(e.substation) ?? new Map<string, string>();
      states.set(e.device, e.state);
      devices.set(e.substation, states);
      const all = [...states].map(([id, state]) => ({ kind: kinds.get(id) ?? 'other', state }));
      // Dark once every device reported down, or as soon as the PLC has.
      const known = counts.get(e.substation) ?? 0;
      const dark = known > 0 && substationDark(all) && (states.size >= known || plcDown(all));
      sink.conditions([deviceCondition(e), darkCondition(e.substation, dark, e.at)]);
    }),
    bus.on('alert.raise', 'alerts', (e) => onSink(sink, sinkCondition(e, true))),
    bus.on('alert.clear', 'alerts', (e) => onSink(sink, sinkCondition(e, false))),
    bus.on('balance.evaluated', 'alerts', (r) => {
      const picked = balanceConditions(r, config.standards.complianceTarget, changes.keep);
      changes.evaluated();
      sink.conditions(picked);
    }),
    bus.on('incident.opened', 'alerts', (e) => onIncident(sink, e.incident, e.change.at)),
    bus.on('incident.changed', 'alerts', (e) => onIncident(sink, e.incident, e.change.at)),
    ...slaListeners(bus, sink),
  ];
  return () => {
    for (const off of offs) off();
  };
}

const plcDown = (all: { kind: string; state: string }[]) =>
  all.some((d) => d.kind === 'substation') &&
  all.filter((d) => d.kind === 'substation').every((d) => d.state === 'down');

function onSink(sink: ConditionSink, c: Condition | null): void {
  if (c) sink.conditions([c]);
}

function onIncident(sink: ConditionSink, incident: IncidentReport, at: number): void {
  sink.incident(incident);
  sink.conditions([incidentCondition(incident, at)]);
}

function slaListeners(bus: EventBus<HeatnetEvents>, sink: ConditionSink) {
  const report = (e: HeatnetEvents['sla.warning'], kind: 'warning' | 'breach') => ({
    ticket: e.ticket.id,
    substation: e.ticket.substation,
    incidentId: e.ticket.incidentId,
    clock: e.signal.clock,
    kind,
    at: e.signal.at,
  });
  return [
    bus.on('sla.warning', 'alerts', (e) =>
      sink.conditions([slaCondition(report(e, 'warning'), true)]),
    ),
    bus.on('sla.breached', 'alerts', (e) =>
      sink.conditions([slaCondition(report(e, 'breach'), true)]),
    ),
    bus.on('ticket.changed', 'alerts', (e) => {
      if (TICKET_DONE.has(e.ticket.state)) sink.ticketDone(e.ticket.id, e.change.at);
    }),
  ];
}

/**
 * The balance conditions worth queueing: those active now and those active at the last
 * evaluation (their clearing). The rest (most of 15,000 per evaluation: three rules per
 * station) would reach the evaluator only to be dropped unread, after waiting in the queue
 * long enough to be promoted to the old generation, so they are not even built (issue 10).
 * The first evaluation after a start passes everything, so alerts resumed from the store
 * see their conditions clear. A balance condition's place is its station.
 */
export class BalanceChanges {
  private activeBefore: Map<RuleId, Set<string>> | undefined;
  private activeNow = new Map<RuleId, Set<string>>();

  /** Asked per rule and station during an evaluation (see balanceConditions). */
  readonly keep: KeepCondition = (rule, substation, active) => {
    if (active) setOf(this.activeNow, rule).add(substation);
    const before = this.activeBefore;
    return active || before === undefined || before.get(rule)?.has(substation) === true;
  };

  /** The evaluation's conditions are all asked about: the next compares with it. */
  evaluated(): void {
    this.activeBefore = this.activeNow;
    this.activeNow = new Map();
  }
}

function setOf(sets: Map<RuleId, Set<string>>, rule: RuleId): Set<string> {
  const set = sets.get(rule) ?? new Set<string>();
  sets.set(rule, set);
  return set;
}
