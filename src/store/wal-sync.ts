import { type FileHandle, open } from 'node:fs/promises';

/** Flushes the log to stable storage, off the event loop. */
export type Fsync = () => Promise<void>;

/**
 * The log's file, kept open, flushed with fdatasync. Opening, fsyncing and closing it for
 * each group (as before) made every sync a metadata change too: on ext4 that commits the
 * filesystem's journal, which first writes out every other file's pending data — the
 * InfluxDB beside it included — so a sync waited for other programs' writes (issue 10).
 * SQLite keeps its log in place while the store is open, so one handle serves it all along.
 */
export class LogFile {
  private handle: Promise<FileHandle> | undefined;

  constructor(private readonly path: string) {}

  readonly datasync: Fsync = async () => {
    this.handle ??= open(this.path, 'r');
    let file: FileHandle;
    try {
      file = await this.handle;
    } catch (err) {
      this.handle = undefined;
      // No log yet, or no more: nothing was written since the last connection closed, and
      // SQLite deletes the log only once it has checkpointed and synced it (or in memory).
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await file.datasync();
  };

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await (await handle?.catch(() => undefined))?.close();
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

  private readonly file: LogFile;
  private readonly fsync: Fsync;

  constructor(path: string, fsync?: Fsync) {
    this.file = new LogFile(path);
    this.fsync = fsync ?? this.file.datasync;
  }

  /** Closes the log's handle once the store's connection has closed. */
  close(): Promise<void> {
    return this.file.close();
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
