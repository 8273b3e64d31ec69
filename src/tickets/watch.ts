import type { DeskDb } from '../complaints/desk-db.ts';
import type { Config } from '../config/schema.ts';
import type { EventBus } from '../core/events.ts';
import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { every, type Scheduled } from '../core/schedule.ts';
import { nextTurn } from '../core/slices.ts';
import type { HeatnetEvents } from '../events.ts';
import { nextSignalAt, reachedSignals } from '../service/sla.ts';
import { COLD_CATEGORIES } from '../service/ticket-rules.ts';
import type { StoreTransaction } from '../store/store.ts';
import { detailOf } from './clocks.ts';
import { SYSTEM_ACTOR } from './crew.ts';
import { openStates, type TicketDesk } from './desk.ts';
import {
  claimSignal,
  dueForSla,
  histories,
  markDueForSla,
  recheckPage,
  sentSignals,
  setSlaCheck,
} from './ticket-db.ts';
import type { TicketDetail } from './types.ts';

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
/**
 * Tickets whose clocks are worked out per turn of the event loop: 3,000 open tickets of a
 * cold snap took ~60 ms in one go, and complaint intake waited behind it (issue 10).
 */
const TICKETS_PER_TURN = 250;
/** Due tickets checked per write transaction: intake's next commit waits behind one page. */
export const SLA_PAGE = 100;

interface CheckedPage {
  checked: number;
  /** The bus messages of the signals this page claimed, sent once it has committed. */
  sends: (() => void)[];
}

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
    // Clocks' rules may have changed since the last run: every open ticket is looked at once.
    await this.deps.db.write('sla-start', (trx) =>
      markDueForSla(trx, openStates(), this.deps.now()),
    );
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

  /**
   * The tickets whose check time has come, a page per write transaction: the signals a
   * page reached are claimed and its tickets' next check set in one go, with no move in
   * between (moves queue behind it), and the bus hears of them once they are durable.
   */
  private async signals(): Promise<void> {
    const at = this.deps.now();
    for (;;) {
      const page = await this.deps.db.write('sla', (trx) => this.checkPage(trx, at));
      for (const send of page.sends) send();
      if (page.checked < SLA_PAGE) return;
      await nextTurn();
    }
  }

  private async checkPage(trx: StoreTransaction, at: number): Promise<CheckedPage> {
    const { config, bus } = this.deps;
    const due = await dueForSla(trx, { states: openStates(), at, limit: SLA_PAGE });
    const ids = due.map((t) => t.id);
    const [all, sent] = [await histories(trx, ids), await sentSignals(trx, ids)];
    const sends: (() => void)[] = [];
    for (const t of due) {
      const ticket = detailOf(config, t, all.get(t.id) ?? [], at);
      const reached = reachedSignals(ticket.clocks, config.service.sla.warnAt, at);
      for (const signal of reached) {
        if (sent.has(`${ticket.id} ${signal.key}`)) continue;
        const fresh = await claimSignal(trx, {
          ticketId: ticket.id,
          signal: signal.key,
          at: signal.at,
          sentAt: at,
        });
        if (!fresh) continue;
        const clock = ticket.clocks.find((c) => c.name === signal.clock)!;
        const breachedToo = reached.some((s) => s.clock === signal.clock && s.kind === 'breach');
        // A warning that comes due together with its breach (the service was down) is noise.
        if (signal.kind === 'breach')
          sends.push(() => bus.emit('sla.breached', { ticket, clock, signal }));
        else if (!breachedToo) sends.push(() => bus.emit('sla.warning', { ticket, clock, signal }));
      }
      await setSlaCheck(trx, t.id, nextSignalAt(ticket.clocks, at));
    }
    return { checked: due.length, sends };
  }

  /** Resolved tickets a page per turn, closed ones only within one more window. */
  private async coldRecheck(): Promise<void> {
    const { db, desk, config, now } = this.deps;
    const at = now();
    const windowMs = config.service.sla.coldRecheckMin * 60_000;
    const dueBy = at - windowMs;
    for (let afterId = ''; ; await nextTurn()) {
      const page = await db.read('cold', (d) =>
        recheckPage(d, {
          states: AFTER_RESOLVED,
          closedSince: dueBy - windowMs,
          afterId,
          limit: TICKETS_PER_TURN,
        }),
      );
      const cold = page.filter((t) => t.category !== null && COLD_CATEGORIES.includes(t.category));
      for (const t of await desk.detailed(cold)) await this.recheck(t, dueBy, windowMs);
      if (page.length < TICKETS_PER_TURN) return;
      afterId = page.at(-1)!.id;
    }
  }

  private async recheck(t: TicketDetail, dueBy: number, windowMs: number): Promise<void> {
    const { desk, config } = this.deps;
    const resolvedAt = lastResolved(t);
    if (resolvedAt === null || resolvedAt > dueBy || t.household === null) return;
    // A closed ticket is looked at only within one more window, not for ever.
    if (t.state === 'closed' && resolvedAt <= dueBy - windowMs) return;
    const roomC = this.deps.roomC(t.household);
    if (roomC === null || roomC >= config.standards.indoor.minC) return;
    const reason = `the room still reads ${roomC.toFixed(1)} °C a day after it was resolved`;
    await desk.change(t.id, { to: 'reopened', reason }, SYSTEM_ACTOR);
  }
}

function lastResolved(t: TicketDetail): number | null {
  let at: number | null = null;
  for (const c of t.history) if (c.to === 'resolved') at = c.at;
  return at;
}
