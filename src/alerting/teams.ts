import type { AlertPerson, AlertTeam, OnCallSchedule } from '../config/schema-alerts.ts';
import type { SeasonSpec } from '../service/ledger-calendar.ts';
import type { AlertLabels, Recipient } from './model.ts';
import type { EscalationTarget } from './rule-words.ts';
import { shiftAt } from './schedule.ts';

/**
 * Who answers for a place (the company gives every area a responsible person, seed 000):
 * a team that names the substation, else one that names its branch. And who a step of an
 * escalation chain reaches in that team at a moment.
 */
export interface Roster {
  people: readonly AlertPerson[];
  teams: readonly AlertTeam[];
  schedules: readonly OnCallSchedule[];
  dutyDispatcher?: string | undefined;
  timeZone: string;
  season: SeasonSpec;
}

export function teamFor(teams: readonly AlertTeam[], labels: AlertLabels): AlertTeam | undefined {
  const s = labels['substation'];
  const b = labels['branch'];
  return (
    (s ? teams.find((t) => t.substations.includes(s)) : undefined) ??
    (b ? teams.find((t) => t.branches.includes(b)) : undefined)
  );
}

function person(r: Roster, id: string | undefined): Recipient[] {
  const p = id ? r.people.find((x) => x.id === id) : undefined;
  if (!p) return [];
  return [
    {
      person: p.id,
      name: p.name,
      ...(p.phone ? { phone: p.phone } : {}),
      ...(p.email ? { email: p.email } : {}),
    },
  ];
}

/** Whoever a schedule puts on call at `t`. */
export function onCallOf(r: Roster, scheduleId: string | undefined, t: number): string | undefined {
  const s = scheduleId ? r.schedules.find((x) => x.id === scheduleId) : undefined;
  return s ? shiftAt(s, t, r.timeZone, r.season).person : undefined;
}

/** The people one escalation step reaches for a team (none when the roster lacks them). */
export function recipientsOf(
  r: Roster,
  team: AlertTeam | undefined,
  target: EscalationTarget,
  t: number,
): Recipient[] {
  if (target === 'duty-dispatcher') {
    const d = r.dutyDispatcher;
    return person(r, onCallOf(r, d, t) ?? d);
  }
  if (!team) return [];
  if (target === 'team-lead') return person(r, team.lead);
  return person(r, onCallOf(r, team.schedule, t) ?? team.lead);
}
