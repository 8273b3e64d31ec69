import { type AlertSink, noAlerts } from '../core/alerts.ts';
import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import type { Reading } from '../core/reading.ts';
import { Alarms } from './alarms.ts';
import { DatabaseStatus } from './db-status.ts';
import { deliver } from './delivery.ts';
import { LineBuffer, type Taken } from './line-buffer.ts';
import type { Spool, SpoolStats } from './spool.ts';
import { SpoolLane } from './spool-lane.ts';
import { failureKind, type LineTransport } from './transport.ts';

export interface WriterOptions {
  /** Where the credentials and spool-full alerts go (none: not raised). */
  alerts?: AlertSink;
  batchSize: number;
  flushIntervalMs: number;
  /** Memory bound: beyond it the oldest lines are dropped (and counted). */
  maxBufferedLines: number;
  /** Where unsent lines go at shutdown when neither the database nor the spool takes them. */
  fallback?: LineTransport;
  /** The disk spool in front of the database (none for the local store: that is disk). */
  spool?: Spool;
  /** How long failed writes are retried from memory before batches go to the spool. */
  spoolAfterMs?: number;
  /** Buffered lines beyond which batches go to the spool even while the database answers. */
  spoolAtLines?: number;
  /** Longest wait between attempts while the database fails (default 10 s). */
  maxBackoffMs?: number;
  /**
   * Batches sent to the database at once (default 1). More keep a burst moving while
   * one request waits on the database; batches may then land out of order, which
   * points that carry their own timestamps do not mind.
   */
  maxInFlight?: number;
}

export interface StorageHealth {
  kind: LineTransport['kind'];
  target: string;
  state: 'ok' | 'retrying' | 'failing';
  authFailed: boolean;
  backlogLines: number;
  writtenLines: number;
  rejectedLines: number;
  droppedLines: number;
  failedAttempts: number;
  lastWriteAt: number | null;
  lastError: string | null;
  spool: (SpoolStats & { lastError: string | null }) | null;
}

const SPOOL_AFTER_MS = 5_000;
const SPOOL_RETRY_MS = 1_000;

/**
 * Buffers readings as line protocol and sends them in batches (size or interval, whichever
 * comes first), up to `maxInFlight` batches at a time (those taken together are settled
 * together; a failed one goes back in front in its order). delivery.ts splits around
 * 413 and 400/422; 429/5xx/no answer back off with jitter, honouring Retry-After.
 *
 * With a spool, a database that stays unreachable past a short in-memory retry (or a
 * buffer that grows past `spoolAtLines`) turns the writer to "diverting": every batch goes
 * to disk, and the database is fed from the spool, oldest first, until it is empty; only
 * then do batches go straight to the database again. So order holds across an outage,
 * and memory stays small. Two lanes run side by side — database sends and spool appends —
 * and never take from memory at the same time, so lines settle in arrival order.
 */
export class BatchingWriter implements Component {
  readonly name = 'storage';
  private readonly buffer: LineBuffer;
  private readonly disk: SpoolLane | undefined;
  private readonly db: DatabaseStatus;
  private ready: boolean;
  private stopping = false;
  private stopped = false;
  private diverting = false;
  private timer: NodeJS.Timeout | undefined;
  /** Database sends and spool appends: at most one of each at a time. */
  private readonly lanes: { db?: Promise<void> | undefined; disk?: Promise<void> | undefined } = {};
  /** Batches from memory on their way to the database, oldest first. */
  private memoryInFlight: Taken[] | undefined;
  private diskInFlight: Taken | undefined;
  private diskRetryAt = 0;
  /** Failed attempts to move memory anywhere (database or spool): flush() stops on one. */
  private laneFailures = 0;
  private droppedLines = 0;
  private readonly spoolAt: number;

  constructor(
    private readonly transport: LineTransport,
    private readonly options: WriterOptions,
    private readonly log: Logger,
  ) {
    this.buffer = new LineBuffer(options.batchSize);
    const alarms = new Alarms(options.alerts ?? noAlerts);
    this.db = new DatabaseStatus(alarms, log, options.maxBackoffMs);
    const spool = options.spool;
    this.disk = spool && new SpoolLane(spool, transport, this.db, alarms, log);
    this.ready = spool === undefined;
    this.spoolAt =
      options.spoolAtLines ?? Math.min(options.maxBufferedLines / 2, 10 * options.batchSize);
  }

