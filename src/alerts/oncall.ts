import { nextHandovers, shiftAt } from '../alerting/schedule.ts';
import type { Roster } from '../alerting/teams.ts';

export interface OnCallPerson {
  id: string;
  name: string;
}

export interface TeamOnCall {
  team: string;
  name: string;
  branches: string[];
  substations: string[];
  lead: OnCallPerson | null;
  schedule: string | null;
  onCall: OnCallPerson | null;
  shift: { from: number; to: number; why: string } | null;
  next: { at: number; person: OnCallPerson | null; why: string }[];
}

export interface OnCallAnswer {
  at: number;
  timeZone: string;
  teams: TeamOnCall[];
  dutyDispatcher: { person: OnCallPerson | null; schedule: string | null };
}

/** Who is on call now for each team, and the next handovers (`GET /api/oncall`). */
export function onCallNow(r: Roster, now: number): OnCallAnswer {
  const who = (id: string | undefined): OnCallPerson | null => {
    const p = id ? r.people.find((x) => x.id === id) : undefined;
    return p ? { id: p.id, name: p.name } : null;
  };
  const teams = r.teams.map((t): TeamOnCall => {
    const s = t.schedule ? r.schedules.find((x) => x.id === t.schedule) : undefined;
    const shift = s ? shiftAt(s, now, r.timeZone, r.season) : null;
    const next = s ? nextHandovers(s, now, r.timeZone, r.season, 3) : [];
    return {
      team: t.id,
      name: t.name,
      branches: t.branches,
      substations: t.substations,
      lead: who(t.lead),
      schedule: s?.id ?? null,
      onCall: shift ? who(shift.person) : who(t.lead),
      shift: shift && { from: shift.from, to: shift.to, why: shift.why },
      next: next.map((n) => ({ at: n.from, person: who(n.person), why: n.why })),
    };
  });
  const d = r.dutyDispatcher;
  const ds = d ? r.schedules.find((x) => x.id === d) : undefined;
  const dispatcher = ds ? shiftAt(ds, now, r.timeZone, r.season).person : d;
  return {
    at: now,
    timeZone: r.timeZone,
    teams,
    dutyDispatcher: { person: who(dispatcher), schedule: ds?.id ?? null },
  };
}
