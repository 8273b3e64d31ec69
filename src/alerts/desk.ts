import type { AlertAction } from '../alerting/lifecycle.ts';
import type { AlertRecord, NotificationOutbox } from '../alerting/model.ts';
import type { Roster } from '../alerting/teams.ts';
import { HeatnetError } from '../core/errors.ts';
import type { Store } from '../store/store.ts';
import {
  type AlertFilter,
  alertsByIds,
  type HistoryEntry,
  historyOf,
  listAlerts,
} from './alert-db.ts';
import { type OnCallAnswer, onCallNow } from './oncall.ts';
import type { AlertRuntime } from './runtime.ts';
import type { StoredSilence } from './silence-db.ts';
import type { SilenceDesk, SilenceInput } from './silences.ts';

export interface AlertDetail extends AlertRecord {
  history: HistoryEntry[];
}

/** What the API asks of the alerts (issue 12 item 4): reads, actions, silences, on call. */
export class AlertDesk {
  constructor(
    private readonly deps: {
      store: Store;
      runtime: AlertRuntime;
      silences: SilenceDesk;
      outbox: NotificationOutbox;
      roster: Roster;
      now: () => number;
    },
  ) {}

  list(filter: AlertFilter): Promise<AlertRecord[]> {
    return listAlerts(this.deps.store.db, filter);
  }

  /** The alerts not yet resolved (firing, then acknowledged), newest first in each. */
  async open(limit = 500): Promise<AlertRecord[]> {
    const firing = await this.list({ state: 'firing', limit });
    return firing.concat(await this.list({ state: 'acknowledged', limit }));
  }

  /** One alert with its history and its notification log (the outbox's). */
  async get(id: string): Promise<AlertDetail> {
    const [alert] = await alertsByIds(this.deps.store.db, [id]);
    if (!alert) throw new HeatnetError('NOT_FOUND', `no alert ${id}`);
    const [history, notifications] = await Promise.all([
      historyOf(this.deps.store.db, id),
      this.deps.outbox.logFor(id),
    ]);
    return { ...alert, notifications, history };
  }

  async act(
    id: string,
    action: AlertAction,
    actor: string,
    extra: { assignee?: string; note?: string } = {},
  ) {
    await this.deps.runtime.act(id, action, actor, extra);
    return this.get(id);
  }

  silences(includeExpired: boolean): StoredSilence[] {
    return this.deps.silences.list(this.deps.now(), includeExpired);
  }

  silence(id: string): Promise<StoredSilence> {
    return this.deps.silences.get(id);
  }

  /** Written before the answer; its effect on alerts shows at the next tick. */
  async createSilence(input: SilenceInput, actor: string): Promise<StoredSilence> {
    const s = await this.deps.runtime.run(() =>
      this.deps.silences.create(input, actor, this.deps.now()),
    );
    void this.deps.runtime.tick();
    return s;
  }

  async endSilence(id: string): Promise<StoredSilence> {
    const s = await this.deps.runtime.run(() => this.deps.silences.end(id, this.deps.now()));
    void this.deps.runtime.tick();
    return s;
  }

  onCall(): OnCallAnswer {
    return onCallNow(this.deps.roster, this.deps.now());
  }
}
