import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import type { Reading } from '../ingest/reading.ts';
import { toLine } from './line-protocol.ts';
import { type LineTransport, TransportError } from './transport.ts';

export interface WriterOptions {
  batchSize: number;
  flushIntervalMs: number;
  /** Memory bound: beyond it the oldest lines are dropped (and counted). */
  maxBufferedLines: number;
  /** Where unsent lines go at shutdown when the database cannot take them. */
  fallback?: LineTransport;
}

export interface StorageHealth {
  kind: LineTransport['kind'];
  target: string;
  state: 'ok' | 'retrying' | 'failing';
  backlogLines: number;
  writtenLines: number;
  rejectedLines: number;
  droppedLines: number;
  failedAttempts: number;
  lastWriteAt: number | null;
  lastError: string | null;
}

const MAX_BACKOFF_MS = 30_000;
/** Consecutive failed attempts after which storage reports `failing`, not `retrying`. */
const FAILING_AFTER = 5;

/**
 * Buffers readings as line protocol and sends them in batches (size or interval,
 * whichever comes first), one batch in flight at a time so order is kept.
 * Retryable failures back off with jitter, honouring Retry-After; lines the server
 * rejects as invalid (400/422) are dropped, counted and the first one logged.
 */
export class BatchingWriter implements Component {
  readonly name = 'storage';
  private buffer: string[] = [];
  /** The batch being sent; out of `buffer` so dropping oldest lines never touches it. */
  private sending: string[] = [];
  private consecutiveFailures = 0;
  private authFailed = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private retryAt = 0;
  private backoffMs = 500;
  private stopping = false;
  private loggedRejected = false;
  private readonly stats = {
    writtenLines: 0,
    rejectedLines: 0,
    droppedLines: 0,
    failedAttempts: 0,
    lastWriteAt: null as number | null,
    lastError: null as string | null,
  };

  constructor(
    private readonly transport: LineTransport,
    private readonly options: WriterOptions,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.timer = setInterval(() => this.tick(), this.options.flushIntervalMs);
    this.timer.unref();
    this.log.info({ kind: this.transport.kind, target: this.transport.target }, 'storage ready');
  }

  write(readings: readonly Reading[]): void {
    for (const r of readings) {
      const line = toLine(r);
      if (line !== undefined) this.buffer.push(line);
    }
    this.enforceBound();
    if (this.buffer.length >= this.options.batchSize) this.tick();
  }

  /** Sends everything buffered now; resolves when the buffer is empty or sending fails. */
  async flush(): Promise<void> {
    while (this.buffer.length > 0 || this.inFlight) {
      if (this.inFlight) {
        await this.inFlight;
        continue;
      }
      const before = this.buffer.length;
      this.retryAt = 0;
      this.tick();
      await this.inFlight;
      if (this.buffer.length >= before && this.stats.lastError) return;
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.inFlight;
    await this.flush();
    if (this.buffer.length > 0 && this.options.fallback) {
      const lines = this.buffer.splice(0);
      await this.options.fallback.send(lines);
      this.log.warn(
        { lines: lines.length, to: this.options.fallback.target },
        'database unreachable at shutdown: unsent lines spooled to disk (heatnet replay-spool)',
      );
    }
    await this.transport.close?.();
  }

  health(): StorageHealth {
    const failing = this.authFailed || this.consecutiveFailures >= FAILING_AFTER;
    const state = this.stats.lastError === null ? 'ok' : failing ? 'failing' : 'retrying';
    return {
      kind: this.transport.kind,
      target: this.transport.target,
      state,
      backlogLines: this.buffer.length + this.sending.length,
      ...this.stats,
    };
  }

  /** Puts an unsent batch back in front, then enforces the memory bound. */
  private requeue(batch: string[]): void {
    this.buffer.unshift(...batch);
    this.enforceBound();
  }

  private enforceBound(): void {
    const excess = this.buffer.length - this.options.maxBufferedLines;
    if (excess <= 0) return;
    this.buffer.splice(0, excess);
    this.stats.droppedLines += excess;
    this.log.warn({ dropped: excess }, 'write buffer full: oldest lines dropped');
  }

  private tick(): void {
    if (this.inFlight || this.buffer.length === 0 || Date.now() < this.retryAt) return;
    const batch = this.buffer.splice(0, this.options.batchSize);
    this.sending = batch;
    this.inFlight = this.send(batch).finally(() => {
      this.inFlight = undefined;
      if (!this.stopping && this.buffer.length >= this.options.batchSize) this.tick();
    });
  }

  private async send(batch: string[]): Promise<void> {
    try {
      await this.transport.send(batch);
      this.sending = [];
      this.stats.writtenLines += batch.length;
      this.stats.lastWriteAt = Date.now();
      this.stats.lastError = null;
      this.retryAt = 0;
      this.backoffMs = 500;
      this.consecutiveFailures = 0;
      this.authFailed = false;
    } catch (err) {
      this.sending = [];
      this.stats.failedAttempts++;
      this.consecutiveFailures++;
      const message = err instanceof Error ? err.message : String(err);
      this.stats.lastError = message;
      if (err instanceof TransportError && !err.retryable) {
        this.rejectBatch(batch, err);
        return;
      }
      this.requeue(batch);
      const wait =
        err instanceof TransportError && err.retryAfterMs ? err.retryAfterMs : this.backoffMs;
      this.retryAt = Date.now() + wait * (0.8 + Math.random() * 0.4);
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
      this.log.warn({ err: message, retryInMs: Math.round(wait) }, 'write failed; will retry');
    }
  }

  private rejectBatch(batch: string[], err: TransportError): void {
    // 401/403 will not heal by dropping data: keep the lines and surface the error.
    if (err.status === 401 || err.status === 403) {
      this.requeue(batch);
      this.authFailed = true;
      this.retryAt = Date.now() + MAX_BACKOFF_MS;
      this.log.error({ err: err.message }, 'storage refused our credentials; writes paused');
      return;
    }
    this.stats.rejectedLines += batch.length;
    this.stats.lastError = null;
    if (!this.loggedRejected) {
      this.loggedRejected = true;
      this.log.error({ err: err.message, firstLine: batch[0] }, 'storage rejected lines; dropped');
    }
  }
}
