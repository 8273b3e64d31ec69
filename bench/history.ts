/**
 * Console history on the embedded store (issue 13 item 4), SQLite as the demo runs it:
 *  1. ingest: the recorder's cost per reading at the demo's rates (a PLC and a drive every
 *     5 s per substation, rooms every 600 s, weather every 300 s) for `--substations`
 *     substations with `--rooms` rooms each, and its flush (once a minute, in transactions of 1,000 rows);
 *  2. query: a 7-day, 1-minute series of one substation (10,080 points);
 *  3. disk: bytes per substation-day, minute and quarter tables with their indexes.
 *   npx tsx bench/history.ts [--substations 5000] [--rooms 50] [--minutes 3] [--fill 20]
 */

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { Reading } from '../src/core/reading.ts';
import { type BucketDelta, HistoryAccumulator, MINUTE_MS } from '../src/history/accumulator.ts';
import { EmbeddedHistory } from '../src/history/embedded.ts';
import { SUBSTATION_FIELDS } from '../src/history/fields.ts';
import { addBuckets } from '../src/history/history-db.ts';
import { Store } from '../src/store/store.ts';

const { values } = parseArgs({
  options: {
    substations: { type: 'string', default: '5000' },
    rooms: { type: 'string', default: '50' },
    minutes: { type: 'string', default: '3' },
    fill: { type: 'string', default: '20' },
  },
});
const SUBSTATIONS = Number(values.substations);
const ROOMS = Number(values.rooms);
const MINUTES = Number(values.minutes);
const FILL = Number(values.fill);
const T0 = Date.UTC(2026, 11, 1);
const DAY_MS = 86_400_000;

const dir = mkdtempSync(join(tmpdir(), 'heatnet-bench-history-'));
const ms = (t: bigint) => Number(t) / 1e6;
const id = (i: number) => `S${String(i).padStart(4, '0')}`;

/** One minute of readings at the demo's rates, `minute` minutes after T0. */
function minuteOfReadings(minute: number): Reading[] {
  const out: Reading[] = [];
  const base = T0 + minute * MINUTE_MS;
  for (let s = 0; s < SUBSTATIONS; s++) {
    const substation = id(s);
    for (let k = 0; k < 12; k++) {
      const time = base + k * 5000;
      const fields: Record<string, number> = {};
      for (const f of SUBSTATION_FIELDS) fields[f] = 50 + (s % 40) + k / 10;
      out.push({ measurement: 'substation', tags: { substation, source: 'plc' }, fields, time });
      out.push({
        measurement: 'pump',
        tags: { substation, pump: `${substation}-P1` },
        fields: { frequency_hz: 40 + k / 10, running: true, current_a: 30 },
        time,
      });
    }
    // Rooms every 600 s: a tenth of them each minute.
    for (let r = minute % 10; r < ROOMS; r += 10) {
      out.push({
        measurement: 'room',
        tags: { substation, building: `${substation}-B1`, household: `${substation}-${r}` },
        fields: { temp_c: 19 + (r % 5) / 2 },
        time: base + r * 1000,
      });
    }
  }
  out.push({
    measurement: 'weather',
    tags: { station: 'W1' },
    fields: { outdoor_temp_c: -8 },
    time: base,
  });
  return out;
}

async function openStore(name: string): Promise<Store> {
  const store = new Store({ engine: 'sqlite', path: join(dir, name) });
  await store.start();
  return store;
}

async function ingest() {
  const store = await openStore('ingest.sqlite');
  const acc = new HistoryAccumulator();
  const results: {
    readings: number;
    recordMs: number;
    recordCpuMs: number;
    flushMs: number;
    flushCpuMs: number;
    rows: number;
  }[] = [];
  for (let m = 0; m < MINUTES; m++) {
    const readings = minuteOfReadings(m);
    // The bus hands the recorder batches as the ingest path accepts them: one per device poll.
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < readings.length; i += 2) acc.record(readings.slice(i, i + 2));
    const t1 = process.hrtime.bigint();
    const c1 = process.cpuUsage(c0);
    // As the recorder writes them: one transaction per part (without its turns between).
    let rows = 0;
    for (const part of acc.take(1000)) {
      const table = part.kind === 'minute' ? 'history_minute' : 'history_quarter';
      await store.transaction((trx) => addBuckets(trx, table, part.rows));
      rows += part.rows.length;
    }
    const t2 = process.hrtime.bigint();
    const c2 = process.cpuUsage(c0);
    const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
    results.push({
      readings: readings.length,
      recordMs: ms(t1 - t0),
      recordCpuMs: cpuMs(c1),
      flushMs: ms(t2 - t1),
      flushCpuMs: cpuMs(c2) - cpuMs(c1),
      rows,
    });
  }
  await store.stop();
  return results;
}

