import type { SlaClock } from './sla.ts';
import type { TicketState } from './ticket-words.ts';

/** What the rates read of a ticket. */
export interface RatedTicket {
  ticket: { team: string | null; state: TicketState };
  clocks: readonly SlaClock[];
}

/** One team's figures over a period (issue 11 §2: repair timeliness ≥ 99 %, closure 100 %). */
export interface TeamRates {
  team: string;
  tickets: number;
  /** Tickets with a clock that has come due or stopped: the ones timeliness can judge. */
  judged: number;
  timely: number;
  /** timely / judged; null when nothing could be judged. */
  timeliness: number | null;
  /** Tickets that ought to close (not cancelled, not duplicates). */
  closable: number;
  closed: number;
  closure: number | null;
  meetsTimeliness: boolean | null;
  meetsClosure: boolean | null;
}

export interface Targets {
  timeliness: number;
  closure: number;
}

/** Tickets without a team are counted as this one. */
export const NO_TEAM = '(unassigned)';

/** Per team and over all: a ticket is timely when no clock of it was missed or is breached. */
export function teamRates(
  tickets: readonly RatedTicket[],
  targets: Targets,
): { teams: TeamRates[]; overall: TeamRates } {
  const byTeam = new Map<string, typeof tickets>();
  for (const t of tickets) {
    const team = t.ticket.team ?? NO_TEAM;
    byTeam.set(team, [...(byTeam.get(team) ?? []), t]);
  }
  const teams = [...byTeam.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([team, list]) => ratesOf(team, list, targets));
  return { teams, overall: ratesOf('all', tickets, targets) };
}

function ratesOf(team: string, list: readonly RatedTicket[], targets: Targets): TeamRates {
  let judged = 0;
  let timely = 0;
  let closable = 0;
  let closed = 0;
  for (const { ticket, clocks } of list) {
    const decided = clocks.filter((c) => ['met', 'missed', 'breached'].includes(c.status));
    if (decided.length > 0) {
      judged++;
      if (decided.every((c) => c.status === 'met')) timely++;
    }
    if (ticket.state !== 'cancelled' && ticket.state !== 'duplicate') closable++;
    if (ticket.state === 'closed') closed++;
  }
  const timeliness = judged === 0 ? null : timely / judged;
  const closure = closable === 0 ? null : closed / closable;
  return {
    team,
    tickets: list.length,
    judged,
    timely,
    timeliness,
    closable,
    closed,
    closure,
    meetsTimeliness: timeliness === null ? null : timeliness >= targets.timeliness,
    meetsClosure: closure === null ? null : closure >= targets.closure,
  };
}
