import type { Logger } from '../core/logger.ts';
import type { Alarms } from './alarms.ts';
import type { DeliveryReport } from './delivery.ts';
import { failureKind, retryDelayMs } from './transport.ts';

const MIN_BACKOFF_MS = 500;
/**
 * Longest wait between attempts. Probing a dead database costs one refused connection, and
 * a spool should start draining soon after the database is back (Telegraf retries at every
 * 10 s flush). A server's Retry-After is honoured even when it asks for longer.
 */
const MAX_BACKOFF_MS = 10_000;
/** Consecutive failed attempts after which storage reports `failing`, not `retrying`. */
const FAILING_AFTER = 5;
const jitter = (ms: number) => ms * (0.8 + Math.random() * 0.4);

/**
 * How the database is doing, as far as the writer must know: counters for health, when
 * the next attempt may go (jittered exponential backoff, or the server's Retry-After),
 * and the credentials alert.
 */
export class DatabaseStatus {
  /** No attempt before this time (ms since the epoch). */
  retryAt = 0;
  consecutiveFailures = 0;
  authFailed = false;
  private backoffMs = MIN_BACKOFF_MS;
  private failingSince: number | undefined;
  private loggedRejected = false;
  readonly stats = {
    writtenLines: 0,
    rejectedLines: 0,
    failedAttempts: 0,
    lastWriteAt: null as number | null,
    lastError: null as string | null,
  };

  constructor(
    private readonly alarms: Alarms,
    private readonly log: Logger,
    private readonly maxBackoffMs = MAX_BACKOFF_MS,
  ) {}

  state(): 'ok' | 'retrying' | 'failing' {
    if (this.stats.lastError === null) return 'ok';
    return this.authFailed || this.consecutiveFailures >= FAILING_AFTER ? 'failing' : 'retrying';
  }

  /** Whether, by the next attempt, writes will have been failing for longer than `ms`. */
  failingLongerThan(ms: number): boolean {
    return this.failingSince !== undefined && this.retryAt - this.failingSince > ms;
  }

  delivered(report: DeliveryReport): void {
    this.stats.writtenLines += report.written;
    this.stats.rejectedLines += report.rejected;
    if (report.firstRejected && !this.loggedRejected) {
      this.loggedRejected = true;
      const { line, reason } = report.firstRejected;
      this.log.error({ err: reason, firstLine: line }, 'storage rejected lines; dropped');
    }
    this.stats.lastWriteAt = Date.now();
    this.stats.lastError = null;
    this.retryAt = 0;
    this.backoffMs = MIN_BACKOFF_MS;
    this.consecutiveFailures = 0;
    this.failingSince = undefined;
    this.authFailed = false;
    this.alarms.clear('storage-auth');
  }

  /** Books a failed attempt and schedules the next one. */
  failed(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.stats.failedAttempts++;
    this.consecutiveFailures++;
    this.failingSince ??= Date.now();
    this.stats.lastError = message;
    let wait = retryDelayMs(err) || this.backoffMs;
    if (failureKind(err) === 'auth') {
      // Credentials do not heal by retrying every second: keep the data, tell someone.
      wait = this.maxBackoffMs;
      this.authFailed = true;
      this.log.error({ err: message }, 'storage refused our credentials; data kept');
      this.alarms.raise('storage-auth', 'critical', `storage refused our credentials: ${message}`);
    } else {
      this.log.warn({ err: message, retryInMs: Math.round(wait) }, 'write failed; will retry');
    }
    this.retryAt = Date.now() + jitter(wait);
    this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
  }
}
