import { afterEach, describe, expect, it } from 'vitest';
import { HeatnetApp } from '../../src/app.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { ledgerHouseholds } from '../../src/ledger/build.ts';
import { daysBetween } from '../../src/service/ledger-calendar.ts';
import { TEST_TOKENS, testConfig } from '../support/config.ts';
import { MemorySource } from './ledger-fixtures.ts';

/**
 * The ledger over HTTP (issue 11): a 75 h stop on one building and a 60 h stop on another
 * → refunds for the first building's households only; compliance drops on those days and
 * recovers; the CSV streams; visits and attributions are recorded by the service roles.
 */
const H = 3_600_000;
const service = { authorization: `Bearer ${TEST_TOKENS.HEATNET_SERVICE_TOKEN}` };
const NOW = Date.parse('2026-12-10T03:00:00+08:00');
const STOP_A = Date.parse('2026-12-02T06:00:00+08:00');

describe('the ledger API', () => {
  let app: HeatnetApp | undefined;
  let clock = NOW;
  afterEach(async () => {
    await (await app?.http())?.close();
    await app?.store.stop();
    app = undefined;
  });

  async function setup() {
    clock = NOW;
    const config = await testConfig({ substations: 2 });
    const source = new MemorySource(50);
    app = new HeatnetApp(config, { log: silentLogger(), now: () => clock, ledgerSource: source });
    await app.store.start();
    const households = ledgerHouseholds(app.topology);
    const [a, b] = app.topology.substations[0]!.buildings;
    source.stopList.push(
      {
        id: 'X1',
        level: 'building',
        place: a!.id,
        fromMs: STOP_A,
        untilMs: STOP_A + 75 * H,
        source: 'data',
        incidentId: null,
      },
      {
        id: 'X2',
        level: 'building',
        place: b!.id,
        fromMs: STOP_A,
        untilMs: STOP_A + 60 * H,
        source: 'data',
        incidentId: null,
      },
    );
    for (const day of daysBetween('2026-12-01', '2026-12-06')) {
      const cold = day >= '2026-12-02' && day <= '2026-12-04';
      for (const h of households) {
        const stopped = cold && (h.building === a!.id || h.building === b!.id);
        source.setRoom({
          household: h.id,
          day,
          meanC: stopped ? 14 : 20,
          samples: 96,
          updatedAtMs: NOW,
        });
      }
    }
    await app.ledger!.job.runRange('2026-12-01', '2026-12-06');
    return { http: await app.http(), a: a!, b: b!, households };
  }

  it('refunds the 75 h stop, not the 60 h one; compliance drops and recovers; the CSV streams', async () => {
    const { http, a, b, households } = await setup();
    const inA = a.households[0]!;
    const res = await http.inject({ url: `/api/ledger?season=2026-2027&household=${inA.id}` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.days).toHaveLength(6);
    // fee 24.00 yuan/m² × area, twice 75/24 days of a 151-day season, to the cent.
    const fee = Math.round(2400 * inA.areaM2);
    expect(body.summary.refundYuan).toBe(
      (Math.round((fee * 2 * 75 * 60) / (151 * 1440)) / 100).toFixed(2),
    );
    expect(body.summary.notices).toHaveLength(1);
    const page = (await http.inject({ url: `/api/households/${inA.id}` })).json();
    expect(page.ledger.refundYuan).toBe(body.summary.refundYuan);
    const inB = b.households[0]!;
    const other = (
      await http.inject({ url: `/api/ledger?household=${inB.id}&season=2026-2027` })
    ).json();
    expect(other.summary.refundYuan).toBe('0.00');
    // B's cold days are below standard and rebated instead (nothing refunded covers them).
    expect(other.summary.belowStandardDays).toBe(3);

    const comp = (
      await http.inject({ url: '/api/compliance?from=2026-12-01&to=2026-12-06' })
    ).json();
    const shares = comp.days.map((d: { network: { share: number } }) => d.network.share);
    const coldShare = 1 - (a.households.length + b.households.length) / households.length;
    expect(shares[0]).toBe(1);
    expect(shares[2]).toBeCloseTo(coldShare, 4);
    expect(shares[5]).toBe(1);
    expect(comp.days[2].network.meetsTarget).toBe(false);

    const progress = (await http.inject({ url: '/api/ledger/progress' })).json();
    expect(progress).toMatchObject({
      running: false,
      done: households.length,
      lastRun: { day: '2026-12-06' },
    });

    const csv = await http.inject({ url: '/api/ledger.csv?season=2026-2027&lang=zh' });
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toContain('户号');
    expect(lines).toHaveLength(1 + households.length * 6);
  });

  it('records visits and attributions for the service roles only, durable before 201', async () => {
    const { http, a } = await setup();
    const id = a.households[1]!.id;
    clock += H; // the crew records after the night's run
    const post = (path: string, payload: object, headers: Record<string, string> = service) =>
      http.inject({ method: 'POST', url: `/api/households/${id}/${path}`, payload, headers });
    expect(
      (await post('measurements', { tempC: 16.2, at: '2026-12-05T10:00:00+08:00' }, {})).statusCode,
    ).toBe(401);
    const m = await post('measurements', {
      tempC: 16.2,
      at: '2026-12-05T10:00:00+08:00',
      ticket: 'T-1',
    });
    expect(m.statusCode).toBe(201);
    expect(m.json().day).toBe('2026-12-05');
    const unknown = await http.inject({
      method: 'POST',
      url: '/api/households/NOPE/measurements',
      payload: { tempC: 1, at: '2026-12-05T10:00:00Z' },
      headers: service,
    });
    expect(unknown.statusCode).toBe(404);
    const at = await post('attributions', {
      party: 'household',
      fromDay: '2026-12-01',
      reason: 'renovated radiators removed',
    });
    expect(at.statusCode).toBe(201);
    expect(
      (
        await post('attributions', {
          party: 'household',
          fromDay: '2026-12-05',
          toDay: '2026-12-01',
          reason: 'x',
        })
      ).statusCode,
    ).toBe(400);
    await app!.ledger!.job.runDue();
    const body = (
      await http.inject({ url: `/api/ledger?household=${id}&season=2026-2027` })
    ).json();
    const day5 = body.days.find((d: { day: string }) => d.day === '2026-12-05');
    expect(day5).toMatchObject({
      measuredC: 16.2,
      tempC: 16.2,
      belowStandard: true,
      billedShare: 1,
      attribution: 'household',
    });
    expect(body.summary.refundYuan).toBe('0.00');
  });
});
