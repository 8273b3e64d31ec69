import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../core/logger.ts';
import type { Reading } from '../../core/reading.ts';
import { AckQueue, SeqRanges } from './ack-queue.ts';
import { backoffDelay } from './backoff.ts';
import { RetryLog } from './retry-log.ts';

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

/**
 * Accept calls that returned the same promise: the storage writer hands every caller of
 * one batch the same promise, so a burst costs one handler per batch, not per message.
 */
class Group {
  /** Its batches' QoS 1 readings, for a retry: compact, so they die young (issue 14). */
  readonly log = new RetryLog();
  /** Their messages' places in the ack queue, in order, as ranges (see `SeqRanges`). */
  readonly seqs = new SeqRanges();
  /** QoS 0 readings in the group: lost if it fails (no redelivery). */
  qos0 = 0;
  calls = 0;
  settled = false;
  /** A retry of failed messages (its failure counts as a round for the backoff). */
  retry = false;

  constructor(readonly promise: Promise<void> | undefined) {}
}
/** Messages added since the last flush. */
interface Batch {
  /** Every reading, in arrival order: what `accept` gets. */
  readings: Reading[];
  /** The QoS 1 readings alone, once a QoS 0 one is among them. */
  durable: Reading[] | undefined;
  qos0: number;
  seqs: SeqRanges;
}

const emptyBatch = (): Batch => ({
  readings: [],
  durable: undefined,
  qos0: 0,
  seqs: new SeqRanges(),
});

