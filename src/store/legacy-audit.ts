import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import type { Logger } from '../core/logger.ts';
import { openSqliteReadOnly } from './dialects.ts';
import type { ControlAuditTable } from './schema.ts';
import type { Store, StoreTransaction } from './store.ts';

/** The key under which the old audit file's import is remembered in `store_import`. */
export const LEGACY_AUDIT_IMPORT = 'control.auditFile';

/** The old file's rows: the columns of migration 0001 (later ones take their defaults). */
type AuditRow = Omit<
  ControlAuditTable,
  'id' | 'wrote' | 'action' | 'attempts' | 'pumps' | 'last_ms'
> & {
  id: number;
  wrote: number;
};
interface SwitchRow {
  at_ms: number;
  wall_ms: number;
  actor: string;
  enabled: number;
  reason: string;
}

/**
 * Brings the rows of the control audit's old SQLite file (`control.auditFile`, issue 5)
 * into the store, once: the safety record of past attempts and the dispatcher's latest
 * auto-balancing switch must not be left behind by the move to the store (issue 9).
 * Ids are kept when the store has no audit rows yet (they are quoted in logs and
 * answers), else renumbered after the store's own. The file itself is left untouched.
 * Returns the number of rows imported (0 when there is no file or it was imported).
 */
export async function importLegacyAudit(store: Store, path: string, now: number, log?: Logger) {
  if (!existsSync(path)) return 0;
  return store.transaction(async (trx) => {
    const done = await trx
      .selectFrom('store_import')
      .select('rows')
      .where('source', '=', LEGACY_AUDIT_IMPORT)
      .executeTakeFirst();
    if (done) return 0;
    const { audit, switches } = readLegacyFile(path);
    const rows = await copyRows(trx, store.engine, audit, switches);
    await trx
      .insertInto('store_import')
      .values({ source: LEGACY_AUDIT_IMPORT, at_ms: now, rows })
      .execute();
    if (rows > 0) log?.warn({ file: path, rows }, 'control audit file imported into the store');
    return rows;
  });
}

function readLegacyFile(path: string): { audit: AuditRow[]; switches: SwitchRow[] } {
  const db = openSqliteReadOnly(path);
  try {
    const has = (table: string) =>
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
    const audit = has('control_audit')
      ? (db.prepare('SELECT * FROM control_audit ORDER BY id').all() as AuditRow[])
      : [];
    const switches = has('auto_switch')
      ? (db
          .prepare('SELECT at_ms, wall_ms, actor, enabled, reason FROM auto_switch ORDER BY id')
          .all() as SwitchRow[])
      : [];
    return { audit, switches };
  } finally {
    db.close();
  }
}

async function copyRows(
  trx: StoreTransaction,
  engine: Store['engine'],
  audit: AuditRow[],
  switches: SwitchRow[],
): Promise<number> {
  const existing = await trx
    .selectFrom('control_audit')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const keepIds = Number(existing.n) === 0;
  for (const { id, ...row } of audit) {
    await trx
      .insertInto('control_audit')
      .values(keepIds ? { id, ...row } : row)
      .execute();
  }
  for (const row of switches) await trx.insertInto('auto_switch').values(row).execute();
  // Explicit ids do not move a PostgreSQL sequence: move it past them, or the next
  // attempt would collide with an imported one.
  if (keepIds && audit.length > 0 && engine === 'postgres') {
    await sql`SELECT setval(pg_get_serial_sequence('control_audit', 'id'), (SELECT max(id) FROM control_audit))`.execute(
      trx,
    );
  }
  return audit.length + switches.length;
}
