import type { AuditEntry } from './types.ts';

/**
 * Denied control attempts (401/403) are part of the safety record, but each audit row
 * is an fsync'd write on the event loop: a caller hammering the control route without
 * the right must not be able to stall the service through it. So denials are written
 * once per caller and code per window; repeats inside the window are counted and the
 * count goes into the next row written for that caller (and is answered with the
 * audit id of the row that records the series). Callers are few by construction — a
 * configured token's name, "invalid token" or "anonymous" — so the map stays small.
 */
export class DenialSeries {
  private readonly series = new Map<
    string,
    { entry: Promise<AuditEntry>; since: number; repeats: number }
  >();

  constructor(
    private readonly windowMs = 60_000,
    private readonly wallNow: () => number = Date.now,
  ) {}

  /**
   * Returns the audit entry that records this denial; `write` is called with the
   * number of earlier denials of the series that got no row of their own.
   */
  record(
    actor: string,
    code: string,
    write: (unwritten: number) => Promise<AuditEntry>,
  ): Promise<AuditEntry> {
    const key = `${actor}\u0000${code}`;
    const now = this.wallNow();
    const current = this.series.get(key);
    if (current && now - current.since < this.windowMs) {
      current.repeats++;
      return current.entry;
    }
    // The series starts now, before its row is committed: a denial arriving meanwhile
    // joins it instead of writing a second row.
    const entry = write(current?.repeats ?? 0);
    const started = { entry, since: now, repeats: 0 };
    this.series.set(key, started);
    entry.catch(() => {
      // Unrecorded, it cannot stand for later denials: the previous series (and its
      // count) stands again, so the next denial tries to write.
      if (this.series.get(key) !== started) return;
      if (current) this.series.set(key, current);
      else this.series.delete(key);
    });
    return entry;
  }
}
