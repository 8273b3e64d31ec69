import { randomUUID } from 'node:crypto';
import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { asChannelError } from './channels/channel.ts';
import { ageS, type ChannelRuntime, type OutboxHealth } from './outbox-health.ts';
import { mergeNotifications } from './outbox-merge.ts';
import type { OutboxRow, OutboxStore } from './outbox-store.ts';
import { backoffMs } from './outbox-timing.ts';

export interface DispatcherDeps {
  store: OutboxStore;
  channels: ReadonlyMap<string, ChannelRuntime>;
  now: () => number;
  log: Logger;
  random?: () => number;
  /** Wall-clock ms between looks at the table (enqueue also wakes it at once). */
  pollMs?: number;
  /** A claim older than this with no outcome is in doubt and is taken again. */
  claimTimeoutMs: number;
  /**
   * True when this process is the only dispatcher (SQLite): a claim from before its
   * start was its own previous life's and is in doubt at once, not after the timeout.
   */
  soleDispatcher: boolean;
}

/** Rows read per look: enough that one batch message carries a whole storm's backlog. */
const BATCH_ROWS = 5000;

/**
 * Sends the outbox's due rows (issue 12): claim → send → mark, one row at a time per
 * channel (channels in parallel), retrying with backoff and jitter up to the channel's
 * limit, then giving up loudly. Delivery boundary: a row is claimed (committed) before its
 * send and marked after it, so a crash between the two leaves it claimed with no outcome;
 * it is sent again after the restart (at least once, flagged "in doubt", carrying the
 * same key for receivers that deduplicate). Every other row is sent exactly once.
 */
export class OutboxDispatcher implements Component {
  readonly name = 'alerts.outbox';
  private readonly owner = randomUUID();
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** Channels in the middle of a turn (sending rows one after the other). */
  private readonly busy = new Map<string, Promise<void>>();
  private stopping = true;
  private unknown: string[] = [];
  private queued = 0;
  private oldestAt: number | null = null;

  constructor(private readonly deps: DispatcherDeps) {}

  async start(): Promise<void> {
    this.stopping = false;
    this.startedAt = this.deps.now();
    const longest = Math.max(0, ...[...this.deps.channels.values()].map(windowMs));
    const sent = await this.deps.store.sentSince(this.startedAt - longest);
    for (const [id, times] of sent) this.deps.channels.get(id)?.window.seed(times);
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
    await Promise.all(this.busy.values());
    for (const rt of this.deps.channels.values()) await rt.channel?.close?.();
  }

