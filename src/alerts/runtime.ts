import { type Condition, fingerprintOf } from '../alerting/conditions.ts';
import { type AlertAction, ackExpired } from '../alerting/lifecycle.ts';
import type { NotificationOutbox } from '../alerting/model.ts';
import { silenceExpiredCondition } from '../alerting/signals.ts';
import type { IncidentReport } from '../alerting/signals-service.ts';
import { asCondition, etaCondition, stopCondition } from '../alerting/signals-service.ts';
import { silenceMatches } from '../alerting/silence.ts';
import type { Config } from '../config/schema.ts';
import type { EventBus } from '../core/events.ts';
import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { every, type Scheduled } from '../core/schedule.ts';
import { turnTaker } from '../core/slices.ts';
import type { Topology } from '../domain/topology.ts';
import type { HeatnetEvents } from '../events.ts';
import type { Store } from '../store/store.ts';
import { openHeatStops } from './alert-db.ts';
import type { AlertBook, Fire } from './book.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { Decision, Held, RuleEvaluator } from './evaluator.ts';
import { computeFlags } from './flags.ts';
import { loadIncidents, type OpenIncidentRow } from './incidents-db.ts';
import { alertLabels } from './labels.ts';
import { listen } from './listen.ts';
import type { SilenceDesk } from './silences.ts';

export interface AlertRuntimeDeps {
  config: Config;
  topology: Topology;
  bus: EventBus<HeatnetEvents>;
  store: Store;
  outbox: NotificationOutbox;
  book: AlertBook;
  evaluator: RuleEvaluator;
  dispatcher: Dispatcher;
  silences: SilenceDesk;
  now: () => number;
  clockRate: number;
  log: Logger;
}

const STOPS_EVERY_MS = 60_000;

/**
 * The alerts runtime (issue 12): conditions from the bus go through the rules into the
 * book; every tick (`alerts.tickSec` of the service clock) the rules' timers, ETAs, heat
 * stops, silences, acknowledgement timeouts and topology are judged, then the groups are
 * dispatched. Everything runs through one queue, in order, so a bus event, a tick and a
 * person's acknowledgement never interleave; `act` awaits its turn and its write.
 */
export class AlertRuntime implements Component {
  readonly name = 'alerts';
  private queue: Promise<unknown> = Promise.resolve();
  private timer: Scheduled | undefined;
  private unlisten: (() => void) | undefined;
  private readonly incidents = new Map<string, OpenIncidentRow>();
  private stopsCheckedAt = Number.NEGATIVE_INFINITY;
  private stopped = true;

  constructor(private readonly deps: AlertRuntimeDeps) {}

  async start(): Promise<void> {
    const { deps } = this;
    const now = deps.now();
    for (const a of await deps.book.load())
      deps.evaluator.resume(asCondition(a), a.fingerprint, now);
    for (const i of await loadIncidents(deps.store.db)) this.incidents.set(i.id, i);
    await deps.silences.load(now);
    await deps.dispatcher.load();
    this.stopped = false;
    this.unlisten = listen(deps.bus, deps.config, {
      conditions: (list) => void this.run(() => this.observe(list)),
      incident: (i) => this.incident(i),
      ticketDone: (ticket, at) => void this.run(() => this.ticketDone(ticket, at)),
    });
    const spec = { intervalS: deps.config.alerts.tickSec };
    this.timer = every(spec, deps.clockRate, () => this.tick());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    this.timer?.stop();
    await this.queue.catch(() => undefined);
  }

  /** Runs `fn` after everything queued before it; its failure is logged and rethrown. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(() => fn());
    this.queue = next.catch((err: unknown) => this.deps.log.error({ err }, 'alerts step failed'));
    return next;
  }

  /** A person's ack / assign / resolve, in turn with the rules; written before it returns. */
  act(
    id: string,
    action: AlertAction,
    actor: string,
    extra: { assignee?: string; note?: string } = {},
  ) {
    return this.run(async () => {
      const now = this.deps.now();
      const alert = await this.deps.book.act(id, action, actor, now, extra);
      // Resolved by hand while the condition holds: it fires anew after its `for`.
      if (alert.state === 'resolved') this.deps.evaluator.closed(alert.fingerprint, now);
      return alert;
    });
  }

