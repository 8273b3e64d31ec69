import { afterEach, describe, expect, it } from 'vitest';
import { HeatnetApp } from '../../src/app.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import type { HistoryAnswer } from '../../src/live/events-contract.ts';
import type { Engine } from '../../src/store/engine.ts';
import { ENGINES, freshTarget, useEngine } from '../support/store.ts';
import { deskConfig, FakeDiagnoser } from './complaints-harness.ts';

/**
 * The embedded default's history (issue 13 item 4) on both store engines: readings through
 * the real ingest path, summed per minute and quarter by the recorder, flushed in one
 * transaction, read back through `GET /api/substations/:id/history`, pruned by retention.
 */

const MIN = 60_000;
const DAY = 86_400_000;
/** A whole quarter of an hour on a Tuesday in the heating season (UTC). */
const T0 = Date.UTC(2026, 11, 8, 6, 0);

const running: HeatnetApp[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.stop();
});

async function started(engine: Engine) {
  let clock = T0 + 60 * MIN;
  const config = await deskConfig(await freshTarget(engine), (raw) => {
    raw['storage'] = { ...raw['storage'], history: { minuteDays: 2, quarterDays: 30 } };
  });
  const app = new HeatnetApp(config, {
    log: silentLogger(),
    diagnoser: new FakeDiagnoser(),
    now: () => clock,
  });
  running.push(app);
  await app.start();
  const http = await app.http();
  const id = config.network.substations[0]!.id;
  const get = async (query: string, sub = id) => {
    const res = await http.inject({
      method: 'GET',
      url: `/api/substations/${sub}/history?${query}`,
    });
    return { status: res.statusCode, body: res.json() as HistoryAnswer & { field?: string } };
  };
  const setClock = (ms: number) => {
    clock = ms;
  };
  return { app, id, get, setClock };
}

const at = (min: number) => T0 + min * MIN;
const sub = (id: string, min: number, v: number): Reading => ({
  measurement: 'substation',
  tags: { substation: id, source: 'plc' },
  fields: { primary_supply_temp_c: v, controller_model: 'X1', circulation_pump_running: true },
  time: at(min),
});
const pump = (id: string, p: string, min: number, hz: number): Reading => ({
  measurement: 'pump',
  tags: { substation: id, pump: p },
  fields: { frequency_hz: hz, running: true },
  time: at(min),
});
const room = (id: string, h: string, min: number, c: number): Reading => ({
  measurement: 'room',
  tags: { substation: id, building: 'B1', household: h },
  fields: { temp_c: c },
  time: at(min),
});
const weather = (min: number, c: number): Reading => ({
  measurement: 'weather',
  tags: { station: 'W1' },
  fields: { outdoor_temp_c: c },
  time: at(min),
});

