import type { AlertChannelConfig } from '../config/schema-alert-channels.ts';
import type { AlertSink } from '../core/alerts.ts';
import type { AlertChannel } from './channels/channel.ts';
import { SendWindow } from './outbox-timing.ts';

/** Counters of one channel since the service started (Prometheus counters). */
export interface ChannelCounters {
  sent: number;
  failed: number;
  retried: number;
  gaveUp: number;
  merged: number;
}

/** One channel as /api/health and /metrics show it. */
export interface ChannelHealth extends ChannelCounters {
  id: string;
  type: string;
  state: 'ok' | 'failing' | 'disabled';
  consecutiveFailures: number;
  /** Messages given up since the channel last delivered one. */
  undelivered: number;
  lastError: string | null;
  lastSentAt: string | null;
  queued: number;
  oldestQueuedS: number | null;
}

export interface OutboxHealth {
  channels: ChannelHealth[];
  queued: number;
  oldestQueuedS: number | null;
  /** Queued messages for channel ids no longer configured: held, never dropped. */
  unknownChannels: string[];
}

/** The source a channel's own alerts carry: routes must send them through another channel. */
export const channelAlertSource = (id: string) => `alerts.channel:${id}`;

/**
 * One channel's runtime: its rate window, counters and failure streak. A streak of
 * `failingAfter` failed attempts raises `channel-failing`, a message given up raises
 * `delivery-gave-up`; the next success clears both. The alerts go to the AlertSink, never
 * to the channel itself (it is the one that cannot deliver them).
 */
export class ChannelRuntime {
  readonly window: SendWindow;
  readonly counters: ChannelCounters = { sent: 0, failed: 0, retried: 0, gaveUp: 0, merged: 0 };
  consecutiveFailures = 0;
  undelivered = 0;
  lastError: string | null = null;
  lastSentAt: number | null = null;
  queued = 0;
  oldestAt: number | null = null;

  constructor(
    readonly config: AlertChannelConfig,
    readonly channel: AlertChannel | undefined,
    private readonly alerts: AlertSink,
  ) {
    this.window = new SendWindow(config.rateLimit);
  }

  get failing(): boolean {
    return this.consecutiveFailures >= this.config.failingAfter;
  }

  succeeded(at: number): void {
    this.counters.sent++;
    this.lastSentAt = at;
    this.consecutiveFailures = 0;
    this.undelivered = 0;
    this.lastError = null;
    const source = channelAlertSource(this.config.id);
    this.alerts.clear(source, 'channel-failing');
    this.alerts.clear(source, 'delivery-gave-up');
  }

  failed(error: string): void {
    this.counters.failed++;
    this.consecutiveFailures++;
    this.lastError = error;
    if (!this.failing) return;
    this.alerts.raise({
      source: channelAlertSource(this.config.id),
      code: 'channel-failing',
      severity: 'critical',
      message: `告警通道 ${this.config.id}（${this.config.type}）连续 ${this.consecutiveFailures} 次发送失败 / alert channel ${this.config.id} (${this.config.type}) failed ${this.consecutiveFailures} times in a row: ${error}`,
    });
  }

  gaveUp(key: string, error: string): void {
    this.counters.gaveUp++;
    this.undelivered++;
    this.alerts.raise({
      source: channelAlertSource(this.config.id),
      code: 'delivery-gave-up',
      severity: 'critical',
      message: `告警通道 ${this.config.id} 放弃发送消息 ${key} / alert channel ${this.config.id} gave up on message ${key}: ${error}`,
    });
  }

  health(now: number): ChannelHealth {
    const state = !this.config.enabled ? 'disabled' : this.failing ? 'failing' : 'ok';
    return {
      id: this.config.id,
      type: this.config.type,
      state,
      consecutiveFailures: this.consecutiveFailures,
      undelivered: this.undelivered,
      lastError: this.lastError,
      lastSentAt: this.lastSentAt === null ? null : new Date(this.lastSentAt).toISOString(),
      ...this.counters,
      queued: this.queued,
      oldestQueuedS: ageS(this.oldestAt, now),
    };
  }
}

export const ageS = (at: number | null, now: number) =>
  at === null ? null : Math.max(0, Math.round((now - at) / 1000));

/** Lines for /api/health's `problems`: failing channels, given-up messages, orphaned rows. */
export function outboxProblems(h: OutboxHealth): string[] {
  const problems: string[] = [];
  for (const c of h.channels) {
    if (c.state === 'failing') {
      problems.push(
        `alert channel ${c.id} failing: ${c.consecutiveFailures} failed attempts in a row (${c.lastError})`,
      );
    }
    if (c.undelivered > 0) {
      problems.push(
        `alert channel ${c.id} gave up on ${c.undelivered} messages since it last delivered`,
      );
    }
  }
  if (h.unknownChannels.length > 0) {
    problems.push(`alert messages queued for unknown channels: ${h.unknownChannels.join(', ')}`);
  }
  return problems;
}
