import type { Logger } from '../core/logger.ts';
import type { Alarms } from './alarms.ts';
import type { DatabaseStatus } from './db-status.ts';
import { deliver } from './delivery.ts';
import type { Spool, SpoolStats } from './spool.ts';
import type { LineTransport } from './transport.ts';

/**
 * The writer's disk side: appends batches to the spool, feeds the database from it oldest
 * first, and raises the `spool-full` alert when the cap made it drop data (cleared once
 * the spool has drained).
 */
export class SpoolLane {
  private lastError: string | null = null;

  constructor(
    readonly spool: Spool,
    private readonly transport: LineTransport,
    private readonly db: DatabaseStatus,
    private readonly alarms: Alarms,
    private readonly log: Logger,
  ) {}

  stats(): SpoolStats & { lastError: string | null } {
    return { ...this.spool.stats(), lastError: this.lastError };
  }

  /** Appends one batch; false if the disk refused it (the caller keeps the lines). */
  async append(lines: readonly string[]): Promise<boolean> {
    try {
      const dropped = await this.spool.append(lines);
      this.lastError = null;
      if (dropped > 0) this.overflowed(dropped);
      return true;
    } catch (err) {
      this.failed(err);
      return false;
    }
  }

  /**
   * Sends the oldest spooled record to the database: `sent`, `failed` (the database did
   * not take it; it stays first in line), or `none` (nothing to read right now).
   */
  async sendOldest(): Promise<'sent' | 'failed' | 'none'> {
    const record = await this.spool.peek().catch((err: unknown) => this.failed(err));
    if (!record) return 'none';
    try {
      this.db.delivered(await deliver(this.transport, record.lines));
    } catch (err) {
      this.spool.release(record);
      this.db.failed(err);
      return 'failed';
    }
    await this.spool.ack(record).catch((err: unknown) => this.failed(err));
    return 'sent';
  }

  drained(): void {
    this.alarms.clear('spool-full');
    this.log.info('spool drained: writing to the database directly again');
  }

  private overflowed(dropped: number): void {
    const message = `disk spool reached its cap of ${this.spool.maxBytes} bytes: oldest data dropped`;
    this.log.error({ dropped, spool: this.spool.dir }, message);
    this.alarms.raise('spool-full', 'critical', message);
  }

  private failed(err: unknown): undefined {
    const message = err instanceof Error ? err.message : String(err);
    // Once per streak: a full disk would otherwise log every second.
    if (this.lastError === null) this.log.error({ err: message }, 'disk spool failed');
    this.lastError = message;
    return undefined;
  }
}