  /** One tick at the service's now (tests call it with a fake clock). */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    // Failures are logged by the queue; the next tick tries again.
    return this.run(() => this.step(this.deps.now())).catch(() => undefined);
  }

  private async step(now: number): Promise<void> {
    await this.observe([...this.incidents.values()].map((i) => etaCondition(i, now)));
    if (now - this.stopsCheckedAt >= STOPS_EVERY_MS) await this.stops(now);
    await this.apply(this.deps.evaluator.tick(now), now);
    await this.silenceExpiries(now);
    for (const a of this.deps.book.openAlerts()) {
      if (ackExpired(a, this.deps.config.alerts.escalation.ackTimeoutMin * 60_000, now)) {
        await this.deps.book.refire(a.id, now);
      }
    }
    await this.dispatch(now);
  }

  private async observe(list: readonly Condition[], held: readonly Held[] = []): Promise<void> {
    const now = this.deps.now();
    const decisions: Decision[] = [];
    // A balance evaluation brings a condition per substation: 5,000 in one go held the
    // loop ~25 ms, and complaint intake with it (issue 10).
    const turn = turnTaker();
    for (const c of list) {
      this.deps.evaluator.observe(c, now, decisions);
      await turn();
    }
    for (const h of held) this.deps.evaluator.observe(h.condition, now, decisions, h.fingerprint);
    await this.apply(decisions, now);
  }

  /** Conditions held by fingerprint, seen false at `at`. */
  private cleared(held: readonly Held[], at: number): Held[] {
    return held.map((h) => ({ ...h, condition: { ...h.condition, active: false, at } }));
  }

  private async apply(decisions: readonly Decision[], now: number): Promise<void> {
    const { config, topology, evaluator } = this.deps;
    const fires: Fire[] = [];
    const resolves: string[] = [];
    for (const d of decisions) {
      if (d.kind === 'resolve') {
        resolves.push(d.fingerprint);
        continue;
      }
      const c = d.condition;
      const severity = c.severity ?? evaluator.settings(c.rule).severity;
      const labels = alertLabels(c.rule, severity, c.place, topology, config.alerts.teams);
      fires.push({ condition: c, fingerprint: d.fingerprint, severity, labels });
    }
    try {
      await this.deps.book.apply(fires, resolves, now);
    } catch (err) {
      // Not written: the rules judge these conditions afresh, so nothing is lost.
      for (const f of fires) evaluator.closed(f.fingerprint, now);
      throw err;
    }
  }

  private incident(i: IncidentReport & { level?: string }): void {
    const row = { ...i, level: i.level ?? 'substation' };
    if (['suspected', 'confirmed', 'restoring'].includes(i.state)) this.incidents.set(i.id, row);
    else this.incidents.delete(i.id);
    // The ETA condition goes false at once when the incident ends.
    void this.run(() => this.observe([etaCondition(row, this.deps.now())]));
  }

  private async ticketDone(ticket: string, at: number): Promise<void> {
    const held = this.deps.evaluator.activeWhere((c) => c.place['ticket'] === ticket);
    await this.observe([], this.cleared(held, at));
  }

  /** Heat stops open in the ledger's data; the `for` counts from each stop's start. */
  private async stops(now: number): Promise<void> {
    this.stopsCheckedAt = now;
    const open = await openHeatStops(this.deps.store.db);
    const conditions = open.map((s) => {
      const substation =
        s.level === 'building' ? (this.deps.topology.building(s.place)?.substation ?? null) : null;
      return stopCondition({ ...s, substation }, true, now);
    });
    const seen = new Set(conditions.map((c) => fingerprintOf(c.rule, c.place)));
    const gone = this.deps.evaluator
      .activeWhere((x) => x.rule === 'heat-stopped')
      .filter((h) => !seen.has(h.fingerprint));
    await this.observe(conditions, this.cleared(gone, now));
  }

  /** A silence that ended by itself while alerts it muted still fire is an alert itself. */
  private async silenceExpiries(now: number): Promise<void> {
    const firing = this.deps.book.openAlerts().filter((a) => a.state === 'firing');
    const fresh: Condition[] = [];
    for (const s of this.deps.silences.newlyExpired(now)) {
      const left = firing.filter((a) => silenceMatches(s, a.labels)).length;
      await this.deps.silences.markNotified(s.id);
      if (left > 0) fresh.push(silenceExpiredCondition(s, left));
    }
    const gone: Held[] = [];
    for (const h of this.deps.evaluator.activeWhere((x) => x.rule === 'silence-expired')) {
      const s = await this.deps.silences
        .get(h.condition.place['silence'] ?? '')
        .catch(() => undefined);
      if (!s || !firing.some((a) => silenceMatches(s, a.labels))) gone.push(h);
    }
    this.deps.silences.prune(now);
    await this.observe(fresh, this.cleared(gone, now));
  }

  private async dispatch(now: number): Promise<void> {
    const { book, dispatcher, silences } = this.deps;
    const open = book.openAlerts();
    const flags = computeFlags(open, [...this.incidents.values()], silences, dispatcher, now);
    await book.setFlags(flags, now);
    const notifiable = book.openAlerts().filter((a) => !a.silenced && !a.inhibited);
    await dispatcher.dispatch(notifiable, now);
    book.forgetResolved(dispatcher.referenced());
  }
}
