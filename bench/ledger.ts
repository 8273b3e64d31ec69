/**
 * The nightly ledger at scale (issue 11): one season day for 250,000 households (1,000
 * substations × 5 buildings × 50 flats, every flat with a room day, a few buildings
 * stopped, some flats cold) into the SQLite store; then the season CSV of a smaller
 * network (every day of the season computed) streamed through the API's generator, with
 * RSS sampled while it streams (flat = not held in memory).
 *
 *   npx tsx bench/ledger.ts [--households 250000] [--csv-households 20000]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ledgerCsv } from '../src/ledger/csv.ts';
import { LedgerJob } from '../src/ledger/job.ts';
import { daysBetween, seasonById } from '../src/service/ledger-calendar.ts';
import { type LedgerHousehold, ledgerRules } from '../src/service/ledger-rules.ts';
import { Store } from '../src/store/store.ts';
import { MemorySource } from '../test/integration/ledger-fixtures.ts';

const { values } = parseArgs({
  options: {
    households: { type: 'string', default: '250000' },
    'csv-households': { type: 'string', default: '20000' },
  },
});
const SPEC = { start: '11-01', end: '03-31' };
const RULES = ledgerRules({
  site: { timezone: 'Asia/Shanghai', heatingSeason: SPEC },
  standards: { indoor: { minC: 18 } },
  ledger: {
    feeYuanPerM2: 24,
    stopRules: [
      { name: 'continuous-72h', continuousOverHours: 72, refundFactor: 2 },
      { name: 'total-7d', totalOverDays: 7, refundFactor: 2 },
    ],
    noticeOverHours: 12,
    joinGapMinutes: 60,
  },
});
const SEASON = seasonById('2026-2027', SPEC)!;
const mb = () => Math.round(process.memoryUsage().rss / 1048576);

function network(count: number): LedgerHousehold[] {
  const out: LedgerHousehold[] = [];
  for (let i = 0; i < count; i++) {
    const s = `S${String(Math.floor(i / 250)).padStart(4, '0')}`;
    const b = `${s}-B${Math.floor((i % 250) / 50) + 1}`;
    out.push({
      id: `${b}-${String(i % 50).padStart(4, '0')}`,
      building: b,
      substation: s,
      areaM2: 80 + (i % 7) * 10,
    });
  }
  return out.sort((x, y) => (x.id < y.id ? -1 : 1));
}

function fill(source: MemorySource, households: readonly LedgerHousehold[], day: string) {
  const list = households.map((h, i) => ({
    household: h.id,
    day,
    meanC: i % 40 === 0 ? 16.5 : 20.5,
    samples: 96,
    updatedAtMs: 0,
  }));
  source.rooms.set(day, list);
  source.dirty.add(day);
}

async function setup(households: LedgerHousehold[]) {
  const store = new Store({
    engine: 'sqlite',
    path: join(mkdtempSync(join(tmpdir(), 'heatnet-bench-')), 'l.sqlite'),
  });
  await store.start();
  const source = new MemorySource(5000);
  for (let k = 0; k < 20; k++) {
    const b = households[(k * 997) % households.length]!;
    const from = Date.parse('2026-12-01T06:00:00+08:00') + k * 3_600_000;
    source.stopList.push({
      id: `X${k}`,
      level: 'building',
      place: b.building,
      fromMs: from,
      untilMs: from + (60 + k) * 3_600_000,
      source: 'data',
      incidentId: null,
    });
  }
  const now = Date.parse('2027-04-02T03:00:00+08:00');
  const log = pino({ level: 'silent' });
  const job = new LedgerJob({
    source,
    store,
    rules: RULES,
    households,
    batchSize: 5000,
    now: () => now,
    log,
    schedule: { intervalS: 3600 },
    clockRate: 1,
  });
  return { store, source, job, now };
}

async function nightly(count: number) {
  const households = network(count);
  const { store, source, job } = await setup(households);
  fill(source, households, '2026-12-03');
  const rss0 = mb();
  const t0 = performance.now();
  const [run] = await job.runRange('2026-12-03', '2026-12-03');
  const ms = performance.now() - t0;
  console.log(
    `nightly: ${run?.written} households of 2026-12-03 in ${(ms / 1000).toFixed(1)} s; RSS ${rss0} → ${mb()} MB`,
  );
  await store.stop();
}

async function csv(count: number) {
  const households = network(count);
  const { store, source, job, now } = await setup(households);
  const t0 = performance.now();
  for (const day of daysBetween(SEASON.firstDay, SEASON.lastDay)) {
    fill(source, households, day);
    await job.runRange(day, day);
    source.rooms.delete(day);
  }
  console.log(
    `season: ${count} × ${SEASON.days} days computed in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const deps = { store, source, rules: RULES, now: () => now, household: () => undefined };
  let bytes = 0;
  let chunks = 0;
  const rss: number[] = [];
  const t1 = performance.now();
  for await (const chunk of ledgerCsv(deps, SEASON, {}, 'both')) {
    bytes += Buffer.byteLength(chunk);
    if (++chunks % 1000 === 0) rss.push(mb());
  }
  const s = (performance.now() - t1) / 1000;
  console.log(
    `csv: ${count * SEASON.days} rows, ${(bytes / 1048576).toFixed(0)} MB in ${s.toFixed(1)} s; RSS while streaming ${Math.min(...rss)}–${Math.max(...rss)} MB (sampled every 1,000 households)`,
  );
  await store.stop();
}

await nightly(Number(values.households));
await csv(Number(values['csv-households']));
