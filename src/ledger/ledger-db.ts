import type { Kysely, Selectable } from 'kysely';
import type { Attribution, RoomMeasurement } from '../service/ledger-inputs.ts';
import type { LedgerDay, Party } from '../service/ledger-rules.ts';
import type { Database, LedgerDayTable } from '../store/schema.ts';

/** The ledger's rows (queries only; issue 11, migration 0006). */

type Db = Kysely<Database>;

/** Rows per statement: 14 columns × 1 000 stays under SQLite's 32 766 bound parameters. */
const CHUNK = 1000;

/** Writes computed days, replacing the previous computation of the same household-day. */
export async function upsertDays(db: Db, season: string, days: readonly LedgerDay[], atMs: number) {
  for (let i = 0; i < days.length; i += CHUNK) {
    const values = days.slice(i, i + CHUNK).map((d) => dayValues(season, d, atMs));
    await db
      .insertInto('ledger_days')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['household', 'day']).doUpdateSet((eb) => ({
          sensor_mean_c: eb.ref('excluded.sensor_mean_c'),
          measured_c: eb.ref('excluded.measured_c'),
          temp_c: eb.ref('excluded.temp_c'),
          below: eb.ref('excluded.below'),
          billed_share_bp: eb.ref('excluded.billed_share_bp'),
          stopped_minutes: eb.ref('excluded.stopped_minutes'),
          attribution: eb.ref('excluded.attribution'),
          attribution_reason: eb.ref('excluded.attribution_reason'),
          computed_at_ms: eb.ref('excluded.computed_at_ms'),
        })),
      )
      .execute();
  }
}

function dayValues(season: string, d: LedgerDay, atMs: number): LedgerDayTable {
  return {
    household: d.household,
    day: d.day,
    season,
    building: d.building,
    substation: d.substation,
    sensor_mean_c: d.sensorMeanC,
    measured_c: d.measuredC,
    temp_c: d.tempC,
    below: d.belowStandard ? 1 : 0,
    billed_share_bp: d.billedShareBp,
    stopped_minutes: d.stoppedMinutes,
    attribution: d.attribution,
    attribution_reason: d.attributionReason,
    computed_at_ms: atMs,
  };
}

export function toLedgerDay(r: Selectable<LedgerDayTable>): LedgerDay {
  return {
    household: r.household,
    day: r.day,
    building: r.building,
    substation: r.substation,
    sensorMeanC: r.sensor_mean_c,
    measuredC: r.measured_c,
    tempC: r.temp_c,
    belowStandard: Number(r.below) === 1,
    billedShareBp: Number(r.billed_share_bp),
    stoppedMinutes: Number(r.stopped_minutes),
    attribution: r.attribution as Party,
    attributionReason: r.attribution_reason,
  };
}