/**
 * The QoS 1 deliveries of one connection. Each message's readings go to `accept` (one
 * call per batch: the messages of one socket read, or a single message); its PUBACK goes
 * out only once they are durable, and always in the order the PUBLISHes came
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
  private readonly order = new AckQueue();
  private batch = emptyBatch();
  private retrying: Group[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  /** The group an accept returning the same promise joins. */
  private current: Group | undefined;
  /** Failed accepts in the current streak, for logging once per streak. */
  private failures = 0;
  /** Failed retry rounds in a row, for the backoff. */
  private rounds = 0;
  private readonly inFlight = new Set<Promise<void>>();
  /** Readings `accept` refused during the current call (see `keepAsIs`). */
  private asIs: Set<Reading> | undefined;
  private closed = false;
  private draining = false;

  constructor(private readonly options: DeliveryOptions) {}

  /** Unacknowledged QoS 1 messages of this connection. */
  get pending(): number {
    return this.order.size;
  }

  /** `messageId` for QoS 1 (acknowledged once durable), undefined for QoS 0. */
  deliver(readings: Reading[], messageId?: number): void {
    this.add(readings, messageId);
    this.flush();
  }

  /**
   * One message of a batch (issue 14: a socket read's messages go to `accept` in one
   * call, not one call each): its place in the ack order is taken now, its readings go
   * with the batch at `flush`. A message with nothing to store is acknowledged in turn.
   */
  add(readings: readonly Reading[], messageId?: number): void {
    const out = this.batch.readings;
    for (const r of readings) out.push(r);
    this.added(readings.length, messageId);
  }

  /**
   * The readings the caller just pushed to `batchReadings()` (the last `count` of it)
   * are one message's: as `add`, without an array per message.
   */
  added(count: number, messageId?: number): void {
    const b = this.batch;
    if (messageId !== undefined) b.seqs.add(this.order.push(messageId));
    if (count === 0) return;
    if (messageId === undefined) {
      // QoS 0 in the batch: from here on the QoS 1 readings (kept for a retry) differ.
      b.durable ??= b.readings.slice(0, b.readings.length - count);
      b.qos0 += count;
      return;
    }
    const durable = b.durable;
    if (durable)
      for (let i = b.readings.length - count; i < b.readings.length; i++)
        durable.push(b.readings[i]!);
  }

  /**
   * A reading `accept` refused during its call (say, a time too far ahead): a retry hands
   * it back as the very object, so whoever counts refusals by reading counts it once.
   */
  keepAsIs(reading: Reading): void {
    this.asIs ??= new Set();
    this.asIs.add(reading);
  }

  /** The batch's readings, for a router to push a message's readings onto (see `added`). */
  batchReadings(): Reading[] {
    return this.batch.readings;
  }

  /** Hands the batch built by `add` to `accept`, in one call. */
  flush(): void {
    const { readings, seqs, qos0, durable } = this.batch;
    if (seqs.empty && readings.length === 0) return;
    this.batch = emptyBatch();
    // Nothing to store (malformed, no matching subscription): acknowledge in turn, or the
    // broker would resend a bad payload forever.
    if (readings.length === 0) {
      this.settle(seqs);
      return;
    }
    const result = this.call(readings);
    const group = this.groupFor(result);
    group.calls++;
    group.qos0 += qos0;
    this.keep(group, durable ?? readings, seqs);
    if (result === undefined) this.succeeded(group);
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
    this.order.clear();
  }

  /** A batch's readings and ack places, in the group settled with them. */
  private keep(group: Group, readings: readonly Reading[], seqs: SeqRanges): void {
    group.log.append(readings, this.asIs);
    this.asIs = undefined;
    group.seqs.addAll(seqs);
  }

  /** The open group for this promise, or a new one. */
  private groupFor(result: void | Promise<void>): Group {
    const open = this.current;
    if (open && result !== undefined && open.promise === result && !open.settled) return open;
    const group = this.track(result);
    if (result !== undefined) this.current = group;
    return group;
  }

  /** A new group, with one handler for all its messages when the accept is pending. */
  private track(result: void | Promise<void>): Group {
    const promise = result === undefined ? undefined : result;
    const group = new Group(promise);
    if (promise === undefined) return group;
    const run = promise.then(
      () => this.succeeded(group),
      (err: unknown) => this.failed(group, err),
    );
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return group;
  }

  private succeeded(group: Group): void {
    group.settled = true;
    if (this.failures > 0) {
      this.options.log.info({ after: this.failures }, 'storage accepts MQTT readings again');
      this.failures = 0;
    }
    this.rounds = 0;
    this.settle(group.seqs);
  }

  private failed(group: Group, err: unknown): void {
    group.settled = true;
    const { stats, log } = this.options;
    stats.acceptFailures += group.calls;
    stats.droppedQos0 += group.qos0;
    // One log line per failure streak; the counters carry the rest.
    if (this.failures++ === 0) {
      log.warn({ err, dropped: group.qos0 }, 'storage refused MQTT readings; QoS 1 not acked');
    }
    if (this.closed || this.draining) return; // the broker redelivers them next session
    if (group.retry) this.rounds++;
    if (!group.seqs.empty) this.retrying.push(group);
    if (this.retryTimer || this.retrying.length === 0) return;
    const { retryMinMs, retryMaxMs } = this.options;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        const batch = this.retrying.splice(0);
        if (batch.length > 0 && !this.closed) this.retry(batch);
      },
      backoffDelay(this.rounds, retryMinMs, retryMaxMs),
    );
    this.retryTimer.unref();
  }

  /** Failed messages again, together in one call. */
  private retry(batch: Group[]): void {
    const readings = batch.flatMap((g) => g.log.readings());
    const seqs = new SeqRanges();
    for (const g of batch) seqs.addAll(g.seqs);
    const group = this.track(this.call(readings));
    group.retry = true;
    group.calls = 1;
    this.keep(group, readings, seqs);
    if (group.promise === undefined) this.succeeded(group);
  }

  /** `accept`, with a sink that throws synchronously counted as a refusal. */
  private call(readings: Reading[]): void | Promise<void> {
    this.asIs = undefined;
    try {
      return this.options.accept(readings);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private settle(seqs: SeqRanges): void {
    if (this.closed) return;
    seqs.each(this.markDone);
    this.order.popDone(this.ack);
  }

  private readonly markDone = (from: number, to: number): void => this.order.markDone(from, to);

  private readonly ack = (messageId: number): void => {
    this.options.sendAck(messageId);
    this.options.stats.acked++;
  };

  private clearRetries(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retrying = [];
  }
}
