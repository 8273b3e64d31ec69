import type { Kysely, Selectable } from 'kysely';
import type { ComplaintTable, Database } from '../store/schema.ts';
import type { TicketChange } from '../tickets/types.ts';
import { complaintValues, toComplaint, toTicket } from './rows.ts';
import type { Complaint, Ticket } from './types.ts';

/** Complaint and ticket rows (queries only). */

type Db = Kysely<Database>;

export interface StoredComplaint {
  complaint: Complaint;
  ticket: Ticket | null;
}

export async function complaintByKey(
  db: Db,
  key: string,
): Promise<Selectable<ComplaintTable> | undefined> {
  return db
    .selectFrom('complaints')
    .selectAll()
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

export interface NewComplaint {
  complaint: Complaint;
  ticket: Ticket;
  idempotencyKey: string | null;
  requestHash: string | null;
  /** The answer as JSON, replayed for a retry. */
  answer: string;
  /** The ticket's first history row: its clocks start from it. */
  opened: TicketChange;
  /** When the SLA watch first has to look at the ticket (tickets/clocks.ts firstSlaCheck). */
  slaCheckAt: number | null;
}

/** The complaint, its ticket and the ticket's first history row (in the caller's transaction). */
export async function insertComplaint(db: Db, n: NewComplaint): Promise<void> {
  await db
    .insertInto('complaints')
    .values({
      ...complaintValues(n.complaint),
      idempotency_key: n.idempotencyKey,
      request_hash: n.requestHash,
      answer: n.answer,
    })
    .execute();
  const t = n.ticket;
  await db
    .insertInto('tickets')
    .values({
      id: t.id,
      complaint_id: t.complaintId,
      state: t.state,
      due_at_ms: t.dueAt,
      created_at_ms: t.createdAt,
      sla_check_at_ms: n.slaCheckAt,
    })
    .execute();
  await db
    .insertInto('ticket_history')
    .values({
      ticket_id: t.id,
      at_ms: n.opened.at,
      actor: n.opened.actor,
      from_state: n.opened.from,
      to_state: n.opened.to,
      note: n.opened.note,
    })
    .execute();
}

/** Keys older than the idempotency window stop replaying: the unique index frees them. */
export async function forgetKeys(db: Db, receivedBefore: number): Promise<number> {
  const r = await db
    .updateTable('complaints')
    .set({ idempotency_key: null })
    .where('idempotency_key', 'is not', null)
    .where('received_at_ms', '<', receivedBefore)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export interface ComplaintFilter {
  ticketState?: string | undefined;
  level?: string | undefined;
  substation?: string | undefined;
  building?: string | undefined;
  household?: string | undefined;
  incident?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  /** Tickets past their due time at this moment. */
  overdueAt?: number | undefined;
  limit: number;
}

/** Newest first. */
export async function listComplaints(db: Db, f: ComplaintFilter): Promise<StoredComplaint[]> {
  let q = db
    .selectFrom('complaints')
    .leftJoin('tickets', 'tickets.complaint_id', 'complaints.id')
    .selectAll('complaints')
    .select([
      'tickets.id as ticket_id',
      'tickets.state as ticket_state',
      'tickets.due_at_ms as ticket_due_at_ms',
      'tickets.created_at_ms as ticket_created_at_ms',
    ]);
  if (f.level) q = q.where('complaints.level', '=', f.level);
  if (f.substation) q = q.where('complaints.substation', '=', f.substation);
  if (f.building) q = q.where('complaints.building', '=', f.building);
  if (f.household) q = q.where('complaints.household', '=', f.household);
  if (f.incident) q = q.where('complaints.incident_id', '=', f.incident);
  if (f.from !== undefined) q = q.where('complaints.received_at_ms', '>=', f.from);
  if (f.to !== undefined) q = q.where('complaints.received_at_ms', '<', f.to);
  if (f.ticketState) q = q.where('tickets.state', '=', f.ticketState);
  if (f.overdueAt !== undefined) q = q.where('tickets.due_at_ms', '<', f.overdueAt);
  const rows = await q
    .orderBy('complaints.received_at_ms', 'desc')
    .orderBy('complaints.id', 'desc')
    .limit(f.limit)
    .execute();
  return rows.map(({ ticket_id, ticket_state, ticket_due_at_ms, ticket_created_at_ms, ...r }) => ({
    complaint: toComplaint(r),
    ticket:
      ticket_id === null
        ? null
        : toTicket({
            id: ticket_id,
            complaint_id: r.id,
            state: ticket_state!,
            due_at_ms: ticket_due_at_ms!,
            created_at_ms: ticket_created_at_ms!,
          }),
  }));
}

export async function complaintById(db: Db, id: string): Promise<StoredComplaint | undefined> {
  const row = await db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const ticket = await db
    .selectFrom('tickets')
    .selectAll()
    .where('complaint_id', '=', id)
    .executeTakeFirst();
  return { complaint: toComplaint(row), ticket: ticket ? toTicket(ticket) : null };
}
