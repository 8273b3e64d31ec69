import type { DeskDb } from '../complaints/desk-db.ts';
import type { Config } from '../config/schema.ts';
import { HeatnetError } from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import type { HeatnetEvents } from '../events.ts';
import { type TeamRates, teamRates } from '../service/ticket-rates.ts';
import { FINAL_TICKET_STATES, refuseMove } from '../service/ticket-rules.ts';
import { TICKET_STATES } from '../service/ticket-words.ts';
import { detailOf } from './clocks.ts';
import { histories, listTickets, moveTicket, type TicketFilter, ticketById } from './ticket-db.ts';
import type { TicketChange, TicketDetail, TicketPatch, WorkOrder } from './types.ts';

export interface TicketDeskDeps {
  config: Config;
  db: DeskDb;
  bus: EventBus<HeatnetEvents>;
  now: () => number;
  /** The household's room sensor now (latest fresh reading), null when there is none. */
  roomC: (household: string) => number | null;
}

export interface TicketQuery extends Omit<TicketFilter, 'states'> {
  state?: string | undefined;
  /** Only tickets with a breached clock now. */
  overdue?: boolean | undefined;
}

export interface Timeliness {
  from: number;
  to: number;
  targets: { timeliness: number; closure: number };
  teams: TeamRates[];
  overall: TeamRates;
}

/** The most tickets the overdue filter and the rates read at once. */
const SCAN_LIMIT = 100_000;

/** Work orders as staff see and move them (issue 11 §1): `GET/PATCH /api/tickets`. */
export class TicketDesk {
  constructor(private readonly deps: TicketDeskDeps) {}

  async list(q: TicketQuery): Promise<TicketDetail[]> {
    const { overdue, state, ...rest } = q;
    const states = state ? [state] : overdue ? openStates() : undefined;
    const limit = overdue ? SCAN_LIMIT : q.limit;
    const found = await this.deps.db.read('tickets', (d) =>
      listTickets(d, { ...rest, states, limit }),
    );
    const detailed = await this.detailed(found);
    if (!overdue) return detailed;
    return detailed.filter((t) => t.clocks.some((c) => c.status === 'breached')).slice(0, q.limit);
  }

  async get(id: string): Promise<TicketDetail> {
    const t = await this.deps.db.read('ticket', (d) => ticketById(d, id));
    if (!t) throw new HeatnetError('NOT_FOUND', `no ticket "${id}"`, { field: 'id' });
    const [detail] = await this.detailed([t]);
    return detail!;
  }

  /** A person (or the cold recheck) moves a ticket; refused moves name the allowed states. */
  async change(id: string, patch: TicketPatch, actor: string): Promise<TicketDetail> {
    const { db, bus, now, config } = this.deps;
    const moved = await db.write('ticket', async (trx) => {
      const t = await ticketById(trx, id);
      if (!t) throw new HeatnetError('NOT_FOUND', `no ticket "${id}"`, { field: 'id' });
      const roomC = t.household === null ? null : this.deps.roomC(t.household);
      const minC = config.standards.indoor.minC;
      const refusal = refuseMove({
        ...t,
        from: t.state,
        to: patch.to,
        reason: patch.reason,
        roomC,
        minC,
      });
      if (refusal) {
        const code = refusal.status === 'conflict' ? 'CONFLICT' : 'BAD_REQUEST';
        throw new HeatnetError(code, refusal.message, {
          field: refusal.field,
          allowed: refusal.allowed,
        });
      }
      const change = changeOf(t, patch, actor, now());
      const next: WorkOrder = {
        ...t,
        state: patch.to,
        team: patch.team ?? t.team,
        assignee: patch.assignee ?? t.assignee,
        updatedAt: change.at,
      };
      await moveTicket(trx, next, change);
      return { ticket: next, change };
    });
    bus.emit('ticket.changed', moved);
    return this.get(id);
  }

  /** Per team: repair timeliness and closure of the tickets opened in [from, to). */
  async timeliness(from: number, to: number): Promise<Timeliness> {
    const { sla } = this.deps.config.service;
    const found = await this.deps.db.read('tickets', (d) =>
      listTickets(d, { from, to, limit: SCAN_LIMIT }),
    );
    const targets = { timeliness: sla.timelinessTarget, closure: sla.closureTarget };
    return {
      from,
      to,
      targets,
      ...teamRates(
        (await this.detailed(found)).map((t) => ({ ticket: t, clocks: t.clocks })),
        targets,
      ),
    };
  }

  /** The tickets with their histories and clocks at the service's now. */
  async detailed(tickets: WorkOrder[]): Promise<TicketDetail[]> {
    const ids = tickets.map((t) => t.id);
    const all = await this.deps.db.read('history', (d) => histories(d, ids));
    const now = this.deps.now();
    return tickets.map((t) => detailOf(this.deps.config, t, all.get(t.id) ?? [], now));
  }
}

/** States in which a ticket still owes something. */
export const openStates = () => TICKET_STATES.filter((s) => !FINAL_TICKET_STATES.includes(s));

function changeOf(t: WorkOrder, p: TicketPatch, actor: string, at: number): TicketChange {
  return {
    at,
    actor,
    from: t.state,
    to: p.to,
    note: p.note?.trim() || null,
    reason: p.reason?.trim() || null,
    // What this move set; the ticket keeps its earlier assignee and team otherwise.
    assignee: p.assignee ?? null,
    team: p.team ?? null,
  };
}
