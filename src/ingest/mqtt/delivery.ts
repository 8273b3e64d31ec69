import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../core/logger.ts';
import type { Reading } from '../../core/reading.ts';
import { backoffDelay } from './backoff.ts';

/**
 * Where readings go. Resolves once they are durable (written to the database or the disk
 * spool); a plain `void` function counts as durable on return (the old fire-and-forget
 * sink, kept so existing callers compile unchanged).
 */
export type Accept = (readings: Reading[]) => void | Promise<void>;

/** Counters shared by all connections of one ingestor (they survive reconnects). */
export interface DeliveryStats {
  acked: number;
  acceptFailures: number;
  /** QoS 0 readings storage refused: QoS 0 has no redelivery, so they are gone. */
  droppedQos0: number;
}

export interface DeliveryOptions {
  accept: Accept;
  /** Writes a PUBACK on this session's connection. */
  sendAck(messageId: number): void;
  stats: DeliveryStats;
  log: Logger;
  retryMinMs: number;
  retryMaxMs: number;
}

interface Ticket {
  messageId: number;
  done: boolean;
}

interface Item {
  readings: Reading[];
  ticket: Ticket | undefined;
}

/**
 * The QoS 1 deliveries of one connection. Each message's readings go to `accept`; its
 * PUBACK goes out only once they are durable, and always in the order the PUBLISHes came
 * (MQTT 3.1.1 §4.6, MQTT 5 §4.6), so one slow write holds back the acks behind it.
 *
 * When `accept` rejects, the message stays unacknowledged. A broker never resends on the
 * same connection (MQTT 5 §4.4 forbids it; 3.1.1 brokers resend only on reconnect), so
 * failed readings are retried here, together in one call, with jittered backoff. Meanwhile
 * the unacknowledged messages fill the broker's in-flight window (our Receive Maximum),
 * which stops it sending more: backpressure instead of an unbounded buffer. If the
 * connection drops first, the session is closed and the broker redelivers everything
 * unacknowledged on the next connection; a PUBACK is never sent on a connection other
 * than the one the PUBLISH came on.
 */
export class DeliverySession {
  private readonly order: Ticket[] = [];
  private retrying: Item[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  /** Failed accepts in the current streak, for logging once per streak. */
  private failures = 0;
  /** Failed retry rounds in a row, for the backoff. */
  private rounds = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
  private draining = false;

  constructor(private readonly options: DeliveryOptions) {}

  /** Unacknowledged QoS 1 messages of this connection. */
  get pending(): number {
    return this.order.length;
  }

  /** `messageId` for QoS 1 (acknowledged once durable), undefined for QoS 0. */
  deliver(readings: Reading[], messageId?: number): void {
    const ticket = messageId === undefined ? undefined : { messageId, done: false };
    if (ticket) this.order.push(ticket);
    // Nothing to store (malformed, no matching subscription): acknowledge in turn, or the
    // broker would resend a bad payload forever.
    if (readings.length === 0) {
      if (ticket) this.settle(ticket);
      return;
    }
    this.attempt([{ readings, ticket }], false);
  }

  /**
   * For a clean stop: no more retries, wait (bounded) for accepts already running so their
   * acks still go out and the next session starts with fewer redeliveries.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    this.clearRetries();
    if (this.inFlight.size === 0) return;
    const ac = new AbortController();
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      sleep(timeoutMs, undefined, { signal: ac.signal }).catch(() => {}),
    ]);
    ac.abort();
  }

  /** The connection is gone: its packet ids mean nothing any more, so no ack may follow. */
  close(): void {
    this.closed = true;
    this.clearRetries();
    this.order.length = 0;
  }

  private attempt(items: Item[], retry: boolean): void {
    const readings = items.length === 1 ? items[0]!.readings : items.flatMap((i) => i.readings);
    // Through an async function, so a sink that throws synchronously counts as a rejection.
    const run = (async () => this.options.accept(readings))().then(
      () => this.succeeded(items),
      (err: unknown) => this.failed(items, err, retry),
    );
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  private succeeded(items: Item[]): void {
    if (this.failures > 0) {
      this.options.log.info({ after: this.failures }, 'storage accepts MQTT readings again');
      this.failures = 0;
    }
    this.rounds = 0;
    for (const item of items) if (item.ticket) this.settle(item.ticket);
  }

  private failed(items: Item[], err: unknown, retry: boolean): void {
    const { stats, log } = this.options;
    stats.acceptFailures++;
    const lost = items.filter((i) => !i.ticket);
    for (const item of lost) stats.droppedQos0 += item.readings.length;
    // One log line per failure streak; the counters carry the rest.
    if (this.failures++ === 0) {
      log.warn({ err, dropped: lost.length }, 'storage refused MQTT readings; QoS 1 not acked');
    }
    if (this.closed || this.draining) return; // the broker redelivers them next session
    if (retry) this.rounds++;
    this.retrying.push(...items.filter((i) => i.ticket));
    if (this.retryTimer || this.retrying.length === 0) return;
    const { retryMinMs, retryMaxMs } = this.options;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        const batch = this.retrying.splice(0);
        if (batch.length > 0 && !this.closed) this.attempt(batch, true);
      },
      backoffDelay(this.rounds, retryMinMs, retryMaxMs),
    );
    this.retryTimer.unref();
  }

  private settle(ticket: Ticket): void {
    ticket.done = true;
    if (this.closed) return;
    while (this.order[0]?.done) {
      const head = this.order.shift()!;
      this.options.sendAck(head.messageId);
      this.options.stats.acked++;
    }
  }

  private clearRetries(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retrying = [];
  }
}
