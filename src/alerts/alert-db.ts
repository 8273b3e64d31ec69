import type { Selectable } from 'kysely';
import type { GroupState } from '../alerting/grouping.ts';
import type { AlertRecord, AlertState, Severity } from '../alerting/model.ts';
import type { AlertGroupTable, AlertTable } from '../store/schema.ts';
import type { StoreDb, StoreTransaction } from '../store/store.ts';

/** The alert book's rows (migration 0007) and back; JSON columns parsed here only. */
type Db = StoreDb | StoreTransaction;

export function alertRow(a: AlertRecord, now: number): AlertTable {
  return {
    id: a.id,
    fingerprint: a.fingerprint,
    open_fingerprint: a.state === 'resolved' ? null : a.fingerprint,
    rule: a.rule,
    severity: a.severity,
    labels: JSON.stringify(a.labels),
    summary: JSON.stringify(a.summary),
    description: JSON.stringify(a.description),
    state: a.state,
    silenced: a.silenced ? 1 : 0,
    inhibited_by: a.inhibitedBy,
    incident_id: a.incidentId,
    group_key: a.group,
    starts_at_ms: a.startsAt,
    ends_at_ms: a.endsAt,
    ack_by: a.acknowledgedBy,
    ack_at_ms: a.acknowledgedAt,
    assignee: a.assignee,
    escalation_step: a.escalationStep,
    updated_at_ms: now,
  };
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function alertOf(r: Selectable<AlertTable>): AlertRecord {
  return {
    id: r.id,
    fingerprint: r.fingerprint,
    rule: r.rule,
    severity: r.severity as Severity,
    labels: JSON.parse(r.labels),
    summary: JSON.parse(r.summary),
    description: JSON.parse(r.description),
    state: r.state as AlertState,
    silenced: r.silenced === 1,
    inhibited: r.inhibited_by !== null,
    inhibitedBy: r.inhibited_by,
    incidentId: r.incident_id,
    group: r.group_key,
    startsAt: Number(r.starts_at_ms),
    endsAt: num(r.ends_at_ms),
    acknowledgedBy: r.ack_by,
    acknowledgedAt: num(r.ack_at_ms),
    assignee: r.assignee,
    escalationStep: Number(r.escalation_step),
    notifications: [],
  };
}

export interface HistoryEntry {
  at: number;
  actor: string;
  from: AlertState | null;
  to: AlertState;
  note: string | null;
}

const UPDATED = [
  'open_fingerprint',
  'severity',
  'labels',
  'summary',
  'description',
  'state',
  'silenced',
  'inhibited_by',
  'incident_id',
  'group_key',
  'ends_at_ms',
  'ack_by',
  'ack_at_ms',
  'assignee',
  'escalation_step',
  'updated_at_ms',
] as const;

/**
 * Writes alerts (insert or update) and the history rows of those whose state moved, in
 * multi-row statements: a storm's 2,000 alerts are a handful of round trips.
 */
export async function saveAlerts(
  db: Db,
  alerts: readonly AlertRecord[],
  now: number,
  changes: readonly (HistoryEntry & { id: string })[] = [],
): Promise<void> {
  for (let i = 0; i < alerts.length; i += 200) {
    const rows = alerts.slice(i, i + 200).map((a) => alertRow(a, now));
    await db
      .insertInto('alerts')
      .values(rows)
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) =>
            Object.fromEntries(UPDATED.map((c) => [c, eb.ref(`excluded.${c}`)])),
          ),
      )
      .execute();
  }
  for (let i = 0; i < changes.length; i += 500) {
    const rows = changes.slice(i, i + 500).map((c) => ({
      alert_id: c.id,
      at_ms: c.at,
      actor: c.actor,
      from_state: c.from,
      to_state: c.to,
      note: c.note,
    }));
    await db.insertInto('alert_history').values(rows).execute();
  }
}

