import type {
  Notification,
  NotificationLogEntry,
  NotificationOutbox,
} from '../../src/alerting/model.ts';

/**
 * An outbox in memory for the alert runtime's tests: like the durable one, a key is
 * accepted once (a repeat after a restart is dropped), and it logs every alert a
 * message carried. Shared between two runtimes of one test, as the store would be.
 */
export class MemoryOutbox implements NotificationOutbox {
  readonly sent: Notification[] = [];
  readonly repeats: string[] = [];
  private readonly keys = new Set<string>();

  async enqueue(notifications: readonly Notification[]): Promise<void> {
    for (const n of notifications) {
      if (this.keys.has(n.key)) {
        this.repeats.push(n.key);
        continue;
      }
      this.keys.add(n.key);
      this.sent.push(n);
    }
  }

  async logFor(alertId: string): Promise<NotificationLogEntry[]> {
    return this.sent
      .filter((n) => n.alerts.some((a) => a.id === alertId))
      .map((n) => ({
        notification: n.key,
        channel: n.channel,
        at: n.createdAt,
        result: 'sent',
        receipt: null,
      }));
  }

  on(channel: string): Notification[] {
    return this.sent.filter((n) => n.channel === channel);
  }
}
