import type { Logger } from '../../core/logger.ts';
import type { SubscriptionHealth } from './router.ts';

export interface StaleHooks {
  /** A subscription received nothing for `staleAfterS` (once per quiet spell). */
  onStale?(topic: string): void;
  /** A stale subscription received a message again. */
  onResumed?(topic: string): void;
}

/** Checks at most this often in real time, so a long `staleAfterS` costs nothing. */
const MAX_CHECK_INTERVAL_MS = 10_000;

/**
 * Flags subscriptions that went quiet. MQTT gives no error when sensors stop publishing
 * (a dead gateway, a broker bridge down, a wrong ACL): the connection stays up and data
 * just stops, so silence itself has to be the alarm. A subscription that never received
 * anything counts from `start()`. Times come from the injected clock, which may be the
 * simulator's; the check timer runs in real time.
 */
export class StaleWatchdog {
  private timer: NodeJS.Timeout | undefined;
  private since = 0;

  constructor(
    private readonly subs: () => readonly SubscriptionHealth[],
    private readonly staleAfterMs: number,
    private readonly now: () => number,
    private readonly log: Logger,
    private readonly hooks: StaleHooks = {},
  ) {}

  start(): void {
    this.since = this.now();
    const every = Math.min(MAX_CHECK_INTERVAL_MS, Math.max(50, this.staleAfterMs / 4));
    this.timer = setInterval(() => this.check(), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Flags every subscription quiet for too long; each flag is logged and reported once. */
  check(): void {
    const now = this.now();
    for (const h of this.subs()) {
      if (h.stale || now - (h.lastMessageAt ?? this.since) < this.staleAfterMs) continue;
      h.stale = true;
      this.log.warn(
        { topic: h.topic, lastMessageAt: h.lastMessageAt, staleAfterS: this.staleAfterMs / 1000 },
        'MQTT subscription stale: no message received',
      );
      this.notify(() => this.hooks.onStale?.(h.topic));
    }
  }

  /** Called for every message: a stale subscription is fresh again. */
  seen(h: SubscriptionHealth): void {
    if (!h.stale) return;
    h.stale = false;
    this.log.info({ topic: h.topic }, 'MQTT subscription receiving again');
    this.notify(() => this.hooks.onResumed?.(h.topic));
  }

  /** A failing hook (say, the alert bus) must not stop the watchdog or message handling. */
  private notify(call: () => void): void {
    try {
      call();
    } catch (err) {
      this.log.error({ err }, 'stale watchdog hook failed');
    }
  }
}
