import type { NotificationLogEntry, NotificationOutbox } from '../alerting/model.ts';
import type { Roster } from '../alerting/teams.ts';
import type { Config } from '../config/schema.ts';
import type { EventBus } from '../core/events.ts';
import type { Component } from '../core/lifecycle.ts';
import { childLogger, type Logger } from '../core/logger.ts';
import type { Topology } from '../domain/topology.ts';
import type { HeatnetEvents } from '../events.ts';
import type { Store } from '../store/store.ts';
import { AlertBook } from './book.ts';
import { AlertDesk } from './desk.ts';
import { Dispatcher } from './dispatcher.ts';
import { RuleEvaluator } from './evaluator.ts';
import { AlertRuntime } from './runtime.ts';
import { SilenceDesk } from './silences.ts';

export interface AlertDeps {
  config: Config;
  topology: Topology;
  bus: EventBus<HeatnetEvents>;
  /** Started before the alerts. */
  store: Store;
  /** Where notifications go (the durable outbox, or a test's). */
  outbox: NotificationOutbox;
  now: () => number;
  clockRate: number;
  log: Logger;
}

export interface AlertParts {
  runtime: AlertRuntime;
  desk: AlertDesk;
  book: AlertBook;
  silences: SilenceDesk;
  /** After the store (and the outbox); before ingest, so no device state is missed. */
  components: Component[];
}

export function rosterOf(config: Config): Roster {
  const a = config.alerts;
  return {
    people: a.people,
    teams: a.teams,
    schedules: a.schedules,
    dutyDispatcher: a.escalation.dutyDispatcher,
    timeZone: config.site.timezone,
    season: config.site.heatingSeason,
  };
}

/** An outbox that keeps nothing: for parts built without delivery (tools, some tests). */
export const noOutbox: NotificationOutbox = {
  enqueue: async () => undefined,
  logFor: async (): Promise<NotificationLogEntry[]> => [],
};

/** The alert lifecycle, rules, grouping, routing and escalation (issue 12), wired. */
export function buildAlerts(deps: AlertDeps): AlertParts {
  const { config, store, bus } = deps;
  const log = childLogger(deps.log, 'alerts');
  const timeZone = config.site.timezone;
  const roster = rosterOf(config);
  const book = new AlertBook({ store, bus, timeZone });
  const evaluator = new RuleEvaluator(config.alerts.rules);
  const dispatcher = new Dispatcher({
    alerts: config.alerts,
    roster,
    store,
    book,
    outbox: deps.outbox,
  });
  const maxMs = config.alerts.silences.maxHours * 3_600_000;
  const silences = new SilenceDesk({ store, timeZone, maxMs });
  const runtime = new AlertRuntime({ ...deps, log, book, evaluator, dispatcher, silences });
  const desk = new AlertDesk({
    store,
    runtime,
    silences,
    outbox: deps.outbox,
    roster,
    now: deps.now,
  });
  return { runtime, desk, book, silences, components: [runtime] };
}
