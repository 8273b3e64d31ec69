import type { TicketKind, TicketState } from './ticket-words.ts';

/**
 * Which state a work order may move to (issue 11 §1). The main line is received →
 * dispatched → accepted → on-site → resolved → reported → called-back → closed; a crew
 * may skip ahead on the line (a dispatcher who is also the crew accepts at once), but
 * never back except through `reopened`. `waiting-resident` (no access) returns to the
 * line where work can resume; `reopened` comes from an unsatisfied call-back or a room
 * still cold a day after `resolved` — also after `closed`, which is the point of the
 * "closed in the system, untouched on site" guard.
 */
export const TICKET_TRANSITIONS: Readonly<Record<TicketState, readonly TicketState[]>> = {
  received: ['dispatched', 'accepted', 'waiting-resident', 'cancelled', 'duplicate'],
  dispatched: ['dispatched', 'accepted', 'on-site', 'waiting-resident', 'cancelled', 'duplicate'],
  accepted: ['dispatched', 'on-site', 'waiting-resident', 'cancelled'],
  'on-site': ['resolved', 'waiting-resident'],
  resolved: ['reported', 'reopened'],
  reported: ['called-back', 'reopened'],
  'called-back': ['closed', 'reopened'],
  closed: ['reopened'],
  'waiting-resident': ['dispatched', 'accepted', 'on-site', 'cancelled'],
  reopened: ['dispatched', 'accepted', 'on-site', 'waiting-resident'],
  cancelled: [],
  duplicate: [],
};

/** States in which nothing more is owed on a ticket. */
export const FINAL_TICKET_STATES: readonly TicketState[] = ['closed', 'cancelled', 'duplicate'];

/** Categories whose closure needs a warm room (or an explicit reason). */
export const COLD_CATEGORIES: readonly string[] = ['low-temperature', 'no-heat'];

/** States that need a reason: why the resident could not be reached, why it is not a job. */
const NEEDS_REASON: readonly TicketState[] = [
  'waiting-resident',
  'reopened',
  'cancelled',
  'duplicate',
];

export interface TicketMove {
  kind: TicketKind;
  /** The complaint's category; null for a crew's incident ticket. */
  category: string | null;
  from: TicketState;
  to: TicketState;
  reason?: string | undefined;
  /** The household's room sensor now (latest fresh reading), null when there is none. */
  roomC: number | null;
  /** `standards.indoor.minC`. */
  minC: number;
}

/** Why a move is refused; `status` is the HTTP meaning (409 conflict, 400 bad input). */
export interface TicketRefusal {
  status: 'conflict' | 'bad-request';
  field: 'to' | 'reason';
  message: string;
  allowed: readonly TicketState[];
}

/** Null when the move is allowed, else what refuses it. Pure: the sensor reading is passed in. */
export function refuseMove(m: TicketMove): TicketRefusal | null {
  const allowed = TICKET_TRANSITIONS[m.from];
  if (!allowed.includes(m.to)) {
    const next = allowed.length > 0 ? allowed.join(', ') : 'none (it is final)';
    const message = `a ticket ${m.from} cannot become ${m.to}; allowed: ${next}`;
    return { status: 'conflict', field: 'to', message, allowed };
  }
  const reason = m.reason?.trim() ?? '';
  if (NEEDS_REASON.includes(m.to) && reason === '') {
    const message = `${m.to} needs a reason`;
    return { status: 'bad-request', field: 'reason', message, allowed };
  }
  if (closesColdRoom(m) && reason === '') {
    const message =
      `the household's room reads ${m.roomC!.toFixed(1)} °C, below the minimum ${m.minC} °C: ` +
      'closing needs a reason (was the room measured on site?)';
    return { status: 'conflict', field: 'reason', message, allowed };
  }
  return null;
}

/** Closing a cold-room ticket while the household's own sensor still reads cold. */
export function closesColdRoom(m: TicketMove): boolean {
  return (
    m.to === 'closed' &&
    m.kind === 'complaint' &&
    m.category !== null &&
    COLD_CATEGORIES.includes(m.category) &&
    m.roomC !== null &&
    m.roomC < m.minC
  );
}
