import type { BalanceResult } from '../balance/types.ts';
import type { Config } from '../config/schema.ts';
import type { EventBus } from '../core/events.ts';
import type { Component } from '../core/lifecycle.ts';
import { childLogger, type Logger } from '../core/logger.ts';
import type { Diagnoser } from '../diagnosis/diagnoser.ts';
import type { Topology } from '../domain/topology.ts';
import type { HeatnetEvents } from '../events.ts';
import type { LiveState } from '../state/live-state.ts';
import type { Store } from '../store/store.ts';
import { forgetKeys } from './complaint-db.ts';
import { ComplaintBook } from './complaints.ts';
import { DeskDb } from './desk-db.ts';
import { IncidentWatch } from './incident-watch.ts';
import { IncidentDesk } from './incidents.ts';
import { Intake } from './intake.ts';
import { createLiveDiagnoser } from './live-diagnoser.ts';
import { DeskSignals, type Publish } from './signals.ts';

export interface DeskDeps {
  config: Config;
  topology: Topology;
  bus: EventBus<HeatnetEvents>;
  /** Started before the desk. */
  store: Store;
  state: LiveState;
  balance: () => BalanceResult;
  now: () => number;
  log: Logger;
  /** Retained MQTT output (the ingestor's connection). */
  publish?: Publish;
  /** Replaces the live diagnoser (tests inject the findings they need). */
  diagnoser?: Diagnoser;
}

export interface DeskParts {
  intake: Intake;
  complaints: ComplaintBook;
  incidents: IncidentDesk;
  watch: IncidentWatch;
  signals: DeskSignals;
  diagnoser: Diagnoser;
  /** After the store, before ingest (so nothing calls in before the desk is up). */
  components: Component[];
  /** Call after every balance evaluation: the proactive sweep. */
  onBalance(result: BalanceResult): Promise<void>;
}

/**
 * Starts after the store: releases idempotency keys past their window and counts the
 * open incidents; stops once the writes already queued are committed.
 */
class DeskComponent implements Component {
  readonly name = 'service-desk';

  constructor(
    private readonly db: DeskDb,
    private readonly signals: DeskSignals,
    private readonly deps: Pick<DeskDeps, 'config' | 'now'>,
  ) {}

  async start(): Promise<void> {
    const before = this.deps.now() - this.deps.config.service.idempotencyHours * 3_600_000;
    await this.db.write('keys', (trx) => forgetKeys(trx, before));
    await this.signals.refresh([]);
  }

  async stop(): Promise<void> {
    await this.db.idle();
  }
}

/** The service desk's parts, wired together (issue 10), for the composition root. */
export function buildDesk(deps: DeskDeps): DeskParts {
  const { config, now } = deps;
  const log = childLogger(deps.log, 'desk');
  const db = new DeskDb(deps.store, log);
  const signals = new DeskSignals({
    db,
    bus: deps.bus,
    log,
    ...(deps.publish ? { publish: deps.publish } : {}),
  });
  const diagnoser =
    deps.diagnoser ??
    createLiveDiagnoser({
      config,
      topology: deps.topology,
      state: deps.state,
      balance: deps.balance,
    });
  const intake = new Intake({ config, topology: deps.topology, diagnoser, db, signals, now, log });
  const incidents = new IncidentDesk({ db, signals, now });
  const watch = new IncidentWatch({ config, diagnoser, db, signals, log });
  return {
    intake,
    complaints: new ComplaintBook(db),
    incidents,
    watch,
    signals,
    diagnoser,
    components: [new DeskComponent(db, signals, deps)],
    onBalance: (result) => watch.onEvaluation(result.evaluatedAt),
  };
}
