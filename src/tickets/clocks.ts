import type { Config } from '../config/schema.ts';
import { type ClockRules, nextSignalAt, type SlaClock, slaClocks } from '../service/sla.ts';
import type { SlaClockName } from '../service/sla-words.ts';
import type { TicketChange, TicketDetail, WorkOrder } from './types.ts';

/** The clock rules from `standards.slaMinutes` and `service.sla` (issue 11 §2). */
export function clockRules(config: Config): ClockRules {
  const m = config.standards.slaMinutes;
  const sla = config.service.sla;
  return {
    minutes: {
      'emergency-arrival': m.emergencyArrival,
      'no-heat-response': m.noHeatResponse,
      'general-fault-fix': m.generalFaultFix,
      'indoor-facility-fix': m.indoorFacilityFix,
      handling: m.complaintHandling,
      report: m.feedback,
      'call-back': sla.callBackMin,
    },
    regulatory: sla.regulatory,
    pauseIn: sla.pauseIn,
    warnAt: sla.warnAt,
  };
}

/** Which clocks a ticket runs: by its complaint's category, or the crew's set. */
export function clockNames(
  config: Config,
  t: Pick<WorkOrder, 'kind' | 'category'>,
): SlaClockName[] {
  const byKind = config.service.sla.clocks;
  if (t.kind === 'incident') return byKind.incident;
  const key = (t.category ?? 'other') as keyof typeof byKind;
  return byKind[key] ?? byKind.other;
}

/** The ticket's clocks at `now`, from its history. */
export function clocksOf(
  config: Config,
  t: Pick<WorkOrder, 'kind' | 'category'>,
  history: readonly TicketChange[],
  now: number,
): SlaClock[] {
  return slaClocks(clockNames(config, t), history, clockRules(config), now);
}

/**
 * When the SLA watch first has to look at a ticket that has just opened with `opened`: its
 * first warning or breach (a signal due at the very instant included; null while no clock
 * runs). Set at creation, so the watch does not visit every new ticket on its next check
 * only to learn this (issue 10: 50 calls a second are 3,000 new tickets a minute).
 */
export function firstSlaCheck(
  config: Config,
  t: Pick<WorkOrder, 'kind' | 'category'>,
  opened: TicketChange,
): number | null {
  return nextSignalAt(clocksOf(config, t, [opened], opened.at), opened.at - 1);
}

/** The ticket with its history and its clocks at `now`, as staff and the SLA watch see it. */
export function detailOf(
  config: Config,
  t: WorkOrder,
  history: TicketChange[],
  now: number,
): TicketDetail {
  return { ...t, history, clocks: clocksOf(config, t, history, now) };
}
