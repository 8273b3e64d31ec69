import type { SlaClock } from '../service/sla.ts';
import type { TicketKind, TicketState } from '../service/ticket-words.ts';

/** A work order as the desk and the API see it (issue 11 §1); times epoch ms. */
export interface WorkOrder {
  id: string;
  kind: TicketKind;
  state: TicketState;
  complaintId: string | null;
  incidentId: string | null;
  /** The complaint's category; null for a crew's ticket. */
  category: string | null;
  household: string | null;
  /** Where the job is: the household's substation, or the incident's. */
  substation: string | null;
  team: string | null;
  assignee: string | null;
  dueAt: number;
  createdAt: number;
  updatedAt: number;
}

/** One recorded move; appended, never rewritten. */
export interface TicketChange {
  at: number;
  actor: string;
  from: TicketState | null;
  to: TicketState;
  note: string | null;
  reason: string | null;
  assignee: string | null;
  team: string | null;
}

export interface TicketDetail extends WorkOrder {
  history: TicketChange[];
  clocks: SlaClock[];
}

export interface TicketPatch {
  to: TicketState;
  note?: string | undefined;
  assignee?: string | undefined;
  team?: string | undefined;
  reason?: string | undefined;
}
