/**
 * The words of work orders (issue 11), written once: the ticket rules, the store and the
 * API all use these lists.
 */

/** The main line of a ticket, in order, and its side states. */
export const TICKET_STATES = [
  'received',
  'dispatched',
  'accepted',
  'on-site',
  'resolved',
  'reported',
  'called-back',
  'closed',
  'waiting-resident',
  'reopened',
  'cancelled',
  'duplicate',
] as const;
export type TicketState = (typeof TICKET_STATES)[number];

/** A ticket answers one complaint, or sends a crew to one incident. */
export const TICKET_KINDS = ['complaint', 'incident'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];