  /** Look at the table now (new rows were written). */
  wake(): void {
    if (this.stopping) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.tick().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      } else this.schedule();
    });
  }

  health(): OutboxHealth {
    const now = this.deps.now();
    return {
      channels: [...this.deps.channels.values()].map((rt) => rt.health(now)),
      queued: this.queued,
      oldestQueuedS: ageS(this.oldestAt, now),
      unknownChannels: this.unknown,
    };
  }

  private schedule(): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => this.wake(), this.deps.pollMs ?? 1000);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      const now = this.deps.now();
      // Channels held by their rate limit are not read: their rows wait for a free slot.
      // Nor is a channel still sending its last turn: a slow one never holds up the others.
      const open = [...this.deps.channels.values()]
        .filter((rt) => rt.channel && rt.config.enabled && rt.window.remaining(now) > 0)
        .map((rt) => rt.config.id)
        .filter((id) => !this.busy.has(id));
      const rows = await this.deps.store.due(now, this.staleBefore(now), BATCH_ROWS, open);
      const byChannel = new Map<string, OutboxRow[]>();
      for (const row of rows) {
        const list = byChannel.get(row.channel);
        if (list) list.push(row);
        else byChannel.set(row.channel, [row]);
      }
      for (const [id, list] of byChannel) this.launch(id, list);
      await this.refreshDepth();
    } catch (err) {
      this.deps.log.error({ err }, 'alert outbox: could not read or update the store');
    }
  }

  private launch(id: string, rows: OutboxRow[]): void {
    const turn = this.channelTurn(id, rows)
      .catch((err: unknown) => {
        this.deps.log.error({ err, channel: id }, 'alert outbox: a channel turn failed');
      })
      .finally(() => {
        this.busy.delete(id);
        this.wake(); // more may be due already
      });
    this.busy.set(id, turn);
  }

  private staleBefore(now: number): number {
    const byTimeout = now - this.deps.claimTimeoutMs;
    return this.deps.soleDispatcher ? Math.max(byTimeout, this.startedAt) : byTimeout;
  }

  /**
   * One channel's due rows, within its rate limit: what fits goes one by one; when more
   * are due than the window allows, the last free slot carries all the rest merged.
   */
  private async channelTurn(id: string, rows: OutboxRow[]): Promise<void> {
    const rt = this.deps.channels.get(id);
    if (!rt?.channel || !rt.config.enabled) return; // held: health names unknown channels
    const budget = rt.window.remaining(this.deps.now());
    if (budget <= 0) return;
    if (rows.length <= budget) {
      for (const row of rows) if (!this.stopping) await this.attempt(rt, row);
      return;
    }
    const inDoubt = rows.filter((r) => r.state === 'sending');
    const pending = rows.filter((r) => r.state === 'pending');
    const singles = [...inDoubt, ...pending].slice(0, budget - 1);
    for (const row of singles) if (!this.stopping) await this.attempt(rt, row);
    const rest = pending.filter((r) => !singles.includes(r));
    if (rest.length === 0 || this.stopping) return;
    const batch = rest.length === 1 ? rest[0]! : await this.merge(rt, rest);
    if (batch) await this.attempt(rt, batch);
  }

  private async merge(rt: ChannelRuntime, rest: OutboxRow[]): Promise<OutboxRow | undefined> {
    const now = this.deps.now();
    const notification = mergeNotifications(
      rest.map((r) => r.notification),
      now,
    );
    if (!(await this.deps.store.merge(rest, notification, now))) return undefined;
    rt.counters.merged += rest.length;
    this.deps.log.info(
      { channel: rt.config.id, parts: rest.length, batch: notification.key },
      'alert outbox: rate limit reached, queued messages merged into one',
    );
    const merged = rest.reduce((sum, r) => sum + r.merged, 0);
    return {
      key: notification.key,
      channel: rt.config.id,
      notification,
      state: 'pending',
      attempts: 0,
      merged,
      createdAt: notification.createdAt,
    };
  }

  private async attempt(rt: ChannelRuntime, row: OutboxRow): Promise<void> {
    const { store, now } = this.deps;
    const claimedAt = now();
    if (!(await store.claim(row, this.owner, claimedAt, this.staleBefore(claimedAt)))) return;
    rt.window.record(claimedAt);
    const delivery = {
      key: row.key,
      attempt: row.attempts + 1,
      inDoubt: row.state === 'sending',
      merged: row.merged,
    };
    try {
      const receipt = await rt.channel!.send(row.notification, delivery);
      await store.markSent(row.key, this.owner, receipt.id, now());
      rt.succeeded(now());
    } catch (err) {
      await this.failed(rt, row, delivery.attempt, err);
    }
  }

  private async failed(rt: ChannelRuntime, row: OutboxRow, attempt: number, err: unknown) {
    const error = asChannelError(err);
    const { store, now, log } = this.deps;
    rt.failed(error.message);
    const policy = rt.config.retry;
    if (!error.retryable || attempt >= policy.maxAttempts) {
      await store.markGaveUp(row.key, this.owner, error.message, now());
      rt.gaveUp(row.key, error.message);
      log.error(
        { channel: rt.config.id, key: row.key, attempt, err: error.message },
        'alert outbox: gave up',
      );
      return;
    }
    const delay = Math.max(
      backoffMs(policy, attempt, this.deps.random ?? Math.random),
      error.retryAfterMs ?? 0,
    );
    await store.markRetry(row.key, this.owner, error.message, now() + delay, now());
    rt.counters.retried++;
    log.warn(
      { channel: rt.config.id, key: row.key, attempt, retryInMs: delay, err: error.message },
      'alert outbox: send failed, will retry',
    );
  }

  private async refreshDepth(): Promise<void> {
    const depth = await this.deps.store.depth();
    let queued = 0;
    let oldest: number | null = null;
    for (const [id, d] of depth) {
      queued += d.queued;
      if (d.oldestAt !== null && (oldest === null || d.oldestAt < oldest)) oldest = d.oldestAt;
      const rt = this.deps.channels.get(id);
      if (rt) Object.assign(rt, { queued: d.queued, oldestAt: d.oldestAt });
    }
    for (const [id, rt] of this.deps.channels) {
      if (!depth.has(id)) Object.assign(rt, { queued: 0, oldestAt: null });
    }
    this.unknown = [...depth.keys()].filter((id) => !this.deps.channels.has(id));
    this.queued = queued;
    this.oldestAt = oldest;
  }
}

const windowMs = (rt: ChannelRuntime) => (rt.config.rateLimit?.perS ?? 0) * 1000;