  async start(): Promise<void> {
    if (this.disk) {
      await this.disk.spool.open();
      this.diverting = !this.disk.spool.isEmpty();
      this.ready = true;
    }
    this.timer = setInterval(() => this.tick(true), this.options.flushIntervalMs);
    this.timer.unref();
    this.log.info({ kind: this.transport.kind, target: this.transport.target }, 'storage ready');
    this.tick(false);
  }

  /** Fire and forget: the readings are buffered and written in the background. */
  write(readings: readonly Reading[]): void {
    this.enqueue(readings, false);
  }

  /**
   * Resolves once the readings are durable: written to the database, to the spool or to
   * the local store. Rejects if they were dropped from memory first (only when the
   * buffer overflows), so a caller that acknowledges on it never acknowledges a loss.
   */
  accept(readings: readonly Reading[]): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('storage is stopped'));
    return this.enqueue(readings, true) ?? Promise.resolve();
  }

  /**
   * Moves everything buffered now to the database (or the spool while diverting);
   * resolves when the buffer is empty or an attempt failed with nowhere else to go.
   */
  async flush(): Promise<void> {
    this.db.retryAt = 0;
    this.diskRetryAt = 0;
    while (this.ready && (this.buffer.size > 0 || this.memoryInFlight || this.lanes.disk)) {
      const failures = this.laneFailures;
      this.tick(true);
      const lane = this.memoryInFlight ? this.lanes.db : (this.lanes.disk ?? this.lanes.db);
      if (!lane) return;
      await lane;
      const failed = this.laneFailures > failures;
      if (failed && !this.divert('flush after a failed write')) return;
    }
  }

  /** Flushes to the database or the spool; what neither takes goes to `fallback`. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    // A database that is failing now gets no second chance to hold up the shutdown.
    if (this.db.consecutiveFailures > 0) this.divert('shutdown');
    await this.flush();
    // Lines from memory are waited for; a spool record in flight stays on disk for next time.
    await Promise.all([this.memoryInFlight && this.lanes.db, this.lanes.disk]);
    await this.rescue();
    this.stopped = true;
    await this.disk?.spool.close();
    await this.transport.close?.();
  }

  health(): StorageHealth {
    const inFlight = [...(this.memoryInFlight ?? []), this.diskInFlight];
    return {
      kind: this.transport.kind,
      target: this.transport.target,
      state: this.db.state(),
      authFailed: this.db.authFailed,
      backlogLines: inFlight.reduce((n, t) => n + (t?.count ?? 0), this.buffer.size),
      ...this.db.stats,
      droppedLines: this.droppedLines,
      spool: this.disk?.stats() ?? null,
    };
  }

  private enqueue(readings: readonly Reading[], durable: boolean): Promise<void> | undefined {
    const before = this.buffer.size;
    const settled = this.buffer.pushReadings(readings, durable);
    if (this.buffer.size === before) return undefined;
    this.enforceBound();
    if (this.buffer.size >= this.spoolAt) this.divert(`buffer passed ${this.spoolAt} lines`);
    if (this.buffer.size >= this.options.batchSize) this.tick(false);
    return settled;
  }

  private enforceBound(): void {
    const excess = this.buffer.size - this.options.maxBufferedLines;
    if (excess <= 0) return;
    this.buffer.dropOldest(excess, new Error('storage buffer full: readings dropped'));
    this.droppedLines += excess;
    this.log.warn({ dropped: excess }, 'write buffer full: oldest lines dropped');
  }

  /** Sends batches to the disk from now on; false if there is no spool (or already). */
  private divert(reason: string): boolean {
    if (!this.disk || this.diverting) return false;
    this.diverting = true;
    this.log.warn({ reason, spool: this.disk.spool.dir }, 'writing batches to the disk spool');
    return true;
  }

  private tick(partialOk: boolean): void {
    if (!this.ready || this.stopped) return;
    this.startDiskLane(partialOk);
    this.startDbLane(partialOk);
  }

  private batchDue(partialOk: boolean): boolean {
    return this.buffer.size >= this.options.batchSize || (partialOk && this.buffer.size > 0);
  }

  private startDbLane(partialOk: boolean): void {
    if (this.lanes.db || Date.now() < this.db.retryAt) return;
    if (this.diverting) {
      // At shutdown the spool stays for the next start: no time for the database now.
      if (!this.stopping) this.run('db', this.drainOne());
      return;
    }
    if (!this.batchDue(partialOk)) return;
    const { batchSize, maxInFlight = 1 } = this.options;
    const batches = [this.buffer.take(batchSize)];
    // Further batches only when full: a trickle goes out as one batch per interval.
    while (batches.length < maxInFlight && this.buffer.size >= batchSize) {
      batches.push(this.buffer.take(batchSize));
    }
    this.memoryInFlight = batches;
    this.run('db', this.sendMemory(batches));
  }

  private run(lane: 'db' | 'disk', work: Promise<boolean>): void {
    this.lanes[lane] = work.then((progress) => {
      this.lanes[lane] = undefined;
      if (progress && !this.stopping) this.tick(false);
    });
  }

  private startDiskLane(partialOk: boolean): void {
    if (!this.diverting || this.lanes.disk || this.memoryInFlight) return;
    if (!this.batchDue(partialOk) || Date.now() < this.diskRetryAt) return;
    this.diskInFlight = this.buffer.take(this.options.batchSize);
    this.run('disk', this.spoolBatch(this.diskInFlight));
  }

  /** Sends the batches side by side; what failed goes back in front, in its order. */
  private async sendMemory(batches: Taken[]): Promise<boolean> {
    const outcomes = await Promise.allSettled(batches.map((t) => deliver(this.transport, t)));
    this.memoryInFlight = undefined;
    const failed: Taken[] = [];
    let error: unknown;
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'rejected') {
        failed.push(batches[i]!);
        error ??= outcome.reason;
        return;
      }
      this.buffer.settle(batches[i]!);
      this.db.delivered(outcome.value);
    });
    if (failed.length === 0) return true;
    this.laneFailures++;
    for (let i = failed.length - 1; i >= 0; i--) this.buffer.putBack(failed[i]!);
    this.enforceBound();
    this.db.failed(error);
    const outOfTime = this.db.failingLongerThan(this.options.spoolAfterMs ?? SPOOL_AFTER_MS);
    if (failureKind(error) === 'auth' || outOfTime) {
      this.divert(`database unreachable: ${this.db.stats.lastError}`);
    }
    return this.diverting;
  }

  /**
   * Sends the spool's oldest record; switches back to direct writes as soon as it is empty
   * (right after the last record, not a tick later: a batch written in between would go to
   * disk again although the database is back).
   */
  private async drainOne(): Promise<boolean> {
    const disk = this.disk!;
    const outcome = await disk.sendOldest();
    if (outcome === 'failed') return false;
    if (!disk.spool.isEmpty() || this.lanes.disk) return outcome === 'sent';
    this.diverting = false;
    disk.drained();
    return true;
  }

  private async spoolBatch(taken: Taken): Promise<boolean> {
    const ok = await this.disk!.append(taken.lines);
    this.diskInFlight = undefined;
    if (ok) {
      this.buffer.settle(taken);
      return true;
    }
    this.laneFailures++;
    this.buffer.putBack(taken);
    this.enforceBound();
    this.diskRetryAt = Date.now() + SPOOL_RETRY_MS;
    return false;
  }

  /** Last resort at shutdown: what neither the database nor the spool took. */
  private async rescue(): Promise<void> {
    if (this.buffer.size === 0) return;
    const taken = this.buffer.take(this.buffer.size);
    const fallback = this.options.fallback;
    try {
      if (!fallback) throw new Error('no fallback store');
      await fallback.send(taken.lines);
      this.buffer.settle(taken);
      this.log.warn(
        { lines: taken.count, to: fallback.target },
        'database unreachable at shutdown: unsent lines stored (heatnet replay-spool)',
      );
    } catch (err) {
      // Put back only to drop: that rejects the promises of accept() callers.
      this.buffer.putBack(taken);
      this.buffer.dropOldest(taken.count, new Error('storage stopped before writing'));
      this.droppedLines += taken.count;
      this.log.error({ err, lines: taken.count }, 'lines lost at shutdown');
    }
  }
}
