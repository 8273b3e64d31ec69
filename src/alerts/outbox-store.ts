import type { Selectable, Updateable } from 'kysely';
import type { Notification, NotificationLogEntry } from '../alerting/model.ts';
import type { AlertOutboxTable } from '../store/schema-outbox.ts';

type Row = Selectable<AlertOutboxTable>;

import type { StoreDb } from '../store/store.ts';

/** A row of the outbox as the dispatcher reads it. */
export interface OutboxRow {
  key: string;
  channel: string;
  notification: Notification;
  state: 'pending' | 'sending';
  attempts: number;
  merged: number;
  createdAt: number;
}

export interface ChannelDepth {
  queued: number;
  oldestAt: number | null;
}

const rowOf = (r: Row): OutboxRow => ({
  key: r.key,
  channel: r.channel,
  notification: JSON.parse(r.payload) as Notification,
  state: r.state as OutboxRow['state'],
  attempts: r.attempts,
  merged: r.merged_count,
  createdAt: r.created_at_ms,
});

/**
 * The outbox's table (migration 0008) on either engine. Every state change is one
 * conditional UPDATE, so two dispatchers (or a dispatcher and its restarted self) never
 * both own a row: the one whose UPDATE matched owns it.
 */
export class OutboxStore {
  constructor(private readonly db: () => StoreDb) {}

