import type { SlaClock } from '../service/sla.ts';
import type { Timeliness } from '../tickets/desk.ts';
import type { TicketChange, TicketDetail } from '../tickets/types.ts';
import type { TicketDetailView, TicketView } from './schemas-tickets.ts';
import { iso, isoOrNull } from './views.ts';

/** Work orders as the API shows them (epoch ms → ISO). */

const clockView = (c: SlaClock) => ({
  name: c.name,
  regulatory: c.regulatory,
  targetMin: c.targetMin,
  status: c.status,
  startAt: isoOrNull(c.startAt),
  stopAt: isoOrNull(c.stopAt),
  breachAt: isoOrNull(c.breachAt),
  warnAt: c.warnAt.map(isoOrNull),
  pauses: c.pauses.map((p) => ({ from: iso(p.from), until: isoOrNull(p.until) })),
});

const changeView = (c: TicketChange) => ({ ...c, at: iso(c.at) });

export function ticketView(t: TicketDetail): TicketView {
  const { history: _history, clocks, dueAt, createdAt, updatedAt, ...rest } = t;
  return {
    ...rest,
    dueAt: iso(dueAt),
    createdAt: iso(createdAt),
    updatedAt: iso(updatedAt),
    clocks: clocks.map(clockView),
  };
}

export const ticketDetailView = (t: TicketDetail): TicketDetailView => ({
  ...ticketView(t),
  history: t.history.map(changeView),
});

export const timelinessView = (t: Timeliness) => ({ ...t, from: iso(t.from), to: iso(t.to) });