// Budget: each test starts and stops the whole app on a fresh store: 4–8 s here on a quiet
// machine, up to 13 s with other suites beside it; a third of 30 s is too tight for that.
describe.each(ENGINES)('embedded history on %s', { timeout: 60_000 }, (engine) => {
  useEngine(engine);

  it('keeps per-minute means that add up across flushes, and quarters beside them', async () => {
    const { app, id, get } = await started(engine);
    // Minute 0: 90 and 92 in one flush, 94 in the next: the mean of all three.
    await app.pipeline.accept([sub(id, 0, 90), sub(id, 0.5, 92)]);
    await app.history.recorder!.flush();
    await app.pipeline.accept([sub(id, 0.9, 94), sub(id, 1, 80), sub(id, 7, 70)]);
    await app.pipeline.accept([pump(id, 'P1', 0, 40), pump(id, 'P2', 0, 44)]);
    await app.pipeline.accept([
      room(id, 'H1', 0, 18),
      room(id, 'H2', 0, 21),
      room('S99', 'H', 0, 5),
    ]);
    await app.pipeline.accept([weather(3, -10), weather(3.5, -12)]);
    await app.history.recorder!.flush();

    const range = `from=${new Date(at(0)).toISOString()}&to=${new Date(at(15)).toISOString()}`;
    const minutes = await get(`field=primary_supply_temp_c&${range}&step=1m`);
    expect(minutes.status, JSON.stringify(minutes.body)).toBe(200);
    expect(minutes.body).toMatchObject({ substation: id, stepS: 60, source: 'embedded' });
    expect(minutes.body.points).toEqual([
      [new Date(at(0)).toISOString(), 92],
      [new Date(at(1)).toISOString(), 80],
      [new Date(at(7)).toISOString(), 70],
    ]);
    // Five minutes: samples weighted alike (90, 92, 94, 80 → 89).
    const five = await get(`field=primary_supply_temp_c&${range}&step=5m`);
    expect(five.body.points).toEqual([
      [new Date(at(0)).toISOString(), 89],
      [new Date(at(5)).toISOString(), 70],
    ]);
    const quarter = await get(`field=primary_supply_temp_c&${range}&step=15m`);
    expect(quarter.body.points).toEqual([[new Date(at(0)).toISOString(), 85.2]]);

    expect((await get(`field=pump_frequency_hz&${range}`)).body.points[0]![1]).toBe(42);
    expect((await get(`field=room_mean_temp_c&${range}`)).body.points[0]![1]).toBe(19.5);
    // The outdoor temperature is the site's, whichever substation asks.
    const outdoor = await get(`field=outdoor_temp_c&${range}&step=60`);
    expect(outdoor.body.points).toEqual([[new Date(at(3)).toISOString(), -11]]);
  });

  it('writes a large flush in parts, each sum once, and drops only from a failed part on', async () => {
    const { app, id, get } = await started(engine);
    const recorder = app.history.recorder!;
    // 1,200 minutes of one field: 1,200 minute rows and 80 quarters, more than one part.
    const day = (plus: number) =>
      Array.from({ length: 1200 }, (_, k) => sub(id, k - 1140, (k % 7) + plus));
    const means = (points: readonly (readonly [string, number])[]) => points.map(([, v]) => v);
    await app.pipeline.accept(day(0));
    await recorder.flush();
    expect(recorder.stats).toMatchObject({ flushes: 1, rows: 1280, failures: 0 });
    const all = `from=${new Date(at(-1140)).toISOString()}&to=${new Date(at(60)).toISOString()}`;
    const minutes = await get(`field=primary_supply_temp_c&${all}&step=1m`);
    expect(minutes.body.points).toHaveLength(1200);
    expect(means(minutes.body.points)).toEqual(day(0).map((_, k) => k % 7));

    // The next flush's second part fails: the first part stays committed, once.
    const store = app.store;
    const transaction = store.transaction.bind(store);
    let calls = 0;
    store.transaction = ((fn) => {
      if (++calls === 2) return Promise.reject(new Error('disk full'));
      return transaction(fn);
    }) as typeof store.transaction;
    await app.pipeline.accept(day(10));
    await recorder.flush();
    store.transaction = transaction;
    expect(recorder.stats).toMatchObject({ flushes: 1, rows: 2280, failures: 1 });
    const after = (await get(`field=primary_supply_temp_c&${all}&step=1m`)).body.points;
    // The first part's 1,000 minutes hold both samples (v and v + 10: mean v + 5), the
    // failed part's 200 only the first flush's.
    expect(means(after)).toEqual(day(0).map((_, k) => (k % 7) + (k < 1000 ? 5 : 0)));
  });

  it('answers from the quarters past the minutes’ retention, and prunes both', async () => {
    const { app, id, get, setClock } = await started(engine);
    await app.pipeline.accept([sub(id, 0, 60), sub(id, 14, 62)]);
    await app.history.recorder!.flush();
    // Three days later the minutes (kept 2 days) are gone; the quarter remains.
    setClock(T0 + 3 * DAY);
    await app.history.recorder!.prune();
    const range = `from=${new Date(at(0)).toISOString()}&to=${new Date(at(60)).toISOString()}`;
    const old = await get(`field=primary_supply_temp_c&${range}&step=1m`);
    expect(old.body.stepS).toBe(900);
    expect(old.body.points).toEqual([[new Date(at(0)).toISOString(), 61]]);
    setClock(T0 + 31 * DAY);
    await app.history.recorder!.prune();
    expect((await get(`field=primary_supply_temp_c&${range}&step=15m`)).body.points).toEqual([]);
  });

  it('refuses an unknown substation and bad requests, naming the field', async () => {
    const { get } = await started(engine);
    expect((await get('field=primary_supply_temp_c', 'S404')).status).toBe(404);
    const cases: [string, string][] = [
      ['field=nonsense', 'field'],
      ['field=primary_flow_m3h&from=yesterday', 'from'],
      ['field=primary_flow_m3h&to=2026-13-45', 'to'],
      ['field=primary_flow_m3h&from=2026-12-09T00:00:00Z&to=2026-12-08T00:00:00Z', 'from'],
      ['field=primary_flow_m3h&from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
      ['field=primary_flow_m3h&step=1s', 'step'],
      ['field=primary_flow_m3h&step=fast', 'step'],
    ];
    for (const [query, field] of cases) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      expect(JSON.stringify(res.body), query).toContain(field);
    }
    // The default step keeps a day under 1,000 points.
    const day = await get('field=primary_flow_m3h');
    expect(day.status).toBe(200);
    expect(day.body.stepS).toBe(300);
  });
});
