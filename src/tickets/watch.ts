import type { DeskDb } from '../complaints/desk-db.ts';
import type { Config } from '../config/schema.ts';
import type { EventBus } from '../core/events.ts';
import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { every, type Scheduled } from '../core/schedule.ts';
import { nextTurn } from '../core/slices.ts';
import type { HeatnetEvents } from '../events.ts';
import { reachedSignals } from '../service/sla.ts';
import { COLD_CATEGORIES } from '../service/ticket-rules.ts';
import { SYSTEM_ACTOR } from './crew.ts';
import { openStates, type TicketDesk } from './desk.ts';
import { claimSignal, listTickets, sentSignals } from './ticket-db.ts';
import type { TicketDetail, WorkOrder } from './types.ts';

export interface SlaWatchDeps {
  config: Config;
  db: DeskDb;
  desk: TicketDesk;
  bus: EventBus<HeatnetEvents>;
  now: () => number;
  clockRate: number;
  roomC: (household: string) => number | null;
  log: Logger;
}

/** States after `resolved` in which a room that is still cold reopens the ticket. */
const AFTER_RESOLVED = ['resolved', 'reported', 'called-back', 'closed'] as const;
const SCAN_LIMIT = 100_000;
/**
 * Tickets whose clocks are worked out per turn of the event loop: 3,000 open tickets of a
 * cold snap took ~60 ms in one go, and complaint intake waited behind it (issue 10).
 */
const TICKETS_PER_TURN = 250;

/**
 * Checks the open tickets' clocks on the service clock (issue 11 §2): every warning and
 * breach reached goes on the bus once — the store records it before it is sent, so a
 * restart sends nothing twice. It also reopens a cold-room ticket whose household's
 * sensor still reads below the minimum a day (`coldRecheckMin`) after `resolved`.
 */
export class SlaWatch implements Component {
  readonly name = 'sla-watch';
  private timer: Scheduled | undefined;

  constructor(private readonly deps: SlaWatchDeps) {}

  async start(): Promise<void> {
    const spec = { intervalS: this.deps.config.service.sla.checkEverySec };
    this.timer = every(spec, this.deps.clockRate, () => this.sweep());
  }

  async stop(): Promise<void> {
    this.timer?.stop();
    await this.deps.db.idle();
  }

  /** One check at the service's now; failures are logged, the next tick tries again. */
  async sweep(): Promise<void> {
    try {
      await this.signals();
      await this.coldRecheck();
    } catch (err) {
      this.deps.log.error({ err }, 'SLA check failed');
    }
  }

  private async signals(): Promise<void> {
    const { db, desk, bus, config, now } = this.deps;
    const open = await db.read('sla', (d) =>
      listTickets(d, { states: openStates(), limit: SCAN_LIMIT }),
    );
    const at = now();
    // Read first, so a ticket long past its breach costs no write per check.
    const sent = await db.read('sla', (d) =>
      sentSignals(
        d,
        open.map((t) => t.id),
      ),
    );
    for await (const ticket of inParts(desk, open)) {
      const reached = reachedSignals(ticket.clocks, config.service.sla.warnAt, at);
      for (const signal of reached) {
        if (sent.has(`${ticket.id} ${signal.key}`)) continue;
        const fresh = await db.write('sla-signal', (trx) =>
          claimSignal(trx, { ticketId: ticket.id, signal: signal.key, at: signal.at, sentAt: at }),
        );
        if (!fresh) continue;
        const clock = ticket.clocks.find((c) => c.name === signal.clock)!;
        const breachedToo = reached.some((s) => s.clock === signal.clock && s.kind === 'breach');
        // A warning that comes due together with its breach (the service was down) is noise.
        if (signal.kind === 'breach') bus.emit('sla.breached', { ticket, clock, signal });
        else if (!breachedToo) bus.emit('sla.warning', { ticket, clock, signal });
      }
    }
  }

  private async coldRecheck(): Promise<void> {
    const { db, desk, config, now } = this.deps;
    const found = await db.read('cold', (d) =>
      listTickets(d, { states: AFTER_RESOLVED, limit: SCAN_LIMIT }),
    );
    const cold = found.filter((t) => t.category !== null && COLD_CATEGORIES.includes(t.category));
    const at = now();
    const dueBy = at - config.service.sla.coldRecheckMin * 60_000;
    for await (const t of inParts(desk, cold)) {
      const resolvedAt = lastResolved(t);
      if (resolvedAt === null || resolvedAt > dueBy || t.household === null) continue;
      // A closed ticket is looked at only within one more window, not for ever.
      if (t.state === 'closed' && resolvedAt <= dueBy - config.service.sla.coldRecheckMin * 60_000)
        continue;
      const roomC = this.deps.roomC(t.household);
      if (roomC === null || roomC >= config.standards.indoor.minC) continue;
      const reason = `the room still reads ${roomC.toFixed(1)} °C a day after it was resolved`;
      await desk.change(t.id, { to: 'reopened', reason }, SYSTEM_ACTOR);
    }
  }
}

/** The tickets with their histories and clocks, a part per turn of the event loop. */
async function* inParts(desk: TicketDesk, tickets: WorkOrder[]): AsyncGenerator<TicketDetail> {
  for (let i = 0; i < tickets.length; i += TICKETS_PER_TURN) {
    if (i > 0) await nextTurn();
    yield* await desk.detailed(tickets.slice(i, i + TICKETS_PER_TURN));
  }
}

function lastResolved(t: TicketDetail): number | null {
  let at: number | null = null;
  for (const c of t.history) if (c.to === 'resolved') at = c.at;
  return at;
}
