import type { Kysely, Selectable } from 'kysely';
import { FINAL_TICKET_STATES } from '../service/ticket-rules.ts';
import type { TicketKind, TicketState } from '../service/ticket-words.ts';
import type { Database, TicketHistoryTable } from '../store/schema.ts';
import type { TicketChange, WorkOrder } from './types.ts';

/** Work-order rows (queries only; the caller owns the transaction). */

type Db = Kysely<Database>;

const FIELDS = [
  'tickets.id',
  'tickets.kind',
  'tickets.state',
  'tickets.complaint_id',
  'tickets.incident_id',
  'tickets.team',
  'tickets.assignee',
  'tickets.due_at_ms',
  'tickets.created_at_ms',
  'tickets.updated_at_ms',
  'complaints.category',
  'complaints.household',
  'complaints.substation as c_substation',
  'incidents.substation as i_substation',
] as const;

function base(db: Db) {
  return db
    .selectFrom('tickets')
    .leftJoin('complaints', 'complaints.id', 'tickets.complaint_id')
    .leftJoin('incidents', 'incidents.id', 'tickets.incident_id')
    .select(FIELDS);
}

type Row = Awaited<ReturnType<ReturnType<typeof base>['executeTakeFirstOrThrow']>>;

function toWorkOrder(r: Row): WorkOrder {
  return {
    id: r.id,
    kind: r.kind as TicketKind,
    state: r.state as TicketState,
    complaintId: r.complaint_id,
    incidentId: r.incident_id,
    category: r.category,
    household: r.household,
    substation: r.c_substation ?? r.i_substation,
    team: r.team,
    assignee: r.assignee,
    dueAt: r.due_at_ms,
    createdAt: r.created_at_ms,
    updatedAt: r.updated_at_ms ?? r.created_at_ms,
  };
}

export const toChange = (r: Selectable<TicketHistoryTable>): TicketChange => ({
  at: r.at_ms,
  actor: r.actor,
  from: r.from_state as TicketState | null,
  to: r.to_state as TicketState,
  note: r.note,
  reason: r.reason,
  assignee: r.assignee,
  team: r.team,
});

export async function ticketById(db: Db, id: string): Promise<WorkOrder | undefined> {
  const row = await base(db).where('tickets.id', '=', id).executeTakeFirst();
  return row ? toWorkOrder(row) : undefined;
}

export interface TicketFilter {
  states?: readonly string[] | undefined;
  kind?: string | undefined;
  team?: string | undefined;
  assignee?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  limit: number;
}

/** Newest first. */
export async function listTickets(db: Db, f: TicketFilter): Promise<WorkOrder[]> {
  let q = base(db);
  if (f.states) q = q.where('tickets.state', 'in', [...f.states]);
  if (f.kind) q = q.where('tickets.kind', '=', f.kind);
  if (f.team) q = q.where('tickets.team', '=', f.team);
  if (f.assignee) q = q.where('tickets.assignee', '=', f.assignee);
  if (f.from !== undefined) q = q.where('tickets.created_at_ms', '>=', f.from);
  if (f.to !== undefined) q = q.where('tickets.created_at_ms', '<', f.to);
  const rows = await q
    .orderBy('tickets.created_at_ms', 'desc')
    .orderBy('tickets.id', 'desc')
    .limit(f.limit)
    .execute();
  return rows.map(toWorkOrder);
}

