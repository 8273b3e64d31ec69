import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LedgerJob } from '../../src/ledger/job.ts';
import { dayPage, insertAttribution, insertMeasurement } from '../../src/ledger/ledger-db.ts';
import { ledgerRules } from '../../src/service/ledger-rules.ts';
import { Store } from '../../src/store/store.ts';
import { ENGINES, freshTarget, useEngine } from '../support/store.ts';
import { MemorySource } from './ledger-fixtures.ts';

const H = 3_600_000;
const RULES = ledgerRules({
  site: { timezone: 'Asia/Shanghai', heatingSeason: { start: '11-01', end: '03-31' } },
  standards: { indoor: { minC: 18 } },
  ledger: {
    feeYuanPerM2: 30.2,
    stopRules: [{ name: 'continuous-72h', continuousOverHours: 72, refundFactor: 2 }],
    noticeOverHours: 12,
    joinGapMinutes: 60,
  },
});
const HOUSEHOLDS = ['A-B1-0101', 'A-B1-0102', 'A-B2-0101', 'B-B1-0101'].map((id) => ({
  id,
  building: id.slice(0, 4),
  substation: id.slice(0, 1),
  areaM2: 100,
}));

describe.each(ENGINES)('the nightly ledger on %s', (engine) => {
  useEngine(engine);
  let store: Store | undefined;
  afterEach(async () => {
    await store?.stop();
    store = undefined;
  });

  async function setup(nowMs: number) {
    store = new Store(await freshTarget(engine));
    await store.start();
    const source = new MemorySource(2);
    const job = new LedgerJob({
      source,
      store,
      rules: RULES,
      households: HOUSEHOLDS,
      batchSize: 3,
      now: () => nowMs,
      log: pino({ level: 'silent' }),
      schedule: { intervalS: 3600 },
      clockRate: 1,
    });
    return { store, source, job };
  }

  it('computes yesterday for every household, a late reading recomputes its day, and again is the same', async () => {
    const now = Date.parse('2026-12-03T02:00:00+08:00');
    const { store, source, job } = await setup(now);
    source.setRoom({
      household: 'A-B1-0102',
      day: '2026-12-02',
      meanC: 17,
      samples: 90,
      updatedAtMs: now,
    });
    source.stopList.push({
      id: 'X1',
      level: 'substation',
      place: 'B',
      fromMs: Date.parse('2026-12-01T12:00:00+08:00'),
      untilMs: null,
      source: 'data',
      incidentId: null,
    });
    await insertMeasurement(
      store.db,
      {
        household: 'A-B2-0101',
        atMs: Date.parse('2026-12-02T10:00:00+08:00'),
        day: '2026-12-02',
        tempC: 16.5,
        by: 'crew',
        ticketId: null,
      },
      now,
    );
    await insertAttribution(store.db, {
      household: 'A-B1-0101',
      fromDay: '2026-12-01',
      toDay: null,
      party: 'household',
      reason: 'renovation',
      by: 'crew',
      atMs: now,
    });
    const runs = await job.runDue();
    expect(runs.map((r) => [r.day, r.written])).toEqual([
      ['2026-12-01', 4],
      ['2026-12-02', 4],
    ]);
    const first = await dayPage(store.db, { season: '2026-2027', from: '2026-12-02' }, null, 100);
    expect(
      first.map((d) => [
        d.household,
        d.belowStandard,
        d.billedShareBp,
        d.stoppedMinutes,
        d.attribution,
      ]),
    ).toEqual([
      ['A-B1-0101', false, 10_000, 0, 'household'],
      ['A-B1-0102', true, 5_000, 0, 'company'],
      ['A-B2-0101', true, 5_000, 0, 'company'],
      ['B-B1-0101', false, 10_000, 1440, 'company'],
    ]);
    expect(await job.runDue()).toEqual([]);
    source.setRoom({
      household: 'A-B1-0102',
      day: '2026-12-02',
      meanC: 18.4,
      samples: 96,
      updatedAtMs: now + H,
    });
    expect((await job.runDue()).map((r) => r.day)).toEqual(['2026-12-02']);
    const again = await dayPage(
      store.db,
      { household: 'A-B1-0102', from: '2026-12-02' },
      null,
      100,
    );
    expect(again[0]?.belowStandard).toBe(false);
    await job.runRange('2026-12-02', '2026-12-02');
    const twice = await dayPage(store.db, {}, null, 100);
    expect(twice.length).toBe(8);
    expect(job.progress).toMatchObject({ running: false, done: 4, total: 4, lastError: null });
  });
});
