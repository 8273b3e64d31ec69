import type { AuditAction, AuditEntry } from './types.ts';

/**
 * An attempt refused before the control path proper: by authentication (401/403), or
 * its body (400/413/415) — on a pump change, or on a switch of auto-balancing.
 */
export interface DeniedAttempt {
  /** The pump named in the URL ('' for a switch of auto-balancing). */
  pump: string;
  action?: AuditAction;
  hz: number | null;
  reason: string | null;
  actor: string;
  role: string | null;
  /** The answer's code: UNAUTHORIZED, FORBIDDEN, BAD_REQUEST, PAYLOAD_TOO_LARGE … */
  code: string;
  message: string;
}

/** How a series writes: its first row, then the count of the attempts it records. */
export interface SeriesWriter {
  /** Writes the series' row for its first attempt. */
  insert(): Promise<AuditEntry>;
  /** Commits the series' count, the pumps named so far, and the time of the latest. */
  count(id: number, attempts: number, pumps: string[], lastAt: number): Promise<void>;
}

interface Series {
  entry: Promise<AuditEntry>;
  since: number;
  attempts: number;
  pumps: string[];
  lastAt: number;
  /** The next count commit, not yet started: later attempts join it. */
  queued: Promise<void> | undefined;
  /** The end of the latest count commit (settled either way). */
  tail: Promise<unknown>;
}

/** Pumps a shared row names at most (a caller may invent ids); the count has them all. */
const MAX_PUMPS = 32;

/**
 * Refused control attempts (401/403, bodies refused before the handler) are part of the
 * safety record, but a caller hammering the route without the right must not be able to
 * stall the service with a row per attempt. So one caller's refusals with one code share
 * a row per window; every further attempt counts on that row, committed before it is
 * answered (issue 15: counts once written only by the next row vanished at a shutdown).
 * Commits are grouped: attempts arriving while one is in flight share the next, so a
 * flood costs one write at a time. Callers are few by construction — a configured
 * token's name, "invalid token" or "anonymous" — and codes too, so the map stays small.
 */
export class DenialSeries {
  private readonly series = new Map<string, Series>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly wallNow: () => number = Date.now,
  ) {}

  /** Resolves to the audit entry recording this attempt, once its count is committed. */
  async record(key: string, pump: string, at: number, write: SeriesWriter): Promise<AuditEntry> {
    const now = this.wallNow();
    const current = this.series.get(key);
    if (!current || now - current.since >= this.windowMs) return this.start(key, pump, at, write);
    current.attempts++;
    current.lastAt = Math.max(current.lastAt, at);
    if (!current.pumps.includes(pump) && current.pumps.length < MAX_PUMPS) {
      current.pumps.push(pump);
    }
    await this.commitCount(current, write);
    return current.entry;
  }

  private start(key: string, pump: string, at: number, write: SeriesWriter): Promise<AuditEntry> {
    // The series starts now, before its row is committed: an attempt arriving meanwhile
    // joins it (its count waits for the row) instead of writing a second row.
    const entry = write.insert();
    const started: Series = {
      entry,
      since: this.wallNow(),
      attempts: 1,
      pumps: [pump],
      lastAt: at,
      queued: undefined,
      tail: entry.catch(() => undefined),
    };
    this.series.set(key, started);
    entry.catch(() => {
      // Unrecorded, it cannot stand for later attempts: the next one writes a row.
      if (this.series.get(key) === started) this.series.delete(key);
    });
    return entry;
  }

  private commitCount(s: Series, write: SeriesWriter): Promise<void> {
    if (s.queued) return s.queued;
    const commit = s.tail.then(async () => {
      s.queued = undefined; // from here on, a new attempt needs the next commit
      const { id } = await s.entry;
      await write.count(id, s.attempts, [...s.pumps], s.lastAt);
    });
    s.queued = commit;
    s.tail = commit.catch(() => undefined);
    return commit;
  }
}
