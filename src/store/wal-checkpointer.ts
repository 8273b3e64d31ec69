import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';
import type { Logger } from '../core/logger.ts';

/** How often the log is copied into the database while the store is open. */
export const CHECKPOINT_EVERY_MS = 500;

/**
 * The checkpointing thread, a CommonJS script so it runs without the TypeScript loader.
 * A PASSIVE checkpoint waits for no reader or writer: the service's connection keeps
 * committing while the log is copied, and SQLite restarts the log at the next commit
 * once a checkpoint has caught up with it.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    // Another connection to the file is checkpointing: its copy serves as well.
    if (err.code !== 'SQLITE_BUSY') throw err;
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/**
 * Copies SQLite's write-ahead log into the database on a thread of its own. Left to
 * SQLite, the commit that takes the log past 1,000 pages runs the checkpoint itself —
 * copying every page and syncing the database — and better-sqlite3 commits on the event
 * loop: in the intake bench a commit after a room-day flush held the loop for 0.4 s
 * (issue 10). If the thread fails, the connection checkpoints for itself again.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly ended: Promise<void>;

  constructor(
    private readonly db: SqliteDatabase.Database,
    log?: Logger,
  ) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    db.pragma('wal_autocheckpoint = 0');
    this.worker = new Worker(THREAD_SOURCE, {
      eval: true,
      // Not the service's own flags: a loader (`--import tsx`) would boot for nothing.
      execArgv: [],
      workerData: { driver, path: db.name, everyMs: CHECKPOINT_EVERY_MS },
    });
    this.worker.unref();
    this.worker.on('error', (err) => {
      log?.warn({ err }, 'log checkpoints back on the service connection');
      this.fallBack();
    });
    this.ended = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /** A last checkpoint, then the thread ends; the connection may close after. */
  async stop(): Promise<void> {
    // Unref'd, the thread would not keep the process alive while the store waits for it.
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.ended;
    this.fallBack();
  }

  private fallBack(): void {
    if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
  }
}