export async function openAlerts(db: Db): Promise<AlertRecord[]> {
  const rows = await db.selectFrom('alerts').selectAll().where('state', '!=', 'resolved').execute();
  return rows.map(alertOf);
}

export async function alertsByIds(db: Db, ids: readonly string[]): Promise<AlertRecord[]> {
  if (ids.length === 0) return [];
  const out: AlertRecord[] = [];
  // Chunks keep SQLite under its bound-parameter limit.
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('alerts')
      .selectAll()
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
    out.push(...rows.map(alertOf));
  }
  return out;
}

export async function historyOf(db: Db, id: string): Promise<HistoryEntry[]> {
  const rows = await db
    .selectFrom('alert_history')
    .selectAll()
    .where('alert_id', '=', id)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    at: Number(r.at_ms),
    actor: r.actor,
    from: r.from_state as AlertState | null,
    to: r.to_state as AlertState,
    note: r.note,
  }));
}

export interface AlertFilter {
  state?: AlertState | undefined;
  severity?: Severity | undefined;
  substation?: string | undefined;
  rule?: string | undefined;
  silenced?: boolean | undefined;
  from?: number | undefined;
  to?: number | undefined;
  limit: number;
}

/** The API's list, newest first; the place filter reads the labels' JSON. */
export async function listAlerts(db: Db, f: AlertFilter): Promise<AlertRecord[]> {
  let q = db.selectFrom('alerts').selectAll();
  if (f.state) q = q.where('state', '=', f.state);
  if (f.severity) q = q.where('severity', '=', f.severity);
  if (f.rule) q = q.where('rule', '=', f.rule);
  if (f.silenced !== undefined) q = q.where('silenced', '=', f.silenced ? 1 : 0);
  if (f.from !== undefined) q = q.where('starts_at_ms', '>=', f.from);
  if (f.to !== undefined) q = q.where('starts_at_ms', '<', f.to);
  if (f.substation) q = q.where('labels', 'like', `%"substation":${JSON.stringify(f.substation)}%`);
  const rows = await q.orderBy('starts_at_ms', 'desc').orderBy('id').limit(f.limit).execute();
  return rows.map(alertOf);
}

export function groupOf(r: Selectable<AlertGroupTable>): GroupState {
  return {
    key: r.key,
    route: Number(r.route),
    labels: JSON.parse(r.labels),
    firstAt: Number(r.first_at_ms),
    seq: Number(r.seq),
    lastSentAt: num(r.last_sent_at_ms),
    sentIds: JSON.parse(r.sent_ids),
    step: Number(r.step),
  };
}

export async function loadGroups(db: Db): Promise<GroupState[]> {
  return (await db.selectFrom('alert_groups').selectAll().execute()).map(groupOf);
}

export async function saveGroup(db: Db, g: GroupState): Promise<void> {
  const row = {
    key: g.key,
    route: g.route,
    labels: JSON.stringify(g.labels),
    first_at_ms: g.firstAt,
    seq: g.seq,
    last_sent_at_ms: g.lastSentAt,
    sent_ids: JSON.stringify(g.sentIds),
    step: g.step,
  };
  const { key, ...rest } = row;
  await db
    .insertInto('alert_groups')
    .values(row)
    .onConflict((oc) => oc.column('key').doUpdateSet(rest))
    .execute();
}

export async function deleteGroup(db: Db, key: string): Promise<void> {
  await db.deleteFrom('alert_groups').where('key', '=', key).execute();
}

/** Heat stops still open and confirmed (the ledger's, src/ledger/stops*). */
export async function openHeatStops(db: Db) {
  const rows = await db
    .selectFrom('ledger_heat_stops')
    .select(['level', 'place', 'from_ms'])
    .where('until_ms', 'is', null)
    .where('confirmed', '=', 1)
    .execute();
  return rows.map((r) => ({ level: r.level, place: r.place, fromMs: Number(r.from_ms) }));
}
