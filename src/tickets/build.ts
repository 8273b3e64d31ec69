import { DeskDb } from '../complaints/desk-db.ts';
import type { Config } from '../config/schema.ts';
import type { EventBus } from '../core/events.ts';
import type { Component } from '../core/lifecycle.ts';
import { childLogger, type Logger } from '../core/logger.ts';
import type { HeatnetEvents } from '../events.ts';
import type { LiveState } from '../state/live-state.ts';
import type { Store } from '../store/store.ts';
import { CrewTickets } from './crew.ts';
import { TicketDesk } from './desk.ts';
import { SlaWatch } from './watch.ts';

export interface TicketDeps {
  config: Config;
  bus: EventBus<HeatnetEvents>;
  /** Started before the tickets. */
  store: Store;
  state: LiveState;
  now: () => number;
  clockRate: number;
  log: Logger;
}

export interface TicketParts {
  desk: TicketDesk;
  crew: CrewTickets;
  watch: SlaWatch;
  /** After the store and the service desk. */
  components: Component[];
}

/**
 * The household's room now: its sensor's latest reading, if it is fresh enough to be
 * evidence (`service.diagnosis.roomStaleMin`, as the diagnosis judges rooms).
 */
export function roomReader(config: Config, state: LiveState, now: () => number) {
  return (household: string): number | null => {
    const sample = state.latest('room', 'household', household).get('temp_c');
    if (!sample || typeof sample.value !== 'number') return null;
    const oldest = now() - config.service.diagnosis.roomStaleMin * 60_000;
    return sample.time >= oldest ? sample.value : null;
  };
}

/** Work orders and their SLA clocks (issue 11), wired together for the composition root. */
export function buildTickets(deps: TicketDeps): TicketParts {
  const { config, bus, now } = deps;
  const log = childLogger(deps.log, 'tickets');
  const db = new DeskDb(deps.store, log);
  const roomC = roomReader(config, deps.state, now);
  const desk = new TicketDesk({ config, db, bus, now, roomC });
  const crew = new CrewTickets({ config, db, bus });
  const watch = new SlaWatch({ ...deps, db, desk, roomC, log });
  return { desk, crew, watch, components: [watch] };
}
