import { type FileHandle, open } from 'node:fs/promises';

/** Flushes a file to stable storage (fsync), off the event loop. */
export type Fsync = (path: string) => Promise<void>;

export const fsyncFile: Fsync = async (path) => {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (err) {
    // No log: the last connection closed, and SQLite deletes the log only once it has
    // checkpointed it into the database and synced that (or the store is in memory).
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    await file.sync();
  } finally {
    await file.close();
  }
};

/**
 * Group commit for SQLite's write-ahead log. A write asks for a sync once it has
 * committed; the fsync runs in libuv's thread pool, so the event loop stays free while
 * the disk works. An fsync already running may have started before this commit's frames
 * were written, so the caller waits for the next one, which every commit that finished
 * meanwhile shares: at most one fsync runs, and at most one more is queued.
 */
export class WalSync {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  /** fsyncs started and commits they covered, for health and the benchmark. */
  readonly stats = { syncs: 0, requests: 0 };

  constructor(
    private readonly path: string,
    private readonly fsync: Fsync = fsyncFile,
  ) {}

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
    const run: Promise<void> = this.fsync(this.path).finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }
}