/** The histories of several tickets, each in the order it was written. */
export async function histories(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, TicketChange[]>> {
  const out = new Map<string, TicketChange[]>(ids.map((id) => [id, []]));
  for (const part of chunks(ids)) {
    const rows = await db
      .selectFrom('ticket_history')
      .selectAll()
      .where('ticket_id', 'in', part)
      .orderBy('id')
      .execute();
    for (const r of rows) out.get(r.ticket_id)?.push(toChange(r));
  }
  return out;
}

/** Appends the move and updates the ticket's current state (one transaction, the caller's). */
export async function moveTicket(db: Db, t: WorkOrder, c: TicketChange): Promise<void> {
  await db
    .updateTable('tickets')
    .set({
      state: c.to,
      team: t.team,
      assignee: t.assignee,
      updated_at_ms: c.at,
      // A move can start, stop, pause or resume clocks: the watch looks again at once.
      sla_check_at_ms: FINAL_TICKET_STATES.includes(c.to) ? null : c.at,
    })
    .where('id', '=', t.id)
    .execute();
  await db
    .insertInto('ticket_history')
    .values({
      ticket_id: t.id,
      at_ms: c.at,
      actor: c.actor,
      from_state: c.from,
      to_state: c.to,
      note: c.note,
      reason: c.reason,
      assignee: c.assignee,
      team: c.team,
    })
    .execute();
}

/** A crew's ticket for an incident, with its first history row. */
export async function insertCrewTicket(
  db: Db,
  t: { id: string; incidentId: string; dueAt: number; at: number; actor: string },
): Promise<void> {
  await db
    .insertInto('tickets')
    .values({
      id: t.id,
      complaint_id: null,
      kind: 'incident',
      incident_id: t.incidentId,
      state: 'received',
      due_at_ms: t.dueAt,
      created_at_ms: t.at,
      updated_at_ms: t.at,
      sla_check_at_ms: t.at,
      team: null,
      assignee: null,
    })
    .execute();
  await db
    .insertInto('ticket_history')
    .values({
      ticket_id: t.id,
      at_ms: t.at,
      actor: t.actor,
      from_state: null,
      to_state: 'received',
      note: `crew ticket for incident ${t.incidentId}`,
      reason: null,
      assignee: null,
      team: null,
    })
    .execute();
}

export async function crewTicketOf(db: Db, incidentId: string): Promise<WorkOrder | undefined> {
  const row = await base(db)
    .where('tickets.incident_id', '=', incidentId)
    .where('tickets.kind', '=', 'incident')
    .executeTakeFirst();
  return row ? toWorkOrder(row) : undefined;
}

/** Open tickets whose SLA check time has come, the longest waiting first. */
export async function dueForSla(
  db: Db,
  f: { states: readonly TicketState[]; at: number; limit: number },
): Promise<WorkOrder[]> {
  const rows = await base(db)
    .where('tickets.sla_check_at_ms', '<=', f.at)
    .where('tickets.state', 'in', [...f.states])
    .orderBy('tickets.sla_check_at_ms')
    .orderBy('tickets.id')
    .limit(f.limit)
    .execute();
  return rows.map(toWorkOrder);
}

/**
 * A page of tickets the cold recheck may reopen, in id order after `afterId`: closed ones
 * only if they closed since `closedSince` (they were resolved before they closed, so an
 * older close is past the recheck's window), not every closed ticket of the season.
 */
export async function recheckPage(
  db: Db,
  f: { states: readonly TicketState[]; closedSince: number; afterId: string; limit: number },
): Promise<WorkOrder[]> {
  const rows = await base(db)
    .where('tickets.state', 'in', [...f.states])
    .where((eb) =>
      eb.or([
        eb('tickets.state', '!=', 'closed'),
        eb('tickets.updated_at_ms', '>=', f.closedSince),
      ]),
    )
    .where('tickets.id', '>', f.afterId)
    .orderBy('tickets.id')
    .limit(f.limit)
    .execute();
  return rows.map(toWorkOrder);
}

/** When the watch next looks at a ticket's clocks (null: not until it moves). */
export async function setSlaCheck(db: Db, id: string, at: number | null): Promise<void> {
  await db.updateTable('tickets').set({ sla_check_at_ms: at }).where('id', '=', id).execute();
}

/** Every ticket in these states due now: at start, as clocks' rules may have changed. */
export async function markDueForSla(
  db: Db,
  states: readonly TicketState[],
  at: number,
): Promise<void> {
  await db
    .updateTable('tickets')
    .set({ sla_check_at_ms: at })
    .where('state', 'in', [...states])
    .execute();
}

/** Records a signal as sent; false when it already was (the primary key refuses a second). */
export async function claimSignal(
  db: Db,
  s: { ticketId: string; signal: string; at: number; sentAt: number },
): Promise<boolean> {
  const r = await db
    .insertInto('sla_signals')
    .values({ ticket_id: s.ticketId, signal: s.signal, at_ms: s.at, sent_at_ms: s.sentAt })
    .onConflict((oc) => oc.columns(['ticket_id', 'signal']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** The signals already sent for these tickets, as `ticketId signal` keys. */
export async function sentSignals(db: Db, ids: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks(ids)) {
    const rows = await db
      .selectFrom('sla_signals')
      .select(['ticket_id', 'signal'])
      .where('ticket_id', 'in', part)
      .execute();
    for (const r of rows) out.add(`${r.ticket_id} ${r.signal}`);
  }
  return out;
}

/** Both engines cap a statement's parameters (SQLite 32766, PostgreSQL 65535). */
function chunks(ids: readonly string[], size = 1000): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}
