import type { Notification, NotificationLogEntry, NotificationOutbox } from '../alerting/model.ts';
import type { Logger } from '../core/logger.ts';
import type { OutboxStore } from './outbox-store.ts';

/**
 * The runtime's side of the outbox (src/alerting/model.ts NotificationOutbox): `enqueue`
 * resolves once the rows are committed, so a notification the runtime handed over
 * survives any crash after; a key already written (sent or not) is not written again.
 */
export class DurableOutbox implements NotificationOutbox {
  constructor(
    private readonly store: OutboxStore,
    private readonly deps: { now: () => number; log: Logger; wake: () => void },
  ) {}

  async enqueue(notifications: readonly Notification[]): Promise<void> {
    const accepted = notifications.filter((n) => !this.selfReport(n));
    const added = await this.store.insert(accepted, this.deps.now());
    if (added > 0) this.deps.wake();
  }

  logFor(alertId: string): Promise<NotificationLogEntry[]> {
    return this.store.logFor(alertId);
  }

  /**
   * A channel's failure reported through that same channel would never arrive and would
   * only feed its own failure streak: refused here, whatever the routes say.
   */
  private selfReport(n: Notification): boolean {
    const own = n.alerts.some((a) => a.labels.channel === n.channel);
    if (n.reason === 'channel-failing' && own) {
      this.deps.log.warn(
        { channel: n.channel, key: n.key },
        'alert outbox: not telling a channel through itself that it is failing; route it elsewhere',
      );
      return true;
    }
    return false;
  }
}
