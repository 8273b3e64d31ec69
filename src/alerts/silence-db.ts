import type { Selectable } from 'kysely';
import type { Silence } from '../alerting/silence.ts';
import type { AlertSilenceTable } from '../store/schema.ts';
import type { StoreDb, StoreTransaction } from '../store/store.ts';

type Db = StoreDb | StoreTransaction;

export interface StoredSilence extends Silence {
  createdBy: string;
}

function silenceOf(r: Selectable<AlertSilenceTable>): StoredSilence {
  return {
    id: r.id,
    matchers: JSON.parse(r.matchers),
    owner: r.owner,
    comment: r.comment,
    createdBy: r.created_by,
    startsAt: Number(r.starts_at_ms),
    endsAt: Number(r.ends_at_ms),
    createdAt: Number(r.created_at_ms),
    deleted: r.deleted === 1,
    expiryNotified: r.expiry_notified === 1,
  };
}

export async function insertSilence(db: Db, s: StoredSilence): Promise<void> {
  await db
    .insertInto('alert_silences')
    .values({
      id: s.id,
      matchers: JSON.stringify(s.matchers),
      owner: s.owner,
      comment: s.comment,
      created_by: s.createdBy,
      starts_at_ms: s.startsAt,
      ends_at_ms: s.endsAt,
      created_at_ms: s.createdAt,
      deleted: s.deleted ? 1 : 0,
      expiry_notified: s.expiryNotified ? 1 : 0,
    })
    .execute();
}

/** Silences that have not ended before `since` (active, pending, and just expired). */
export async function silencesSince(db: Db, since: number): Promise<StoredSilence[]> {
  const rows = await db
    .selectFrom('alert_silences')
    .selectAll()
    .where('ends_at_ms', '>=', since)
    .orderBy('ends_at_ms')
    .execute();
  return rows.map(silenceOf);
}

export async function getSilence(db: Db, id: string): Promise<StoredSilence | undefined> {
  const r = await db
    .selectFrom('alert_silences')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return r && silenceOf(r);
}

export async function endSilence(db: Db, id: string, at: number): Promise<void> {
  await db
    .updateTable('alert_silences')
    .set({ deleted: 1, ends_at_ms: at })
    .where('id', '=', id)
    .execute();
}

export async function markExpiryNotified(db: Db, id: string): Promise<void> {
  await db.updateTable('alert_silences').set({ expiry_notified: 1 }).where('id', '=', id).execute();
}
