import type { NotificationOutbox } from '../alerting/model.ts';
import type { AlertChannelConfig } from '../config/schema-alert-channels.ts';
import type { AlertSink } from '../core/alerts.ts';
import type { Component } from '../core/lifecycle.ts';
import { childLogger, type Logger } from '../core/logger.ts';
import type { Store } from '../store/store.ts';
import { type ChannelDeps, createChannel } from './channels/build.ts';
import type { AlertChannel } from './channels/channel.ts';
import { DurableOutbox } from './outbox.ts';
import { OutboxDispatcher } from './outbox-dispatcher.ts';
import { ChannelRuntime, type OutboxHealth } from './outbox-health.ts';
import { OutboxStore } from './outbox-store.ts';

export interface OutboxDeps {
  channels: readonly AlertChannelConfig[];
  timeZone: string;
  store: Store;
  /** Where a failing channel raises its own alert (routed to another channel). */
  alerts: AlertSink;
  now: () => number;
  log: Logger;
  /** The MQTT ingestor's `publishAcked`, for `type: mqtt` channels. */
  publish?: ChannelDeps['publish'];
  /** Tests: channels built by hand instead of from the config (same ids). */
  channelOverrides?: ReadonlyMap<string, AlertChannel>;
  pollMs?: number;
  claimTimeoutMs?: number;
  random?: () => number;
}

export interface OutboxParts {
  outbox: NotificationOutbox;
  dispatcher: OutboxDispatcher;
  /** For /api/health (alertDelivery) and /metrics. */
  health: () => OutboxHealth;
  /** Start after the store. */
  components: Component[];
}

/** Robots allow 20 messages a minute (WeCom, DingTalk): the default when none is set. */
const ROBOT_LIMIT = { messages: 20, perS: 60 };

/**
 * The durable outbox and its dispatcher (issue 12). Wiring in src/app.ts:
 * `buildOutbox({ channels: config.alerts.channels, timeZone: config.site.timezone, store,
 * alerts, now, log, publish: (t, p) => mqtt.publishAcked(t, p) })`; hand `outbox` to the
 * alert runtime, `health` to collectHealth and createMetrics, `components` to the lifecycle.
 */
export function buildOutbox(deps: OutboxDeps): OutboxParts {
  const log = childLogger(deps.log, 'alerts.outbox');
  const runtimes = new Map<string, ChannelRuntime>();
  for (const raw of deps.channels) {
    const config = withDefaults(raw);
    const channel =
      deps.channelOverrides?.get(config.id) ??
      createChannel(config, { timeZone: deps.timeZone, publish: deps.publish });
    runtimes.set(config.id, new ChannelRuntime(config, channel, deps.alerts));
  }
  const store = new OutboxStore(() => deps.store.db);
  const longestSendMs = Math.max(10_000, ...deps.channels.map((c) => c.timeoutS * 1000));
  const dispatcher = new OutboxDispatcher({
    store,
    channels: runtimes,
    now: deps.now,
    log,
    pollMs: deps.pollMs,
    random: deps.random,
    // A claim outlives any send it guards: the longest timeout, twice, and a margin.
    claimTimeoutMs: deps.claimTimeoutMs ?? 2 * longestSendMs + 30_000,
    soleDispatcher: deps.store.engine === 'sqlite',
  });
  const outbox = new DurableOutbox(store, { now: deps.now, log, wake: () => dispatcher.wake() });
  return { outbox, dispatcher, health: () => dispatcher.health(), components: [dispatcher] };
}

function withDefaults(config: AlertChannelConfig): AlertChannelConfig {
  const robot = config.type === 'wecom' || config.type === 'dingtalk';
  return robot && !config.rateLimit ? { ...config, rateLimit: ROBOT_LIMIT } : config;
}