  /** Writes new notifications; a key already there (sent or not) is left alone. */
  async insert(notifications: readonly Notification[], now: number): Promise<number> {
    if (notifications.length === 0) return 0;
    return this.db()
      .transaction()
      .execute(async (trx) => {
        let added = 0;
        for (const n of notifications) {
          const result = await trx
            .insertInto('alert_outbox')
            .values(newRow(n, now, 1))
            .onConflict((oc) => oc.column('key').doNothing())
            .executeTakeFirst();
          if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 0) continue;
          added++;
          await insertAlerts(
            trx,
            n.key,
            n.alerts.map((a) => a.id),
          );
        }
        return added;
      });
  }

  /**
   * Rows of `channels` to send now: due pending ones, and claims older than `staleBefore`
   * (in doubt).
   */
  async due(
    now: number,
    staleBefore: number,
    limit: number,
    channels: readonly string[],
  ): Promise<OutboxRow[]> {
    if (channels.length === 0) return [];
    const rows = await this.db()
      .selectFrom('alert_outbox')
      .selectAll()
      .where('channel', 'in', [...channels])
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'pending'), eb('next_at_ms', '<=', now)]),
          eb.and([eb('state', '=', 'sending'), eb('claimed_at_ms', '<', staleBefore)]),
        ]),
      )
      .orderBy('created_at_ms')
      .orderBy('key')
      .limit(limit)
      .execute();
    return rows.map(rowOf);
  }

  /** Takes the row for one attempt; false when someone else took it first. */
  async claim(row: OutboxRow, owner: string, now: number, staleBefore: number): Promise<boolean> {
    const result = await this.db()
      .updateTable('alert_outbox')
      .set((eb) => ({
        state: 'sending',
        claimed_by: owner,
        claimed_at_ms: now,
        updated_at_ms: now,
        attempts: eb('attempts', '+', 1),
      }))
      .where('key', '=', row.key)
      .where((eb) =>
        row.state === 'pending'
          ? eb('state', '=', 'pending')
          : eb.and([eb('state', '=', 'sending'), eb('claimed_at_ms', '<', staleBefore)]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async markSent(key: string, owner: string, receipt: string, now: number): Promise<void> {
    await this.finish(key, owner, { state: 'sent', sent_at_ms: now, receipt, updated_at_ms: now });
  }

  async markRetry(key: string, owner: string, error: string, at: number, now: number) {
    await this.finish(key, owner, {
      state: 'pending',
      next_at_ms: at,
      last_error: error,
      updated_at_ms: now,
    });
  }

  async markGaveUp(key: string, owner: string, error: string, now: number): Promise<void> {
    await this.finish(key, owner, { state: 'gave-up', last_error: error, updated_at_ms: now });
  }

  /** Holds a row back (a rate limit) without counting an attempt. */
  async postpone(key: string, at: number): Promise<void> {
    await this.db()
      .updateTable('alert_outbox')
      .set({ next_at_ms: at })
      .where('key', '=', key)
      .where('state', '=', 'pending')
      .execute();
  }

  /**
   * Folds pending rows into one new batch row, in one transaction: either the batch
   * exists and every part is marked merged into it, or nothing changed.
   */
  async merge(parts: readonly OutboxRow[], batch: Notification, now: number): Promise<boolean> {
    const merged = parts.reduce((sum, p) => sum + p.merged, 0);
    return this.db()
      .transaction()
      .execute(async (trx) => {
        const result = await trx
          .updateTable('alert_outbox')
          .set({ state: 'merged', merged_into: batch.key, updated_at_ms: now })
          .where(
            'key',
            'in',
            parts.map((p) => p.key),
          )
          .where('state', '=', 'pending')
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== parts.length) {
          throw new MergeLost();
        }
        await trx
          .insertInto('alert_outbox')
          .values(newRow(batch, now, merged))
          .execute();
        await copyAlerts(
          trx,
          parts.map((p) => p.key),
          batch.key,
        );
        return true;
      })
      .catch((err: unknown) => {
        if (err instanceof MergeLost) return false;
        throw err;
      });
  }

  /** Every message that carried the alert, oldest first (a merged part shows as its batch). */
  async logFor(alertId: string): Promise<NotificationLogEntry[]> {
    const rows = await this.db()
      .selectFrom('alert_outbox_alerts as a')
      .innerJoin('alert_outbox as o', 'o.key', 'a.key')
      .selectAll('o')
      .where('a.alert_id', '=', alertId)
      .where('o.state', '!=', 'merged')
      .orderBy('o.created_at_ms')
      .orderBy('o.key')
      .execute();
    return rows.map((r) => ({
      notification: r.key,
      channel: r.channel,
      at: r.updated_at_ms,
      result: logResult(r),
      receipt: r.receipt ?? r.last_error,
    }));
  }

  /** Messages not yet sent or given up, per channel, with the oldest one's time. */
  async depth(): Promise<Map<string, ChannelDepth>> {
    const rows = await this.db()
      .selectFrom('alert_outbox')
      .select((eb) => [
        'channel',
        eb.fn.countAll<number>().as('queued'),
        eb.fn.min('created_at_ms').as('oldest'),
      ])
      .where('state', 'in', ['pending', 'sending'])
      .groupBy('channel')
      .execute();
    return new Map(
      rows.map((r) => [
        r.channel,
        { queued: Number(r.queued), oldestAt: nullableNumber(r.oldest) },
      ]),
    );
  }

  /** When each message sent since `since` went, per channel (rate windows survive a restart). */
  async sentSince(since: number): Promise<Map<string, number[]>> {
    const rows = await this.db()
      .selectFrom('alert_outbox')
      .select(['channel', 'sent_at_ms'])
      .where('sent_at_ms', '>=', since)
      .execute();
    const out = new Map<string, number[]>();
    for (const r of rows) {
      const list = out.get(r.channel) ?? [];
      list.push(r.sent_at_ms as number);
      out.set(r.channel, list);
    }
    return out;
  }

  private async finish(key: string, owner: string, set: Updateable<AlertOutboxTable>) {
    await this.db()
      .updateTable('alert_outbox')
      .set({ ...set, claimed_by: null, claimed_at_ms: null })
      .where('key', '=', key)
      .where('state', '=', 'sending')
      .where('claimed_by', '=', owner)
      .execute();
  }
}

class MergeLost extends Error {}

const nullableNumber = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function newRow(n: Notification, now: number, merged: number) {
  return {
    key: n.key,
    channel: n.channel,
    payload: JSON.stringify(n),
    state: 'pending',
    merged_count: merged,
    created_at_ms: n.createdAt,
    updated_at_ms: now,
    next_at_ms: now,
  };
}

async function insertAlerts(trx: StoreDb, key: string, alertIds: readonly string[]) {
  for (const alertId of new Set(alertIds)) {
    await trx
      .insertInto('alert_outbox_alerts')
      .values({ alert_id: alertId, key })
      .onConflict((oc) => oc.columns(['alert_id', 'key']).doNothing())
      .execute();
  }
}

/** The batch carries every alert its parts carried (for each alert's log). */
async function copyAlerts(trx: StoreDb, from: string[], to: string): Promise<void> {
  const rows = await trx
    .selectFrom('alert_outbox_alerts')
    .select('alert_id')
    .distinct()
    .where('key', 'in', from)
    .execute();
  await insertAlerts(
    trx,
    to,
    rows.map((r) => r.alert_id),
  );
}

function logResult(r: Row): NotificationLogEntry['result'] {
  if (r.state === 'sent') return 'sent';
  if (r.state === 'gave-up') return 'gave-up';
  return r.last_error ? 'failed' : 'pending';
}