export interface DayFilter {
  season?: string | undefined;
  household?: string | undefined;
  substation?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * One page of days ordered by household then day, after `after` (keyset paging: the
 * CSV walks a whole season a page at a time and never holds it).
 */
export async function dayPage(
  db: Db,
  f: DayFilter,
  after: { household: string; day: string } | null,
  limit: number,
) {
  let q = db.selectFrom('ledger_days').selectAll();
  if (f.season) q = q.where('season', '=', f.season);
  if (f.household) q = q.where('household', '=', f.household);
  if (f.substation) q = q.where('substation', '=', f.substation);
  if (f.from) q = q.where('day', '>=', f.from);
  if (f.to) q = q.where('day', '<=', f.to);
  if (after) {
    q = q.where((eb) =>
      eb.or([
        eb('household', '>', after.household),
        eb.and([eb('household', '=', after.household), eb('day', '>', after.day)]),
      ]),
    );
  }
  const rows = await q.orderBy('household').orderBy('day').limit(limit).execute();
  return rows.map(toLedgerDay);
}

export async function insertMeasurement(
  db: Db,
  m: RoomMeasurement & { day: string },
  recordedAtMs: number,
): Promise<number> {
  const row = await db
    .insertInto('room_measurements')
    .values({
      household: m.household,
      day: m.day,
      at_ms: m.atMs,
      temp_c: m.tempC,
      actor: m.by,
      ticket_id: m.ticketId,
      recorded_at_ms: recordedAtMs,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Measurements taken in [fromMs, toMs), optionally of one household. */
export async function measurementsBetween(
  db: Db,
  fromMs: number,
  toMs: number,
  household?: string,
) {
  let q = db
    .selectFrom('room_measurements')
    .selectAll()
    .where('at_ms', '>=', fromMs)
    .where('at_ms', '<', toMs);
  if (household) q = q.where('household', '=', household);
  const rows = await q.orderBy('at_ms').orderBy('id').execute();
  return rows.map(
    (r): RoomMeasurement => ({
      household: r.household,
      atMs: Number(r.at_ms),
      tempC: r.temp_c,
      by: r.actor,
      ticketId: r.ticket_id,
    }),
  );
}

export async function insertAttribution(db: Db, a: Attribution): Promise<number> {
  const row = await db
    .insertInto('attributions')
    .values({
      household: a.household,
      from_day: a.fromDay,
      to_day: a.toDay,
      party: a.party,
      reason: a.reason,
      actor: a.by,
      at_ms: a.atMs,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Attributions covering any part of [fromDay, toDay] (a short list: they are rare). */
export async function attributionsOver(db: Db, fromDay: string, toDay: string, household?: string) {
  let q = db
    .selectFrom('attributions')
    .selectAll()
    .where('from_day', '<=', toDay)
    .where((eb) => eb.or([eb('to_day', 'is', null), eb('to_day', '>=', fromDay)]));
  if (household) q = q.where('household', '=', household);
  const rows = await q.orderBy('id').execute();
  return rows.map(
    (r): Attribution => ({
      household: r.household,
      fromDay: r.from_day,
      toDay: r.to_day,
      party: r.party as Attribution['party'],
      reason: r.reason,
      by: r.actor,
      atMs: Number(r.at_ms),
    }),
  );
}

/** When each day was last computed (absent: never). */
async function computedAt(db: Db, days: readonly string[]): Promise<Map<string, number>> {
  if (days.length === 0) return new Map();
  const rows = await db
    .selectFrom('ledger_days')
    .select(['day', (eb) => eb.fn.min('computed_at_ms').as('at')])
    .where('day', 'in', days)
    .groupBy('day')
    .execute();
  return new Map(rows.map((r) => [r.day, Number(r.at)]));
}

/**
 * Days a measurement or an attribution recorded after their computation changes (the
 * ledger's own inputs; the source names the days its room data and stops change).
 */
export async function recordedDirtyDays(
  db: Db,
  expand: (a: Attribution) => string[],
): Promise<string[]> {
  const measured = await db
    .selectFrom('room_measurements')
    .select(['day', 'recorded_at_ms'])
    .execute();
  const attributed = await db.selectFrom('attributions').selectAll().execute();
  const touched = new Map<string, number>();
  const touch = (day: string, at: number) => touched.set(day, Math.max(at, touched.get(day) ?? 0));
  for (const m of measured) touch(m.day, Number(m.recorded_at_ms));
  for (const a of attributed) {
    const days = expand({
      household: a.household,
      fromDay: a.from_day,
      toDay: a.to_day,
      party: a.party as Attribution['party'],
      reason: a.reason,
      by: a.actor,
      atMs: Number(a.at_ms),
    });
    for (const day of days) touch(day, Number(a.at_ms));
  }
  const done = await computedAt(db, [...touched.keys()]);
  return [...touched].filter(([day, at]) => at > (done.get(day) ?? -1)).map(([day]) => day);
}

/** Rooms measured and rooms at or above `minC`, per day and substation. */
export async function complianceCounts(
  db: Db,
  minC: number,
  from: string,
  to: string,
  substation?: string,
) {
  let q = db
    .selectFrom('ledger_days')
    .select((eb) => [
      'day',
      'substation',
      eb.fn.count<number>('temp_c').as('measured'),
      eb.fn.sum<number>(eb.case().when('temp_c', '>=', minC).then(1).else(0).end()).as('compliant'),
    ])
    .where('day', '>=', from)
    .where('day', '<=', to);
  if (substation) q = q.where('substation', '=', substation);
  const rows = await q
    .groupBy(['day', 'substation'])
    .orderBy('day')
    .orderBy('substation')
    .execute();
  return rows.map((r) => ({
    day: r.day,
    substation: r.substation,
    measured: Number(r.measured),
    compliant: Number(r.compliant ?? 0),
  }));
}
