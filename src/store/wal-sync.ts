import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

/** Flushes the log to stable storage, off the event loop. */
export type Fsync = () => Promise<void>;

/**
 * A flush longer than this is counted as slow: it alone would make a complaint's answer
 * late (issue 10's 20 ms). On a virtual disk these come from the host, idle or not.
 */
export const SLOW_FLUSH_MS = 20;

/** What the log's flushes took so far (health, metrics, benchmarks). */
export interface LogFlushes {
  count: number;
  seconds: number;
  /** Longer than SLOW_FLUSH_MS. */
  slow: number;
  longestMs: number;
}

/**
 * The log's file, kept open, flushed with fdatasync. An fsync (SQLite's own, or opening,
 * fsyncing and closing the file for each sync, as before) is a metadata change too: on
 * ext4 that commits the filesystem's journal, which first writes out every other file's
 * pending data, so a sync waited for other files' writes (issue 10). fdatasync skips the
 * journal while the file keeps its size, and SQLite reuses its log in place (PASSIVE
 * checkpoints never truncate it). SQLite keeps the log while the store is open, so one
 * descriptor serves it all along.
 */
export class LogFile {
  /** Flushes done, on the loop or in the thread pool. */
  readonly flushes: LogFlushes = { count: 0, seconds: 0, slow: 0, longestMs: 0 };
  private fd: number | undefined;
  /** The last sync started in the thread pool (WalSync runs one at a time): closing waits for it. */
  private running: Promise<void> = Promise.resolve();
  /**
   * The first flush that failed. After a failed fdatasync Linux may drop the log's unwritten
   * pages and report the next flush clean; SQLite stops reading its log at the first frame
   * that does not check out, so a write answered as durable after that could vanish at the
   * next start. Every later flush fails with it until the process restarts, as PostgreSQL
   * does after a failed fsync.
   */
  private failure: Error | undefined;

  constructor(private readonly path: string) {}

  /** Why no write is taken any more (a flush failed), for health; undefined while none has. */
  get failed(): string | undefined {
    return this.failure?.message;
  }

  /** Flushes the log on the calling thread: it waits for the disk, but for this file alone. */
  datasyncNow(): void {
    if (this.failure) throw this.failure;
    const fd = this.descriptor();
    if (fd === undefined) return;
    const started = performance.now();
    try {
      fdatasyncSync(fd);
    } catch (err) {
      throw this.latch(err as Error);
    } finally {
      this.flushed(started);
    }
  }

  /** Flushes the log in libuv's thread pool. */
  readonly datasync: Fsync = () => {
    if (this.failure) return Promise.reject(this.failure);
    const fd = this.descriptor();
    if (fd === undefined) return Promise.resolve();
    const started = performance.now();
    const run = new Promise<void>((resolve, reject) =>
      fdatasync(fd, (err) => {
        this.flushed(started);
        if (err) reject(this.latch(err));
        else resolve();
      }),
    );
    this.running = run.catch(() => undefined);
    return run;
  };

  async close(): Promise<void> {
    await this.running;
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) closeSync(fd);
  }

  private latch(err: Error): Error {
    this.failure ??= new Error(
      `flushing the store's log failed: ${err.message}; ` +
        'no write is taken until heatnet restarts',
      { cause: err },
    );
    return this.failure;
  }

  private flushed(started: number): void {
    const ms = performance.now() - started;
    const f = this.flushes;
    f.count++;
    f.seconds += ms / 1000;
    if (ms > SLOW_FLUSH_MS) f.slow++;
    if (ms > f.longestMs) f.longestMs = ms;
  }

  /** Opened on first use: undefined while there is no log yet. */
  private descriptor(): number | undefined {
    if (this.fd !== undefined) return this.fd;
    try {
      this.fd = openSync(this.path, 'r');
    } catch (err) {
      // No log yet, or no more: nothing was written since the last connection closed, and
      // SQLite deletes the log only once it has checkpointed and synced it (or in memory).
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return this.fd;
  }
}

/**
 * Group commit for SQLite's write-ahead log. A write asks for a sync once it has
 * committed; the fsync (an fdatasync through a handle kept open, see LogFile) runs in
 * libuv's thread pool, so the event loop stays free while the disk works. An fsync already
 * running may have started before this commit's frames were written, so the caller waits
 * for the next one, which every commit that finished meanwhile shares: at most one fsync
 * runs, and at most one more is queued.
 */
export class WalSync {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  /** fsyncs started and commits they covered, for health and the benchmark. */
  readonly stats = { syncs: 0, requests: 0 };

  private readonly fsync: Fsync;

  constructor(file: LogFile | Fsync) {
    this.fsync = typeof file === 'function' ? file : file.datasync;
  }

  /** Resolves once everything committed before the call is on stable storage. */
  sync(): Promise<void> {
    this.stats.requests++;
    const running = this.running;
    if (!running) return this.start();
    this.next ??= running.then(this.startNext, this.startNext);
    return this.next;
  }

  private readonly startNext = (): Promise<void> => {
    this.next = undefined;
    return this.start();
  };

  private start(): Promise<void> {
    this.stats.syncs++;
    const run: Promise<void> = this.fsync().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }
}
