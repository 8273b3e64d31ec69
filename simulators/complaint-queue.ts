import type { Logger } from '../src/core/logger.ts';
import { type ComplaintSink, type Outcome, RETRY_OUTCOMES } from './complaint-sinks.ts';
import type { Complaint } from './complaints.ts';

/**
 * Residents' calls on their way to heatnet, in the order they were made: one in
 * flight at a time, the head retried with its idempotency key and a capped backoff
 * while heatnet is unreachable or answers 5xx/408/429 (a restart, a deploy), so a
 * call is neither lost nor doubled. Calls made meanwhile wait in a bounded queue;
 * past its bound new calls are dropped and counted.
 */

export interface DeliveryOptions {
  /** Calls waiting at most (the one in flight included). */
  maxPending?: number;
  /** First wait before a retry; doubles up to `maxBackoffMs`. */
  firstBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Per call (delivered, rejected, not-found, dropped) or per attempt (unreachable, unavailable). */
export type DeliveryCounts = Record<Outcome | 'dropped', number>;

const DEFAULTS: Required<DeliveryOptions> = {
  maxPending: 10_000,
  firstBackoffMs: 500,
  maxBackoffMs: 30_000,
};

export class DeliveryQueue {
  readonly counts: DeliveryCounts = {
    delivered: 0,
    'not-found': 0,
    rejected: 0,
    unreachable: 0,
    unavailable: 0,
    dropped: 0,
  };
  private readonly options: Required<DeliveryOptions>;
  private readonly queue: Complaint[] = [];
  private readonly warned = new Set<string>();
  private readonly stopper = new AbortController();
  private draining: Promise<void> | undefined;

  constructor(
    private readonly sink: ComplaintSink,
    private readonly log: Logger,
    options: DeliveryOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  get pending(): number {
    return this.queue.length;
  }

  get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  push(call: Complaint): void {
    if (this.stopper.signal.aborted) return;
    if (this.queue.length >= this.options.maxPending) {
      this.counts.dropped++;
      this.warnOnce('dropped', `more than ${this.options.maxPending} calls waiting; dropping`);
      return;
    }
    this.queue.push(call);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Stops retrying and abandons what waits (the simulator is stopping); returns how many. */
  async stop(): Promise<number> {
    this.stopper.abort();
    await this.draining;
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    let backoffMs = this.options.firstBackoffMs;
    const signal = this.stopper.signal;
    while (this.queue.length > 0 && !signal.aborted) {
      const { outcome, status, detail } = await this.sink.send(this.queue[0]!, signal);
      if (signal.aborted) return;
      this.counts[outcome]++;
      // A kind is the outcome and its status: a 400 and a 422 say different things.
      if (outcome !== 'delivered') this.warnOnce(outcome, detail ?? outcome, status);
      if (!RETRY_OUTCOMES.has(outcome)) {
        this.queue.shift();
        backoffMs = this.options.firstBackoffMs;
        continue;
      }
      await sleep(backoffMs, signal);
      backoffMs = Math.min(2 * backoffMs, this.options.maxBackoffMs);
    }
  }

  /** Once per kind: a missing endpoint or a long outage would otherwise flood the log. */
  private warnOnce(outcome: Outcome | 'dropped', detail: string, status?: number): void {
    const kind = `${outcome} ${status ?? ''}`;
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    const retrying = outcome !== 'dropped' && RETRY_OUTCOMES.has(outcome);
    this.log.warn(
      { target: this.sink.target, outcome, status, detail },
      retrying ? 'complaint not delivered yet; retrying with its key' : 'complaint not delivered',
    );
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