/** `FILL` substations × 7 days of minutes (and their quarters), written as the recorder would. */
async function fillWeek(store: Store) {
  for (let day = 0; day < 7; day++) {
    const minutes: BucketDelta[] = [];
    const quarters = new Map<string, BucketDelta>();
    for (let s = 0; s < FILL; s++) {
      for (const field of [...SUBSTATION_FIELDS, 'pump_frequency_hz', 'room_mean_temp_c']) {
        for (let m = 0; m < 1440; m++) {
          const bucketMs = T0 + day * DAY_MS + m * MINUTE_MS;
          const d = { substation: id(s), field, bucketMs, sum: 12 * (60 + (m % 30)), samples: 12 };
          minutes.push(d);
          const qMs = bucketMs - (bucketMs % (15 * MINUTE_MS));
          const key = `${d.substation}|${field}|${qMs}`;
          const q = quarters.get(key);
          if (q) [q.sum, q.samples] = [q.sum + d.sum, q.samples + d.samples];
          else quarters.set(key, { ...d, bucketMs: qMs });
        }
      }
    }
    await store.transaction(async (trx) => {
      await addBuckets(trx, 'history_minute', minutes);
      await addBuckets(trx, 'history_quarter', [...quarters.values()]);
    });
  }
}

async function queryAndDisk() {
  const store = await openStore('week.sqlite');
  const empty = await fileBytes(store, 'week.sqlite');
  await fillWeek(store);
  const source = new EmbeddedHistory(
    store,
    { minuteDays: 8, quarterDays: 200 },
    () => T0 + 7 * DAY_MS,
  );
  const q = {
    substation: id(Math.floor(FILL / 2)),
    field: 'primary_supply_temp_c' as const,
    fromMs: T0,
    toMs: T0 + 7 * DAY_MS,
    stepMs: MINUTE_MS,
  };
  const times: number[] = [];
  let points = 0;
  for (let i = 0; i < 15; i++) {
    const t0 = process.hrtime.bigint();
    const series = await source.query(q);
    // What the route adds: ISO times and JSON.
    JSON.stringify(series.points.map(([t, v]) => [new Date(t).toISOString(), v]));
    times.push(ms(process.hrtime.bigint() - t0));
    points = series.points.length;
  }
  const bytes = (await fileBytes(store, 'week.sqlite')) - empty;
  await store.stop();
  times.sort((a, b) => a - b);
  return { points, p50: times[7]!, max: times.at(-1)!, bytesPerSubstationDay: bytes / (FILL * 7) };
}

async function fileBytes(store: Store, name: string): Promise<number> {
  await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(store.db);
  return statSync(join(dir, name)).size;
}

const ingestResults = await ingest();
const week = await queryAndDisk();
rmSync(dir, { recursive: true, force: true });

// The first minute warms the JIT up: the last one is the steady state.
const last = ingestResults.at(-1)!;
const perReadingUs = (last.recordCpuMs * 1000) / last.readings;
console.log(`substations ${SUBSTATIONS}, rooms/substation ${ROOMS}, node ${process.version}`);
for (const [m, r] of ingestResults.entries()) {
  console.log(
    `minute ${m}: ${r.readings} readings, record ${r.recordMs.toFixed(0)} ms wall / ` +
      `${r.recordCpuMs.toFixed(0)} ms CPU (${((r.recordCpuMs * 1000) / r.readings).toFixed(2)} µs CPU/reading), ` +
      `flush ${r.rows} rows ${r.flushMs.toFixed(0)} ms wall / ${r.flushCpuMs.toFixed(0)} ms CPU`,
  );
}
const share = ((last.recordCpuMs + last.flushCpuMs) / 60_000) * 100;
console.log(
  `ingest: ${perReadingUs.toFixed(2)} µs CPU/reading; record+flush = ${share.toFixed(1)} % of a core (CPU)`,
);
console.log(
  `query 7 days × 1 min: ${week.points} points, p50 ${week.p50.toFixed(1)} ms, max ${week.max.toFixed(1)} ms`,
);
console.log(
  `disk: ${(week.bytesPerSubstationDay / 1024).toFixed(0)} KiB per substation-day (14 fields, minutes + quarters)`,
);
