import type { DeskDb } from '../complaints/desk-db.ts';
import { newId } from '../complaints/ids.ts';
import type { Incident, IncidentChange } from '../complaints/types.ts';
import type { Config } from '../config/schema.ts';
import type { EventBus } from '../core/events.ts';
import { nextTurn } from '../core/slices.ts';
import type { HeatnetEvents } from '../events.ts';
import { FINAL_TICKET_STATES } from '../service/ticket-rules.ts';
import type { TicketState } from '../service/ticket-words.ts';
import { crewTicketOf, insertCrewTicket, moveTicket, ticketById } from './ticket-db.ts';
import type { TicketChange, WorkOrder } from './types.ts';

/** Who the desk's own moves are recorded as. */
export const SYSTEM_ACTOR = 'heatnet';

/**
 * One ticket per incident for the crew (issue 11 §1): opened when the incident opens,
 * closed when it closes and cancelled when it turns out not to be a fault. These two
 * follow the incident (a person closed or invalidated it) rather than the ticket's own
 * line, and say so in the history.
 */
export class CrewTickets {
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: {
      config: Config;
      db: DeskDb;
      bus: EventBus<HeatnetEvents>;
    },
  ) {}

  /**
   * One crew write at a time, with a turn of the event loop before each: a sweep that
   * opens a hundred incidents at once must not queue a hundred transactions on the
   * store's connection ahead of a resident's call (issue 10's intake latency).
   */
  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const next = this.turn.then(nextTurn).then(work);
    this.turn = next.catch(() => undefined);
    return next;
  }

  opened(incident: Incident, change: IncidentChange): Promise<void> {
    return this.inTurn(() => this.open(incident, change));
  }

  changed(incident: Incident, change: IncidentChange): Promise<void> {
    return this.inTurn(() => this.follow(incident, change));
  }

  private async open(incident: Incident, change: IncidentChange): Promise<void> {
    const { config, db, bus } = this.deps;
    const at = change.at;
    const made = await db.write('crew-ticket', async (trx) => {
      if (await crewTicketOf(trx, incident.id)) return undefined;
      const id = newId('T', at, config.site.timezone);
      const dueAt = at + config.standards.slaMinutes.generalFaultFix * 60_000;
      await insertCrewTicket(trx, { id, incidentId: incident.id, dueAt, at, actor: SYSTEM_ACTOR });
      return ticketById(trx, id);
    });
    if (made) bus.emit('ticket.changed', { ticket: made, change: firstChange(made) });
  }

  private async follow(incident: Incident, change: IncidentChange): Promise<void> {
    const to: TicketState | null =
      change.to === 'closed' ? 'closed' : change.to === 'invalid' ? 'cancelled' : null;
    if (to === null) return;
    const { db, bus } = this.deps;
    const moved = await db.write('crew-ticket', async (trx) => {
      const t = await crewTicketOf(trx, incident.id);
      if (!t || FINAL_TICKET_STATES.includes(t.state)) return undefined;
      const c: TicketChange = {
        at: change.at,
        actor: SYSTEM_ACTOR,
        from: t.state,
        to,
        note: `the incident ${incident.id} became ${change.to} (by ${change.actor})`,
        reason: change.note,
        assignee: null,
        team: null,
      };
      const next: WorkOrder = { ...t, state: to, updatedAt: c.at };
      await moveTicket(trx, next, c);
      return { ticket: next, change: c };
    });
    if (moved) bus.emit('ticket.changed', moved);
  }
}

const firstChange = (t: WorkOrder): TicketChange => ({
  at: t.createdAt,
  actor: SYSTEM_ACTOR,
  from: null,
  to: t.state,
  note: `crew ticket for incident ${t.incidentId}`,
  reason: null,
  assignee: null,
  team: null,
});
