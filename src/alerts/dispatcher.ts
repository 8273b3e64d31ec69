import {
  type GroupState,
  type GroupTimers,
  groupDone,
  groupKeyOf,
  groupLabelsOf,
  planGroup,
} from '../alerting/grouping.ts';
import type { AlertRecord, NotificationOutbox } from '../alerting/model.ts';
import { buildNotifications } from '../alerting/notify.ts';
import { receiverOf, routesFor } from '../alerting/routing.ts';
import { type Roster, recipientsOf } from '../alerting/teams.ts';
import type { AlertsConfig } from '../config/schema.ts';
import { turnTaker } from '../core/slices.ts';
import type { Store } from '../store/store.ts';
import { alertsByIds, deleteGroup, loadGroups, saveGroup } from './alert-db.ts';
import type { AlertBook } from './book.ts';

export interface DispatcherDeps {
  alerts: AlertsConfig;
  roster: Roster;
  store: Store;
  book: AlertBook;
  outbox: NotificationOutbox;
}

/** An open alert's route indexes and the group key of each. */
export interface Placement {
  keys: { route: number; key: string; labels: Record<string, string> }[];
}

/**
 * Turns groups into notifications (issue 12 items 3, 4): every tick, each group's plan
 * (wait / interval / repeat, reminders, escalation) becomes one message per channel of
 * its route, handed to the outbox — durably, with a key made of the group and message
 * number — and only then is the group's new state written. A restart in between
 * recomputes the same key, which the outbox sends once.
 */
export class Dispatcher {
  private groups = new Map<string, GroupState>();
  private readonly timers: GroupTimers;

  constructor(private readonly deps: DispatcherDeps) {
    const g = deps.alerts.grouping;
    this.timers = {
      waitMs: g.waitSec * 1000,
      intervalMs: g.intervalSec * 1000,
      repeatMs: g.repeatSec * 1000,
      remindMs: deps.alerts.escalation.remindEveryMin * 60_000,
    };
  }

  async load(): Promise<void> {
    this.groups = new Map((await loadGroups(this.deps.store.db)).map((g) => [g.key, g]));
  }

  /** Where an alert goes: one group per matching route. */
  place(a: AlertRecord): Placement {
    const routes = this.deps.alerts.routes;
    return {
      keys: routesFor(routes, a.labels).map((route) => {
        const labels = groupLabelsOf(a, this.deps.alerts.grouping.by);
        return { route, key: groupKeyOf(route, labels), labels };
      }),
    };
  }

  /** One pass over every group; `notifiable`: open alerts neither silenced nor inhibited. */
  async dispatch(notifiable: readonly AlertRecord[], now: number): Promise<number> {
    const members = new Map<string, AlertRecord[]>();
    for (const a of notifiable) {
      for (const p of this.place(a).keys) {
        if (!this.groups.has(p.key)) {
          this.groups.set(p.key, {
            key: p.key,
            route: p.route,
            labels: p.labels,
            firstAt: now,
            seq: 0,
            lastSentAt: null,
            sentIds: [],
            step: 0,
          });
        }
        const list = members.get(p.key) ?? [];
        list.push(a);
        members.set(p.key, list);
      }
    }
    let sent = 0;
    const turn = turnTaker();
    for (const group of [...this.groups.values()]) {
      sent += await this.dispatchGroup(group, members.get(group.key) ?? [], now);
      await turn();
    }
    return sent;
  }

  /** Ids the groups still need to report as resolved (the book keeps them in memory). */
  referenced(): Set<string> {
    const out = new Set<string>();
    for (const g of this.groups.values()) for (const id of g.sentIds) out.add(id);
    return out;
  }

  private async dispatchGroup(
    group: GroupState,
    members: AlertRecord[],
    now: number,
  ): Promise<number> {
    if (groupDone(group, members)) {
      this.groups.delete(group.key);
      if (group.seq > 0) await deleteGroup(this.deps.store.db, group.key);
      return 0;
    }
    const route = this.deps.alerts.routes[group.route];
    const chain = this.chainOf(route?.escalation);
    if (!route || !chain) return 0;
    const plan = planGroup(group, members, chain, this.timers, now);
    if (!plan) return 0;
    const memberIds = new Set(members.map((a) => a.id));
    const ended = await this.ended(group.sentIds.filter((id) => !memberIds.has(id)));
    const team = this.deps.roster.teams.find((t) => t.id === members[0]?.labels['team']);
    const target = chain.steps[plan.step]?.notify ?? 'on-call';
    const notifications = buildNotifications({
      group,
      plan,
      route,
      receiver: receiverOf(route, group.route),
      members,
      ended,
      recipients: recipientsOf(this.deps.roster, team, target, now),
      sample: this.deps.alerts.grouping.sample,
      now,
    });
    if (notifications.length > 0) await this.deps.outbox.enqueue(notifications);
    await saveGroup(this.deps.store.db, plan.next);
    this.groups.set(group.key, plan.next);
    return notifications.length;
  }

  private chainOf(id: string | undefined) {
    const esc = this.deps.alerts.escalation;
    return esc.chains.find((c) => c.id === (id ?? esc.default)) ?? esc.chains[0];
  }

  private async ended(ids: string[]): Promise<AlertRecord[]> {
    const known = ids.map((id) => this.deps.book.known(id)).filter((a) => a !== undefined);
    const missing = ids.filter((id) => !this.deps.book.known(id));
    const loaded = missing.length > 0 ? await alertsByIds(this.deps.store.db, missing) : [];
    // Only alerts that ended are reported as resolved; silenced or inhibited ones just leave.
    return [...known, ...loaded].filter((a) => a.state === 'resolved');
  }

  /** The escalation step each group reached, for the alerts' `escalationStep`. */
  stepOf(groupKey: string): number {
    return this.groups.get(groupKey)?.step ?? 0;
  }
}
