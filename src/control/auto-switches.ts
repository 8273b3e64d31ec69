import type { AuditDb } from './audit-db.ts';
import type { AutoSwitch } from './types.ts';

/**
 * Dispatchers switching auto-balancing off and on again (issue 5), kept in the store:
 * the latest switch stands, also after a restart — automation must not come back on
 * by itself.
 */
export class AutoSwitches {
  private known: AutoSwitch | null = null;

  constructor(
    private readonly db: AuditDb,
    private readonly now: () => number,
    private readonly wallNow: () => number,
  ) {}

  /** Records a dispatcher switching auto-balancing on or off. */
  async recordAutoSwitch(s: { enabled: boolean; actor: string; reason: string }) {
    const at = this.now();
    await this.db.run('write', (db) =>
      db
        .insertInto('auto_switch')
        .values({
          at_ms: at,
          wall_ms: this.wallNow(),
          actor: s.actor,
          enabled: s.enabled ? 1 : 0,
          reason: s.reason,
        })
        .execute(),
    );
    this.known = { ...s, at };
    return this.known;
  }

  /**
   * The latest switch, or null if never switched, read from the store: with several
   * instances on one PostgreSQL, another may have recorded it.
   */
  async latestAutoSwitch(): Promise<AutoSwitch | null> {
    const row = await this.db.run('read', (db) =>
      db.selectFrom('auto_switch').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst(),
    );
    this.known = row
      ? {
          enabled: row.enabled === 1,
          actor: row.actor,
          at: row.at_ms,
          reason: row.reason,
        }
      : null;
    return this.known;
  }

  /** The switch as last read or written here (read at start), for views that cannot wait. */
  lastKnownAutoSwitch(): AutoSwitch | null {
    return this.known;
  }
}
