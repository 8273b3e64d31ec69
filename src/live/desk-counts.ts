import type { Store } from '../store/store.ts';
import { openStates } from '../tickets/desk.ts';
import type { DeskCounts } from './events-contract.ts';

/** Incidents still being worked on: not yet restored, closed or found invalid. */
const ACTIVE_INCIDENTS = ['suspected', 'confirmed', 'restoring'];

/**
 * The desk's open counts for the console's headline strip, in three counting queries (the
 * ticket and incident lists would build every record's clocks to count them). Overdue
 * here is "open past its due time"; `GET /api/tickets?overdue=true` judges each clock.
 */
export async function deskCounts(store: Store, now: number): Promise<DeskCounts> {
  const db = store.db;
  const open = openStates();
  const [tickets, overdue, incidents] = await Promise.all([
    db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', 'in', open)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', 'in', open)
      .where('due_at_ms', '<', now)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('incidents')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', 'in', ACTIVE_INCIDENTS)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    openTickets: Number(tickets.n),
    overdueTickets: Number(overdue.n),
    openIncidents: Number(incidents.n),
  };
}
