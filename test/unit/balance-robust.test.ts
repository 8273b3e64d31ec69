import fc from 'fast-check';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { balanceRoutes } from '../../src/api/routes/balance.ts';
import { finiteResult, finiteStation } from '../../src/balance/finite.ts';
import { hampelBand, type RoomSample, robustIndoor } from '../../src/balance/robust.ts';
import type { BalanceResult, SubstationBalance } from '../../src/balance/types.ts';
import { BalanceService } from '../../src/balance-runner/service.ts';
import { noAlerts } from '../../src/core/alerts.ts';
import { EventBus } from '../../src/core/events.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { Topology } from '../../src/domain/topology.ts';
import type { HeatnetEvents } from '../../src/events.ts';
import { BalanceWindows } from '../../src/state/balance-windows.ts';
import { LiveState } from '../../src/state/live-state.ts';
import { steadyDemoConfig } from '../support/balance-harness.ts';

/** Issue 15: a station's indoor figures robust to bad sensors; no non-finite number leaves. */

const room = (household: string, meanC: number, zone = 'B1/low', areaM2 = 80): RoomSample => ({
  household,
  zone,
  areaM2,
  meanC,
  halvesC: () => [meanC, meanC],
});
const honest = (n: number, base = 17) =>
  Array.from({ length: n }, (_, i) => room(`H${i}`, base + ((i % 5) - 2) * 0.4));

describe('robustIndoor (Hampel filter, breakdown point 50 %)', () => {
  it('lets no single household move the mean by more than the band over n', () => {
    const rooms = honest(20);
    const clean = robustIndoor(rooms, 18);
    for (const bad of [60, -30, 5000, -1e308, 1e308]) {
      const r = robustIndoor([...rooms.slice(1), room('X', bad)], 18);
      expect(r.outliers, String(bad)).toBe(1);
      expect(Math.abs(r.meanC! - clean.meanC!)).toBeLessThan(0.2);
      expect(r.coldShare).toBeCloseTo(clean.coldShare!, 1);
    }
  });

  it('holds while fewer than half the sensors are wrong, however wrong', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 40 }),
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 19 }),
        (n, bad) => {
          fc.pre(bad.length * 2 < n + bad.length);
          const rooms = [...honest(n), ...bad.map((v, i) => room(`X${i}`, v))];
          const r = robustIndoor(rooms, 18);
          // Kept values lie within the band of the median, which honest rooms hold.
          expect(r.meanC).not.toBeNull();
          expect(r.meanC!).toBeGreaterThan(17 - 0.8 - 6.01);
          expect(r.meanC!).toBeLessThan(17 + 0.8 + 6.01);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps honest spread: a cold flat two kelvin below its neighbours stays in', () => {
    const rooms = [...honest(10, 20), room('cold', 17.5)];
    const r = robustIndoor(rooms, 18);
    expect(r.outliers).toBe(0);
    expect(r.coldShare).toBeCloseTo(1 / 11);
  });

  it('weights by area and answers null for no rooms', () => {
    expect(robustIndoor([room('a', 20, 'z', 100), room('b', 18, 'z', 300)], 18).meanC).toBe(18.5);
    expect(robustIndoor([], 18)).toEqual({
      meanC: null,
      coldShare: null,
      outliers: 0,
      suspect: [],
    });
    expect(hampelBand([1, 1, 1]).band).toBe(6);
  });

  it('flags a sensor far from its zone neighbours over the whole window, not a brief spike', () => {
    const zone = honest(6);
    const stuck = room('stuck', 45);
    const spike: RoomSample = { ...room('spike', 40), halvesC: () => [17, 63] };
    const lone = room('lone', 45, 'B2/high');
    const r = robustIndoor([...zone, stuck, spike, lone], 18);
    expect(r.suspect).toEqual(['stuck']);
    expect(r.outliers).toBe(3);
  });
});

const station = (over: Partial<SubstationBalance> = {}): SubstationBalance => ({
  id: 'S22',
  branch: 'north',
  distanceM: 4000,
  position: 'far',
  status: 'underheating',
  rawStatus: 'underheating',
  basis: 'rooms',
  flag: 'far-end-underheating',
  anomaly: null,
  deviationC: -5,
  referenceSupplyC: 60,
  referenceReturnC: 45,
  flowRatio: 0.7,
  equilibriumIndoorC: 16,
  indoorMeanC: 16.2,
  coldShare: 0.6,
  roomsReporting: 40,
  roomsOutliers: 0,
  suspectSensors: [],
  heatIndex: 0.9,
  recommendation: null,
  ...over,
});
const result = (substations: SubstationBalance[]): BalanceResult => ({
  evaluatedAt: Date.UTC(2026, 0, 12),
  outdoorTempC: -5,
  gradient: { slopeCPerKm: -2, r2: 0.9, stations: substations.length },
  counts: { overheating: 0, underheating: substations.length, normal: 0, 'no-data': 0 },
  substations,
  network: [],
});

describe('finite balance output (the view boundary)', () => {
  it('nulls a non-finite field of one station and names it, leaving the rest alone', () => {
    const ok = station({ id: 'S21' });
    const r = finiteResult(result([ok, station({ indoorMeanC: Infinity, coldShare: Number.NaN })]));
    expect(r.substations[0]).toBe(ok);
    expect(r.substations[1]).toMatchObject({
      status: 'underheating',
      indoorMeanC: null,
      coldShare: null,
      invalidFields: ['indoorMeanC', 'coldShare'],
    });
  });

  it('drops a recommendation with a non-finite number whole, and keeps a clean result as it is', () => {
    const rec = {
      pump: 'S22-P1',
      action: 'raise' as const,
      currentHz: 40,
      targetHz: Infinity,
      expectedFlowRatio: 1,
      limitedBy: null,
      reason: 'x',
    };
    expect(finiteStation(station({ recommendation: rec }))).toMatchObject({
      recommendation: null,
      invalidFields: ['recommendation'],
    });
    const clean = result([station()]);
    expect(finiteResult(clean)).toBe(clean);
  });

  it('answers GET /api/balance 200 whatever non-finite number the engine produced', async () => {
    const bad = result([station({ id: 'S21' }), station({ indoorMeanC: -Infinity })]);
    bad.outdoorTempC = Number.NaN;
    const api = Fastify();
    await api.register(balanceRoutes, { latest: () => bad });
    for (const url of ['/api/balance', '/api/balance?position=far']) {
      const res = await api.inject({ url });
      expect(res.statusCode, url).toBe(200);
      const body = res.json();
      expect(body.outdoorTempC).toBeNull();
      expect(body.substations[1]).toMatchObject({
        indoorMeanC: null,
        invalidFields: ['indoorMeanC'],
      });
      expect(body.substations[0].indoorMeanC).toBe(16.2);
    }
    await api.close();
  });
});

describe('BalanceService output when the windows hold values ingest would refuse', () => {
  it('publishes, stores and serves finite numbers, the station naming the nulled field', () => {
    const config = steadyDemoConfig();
    const topology = new Topology(config.network);
    const windows = new BalanceWindows(
      config.balance.windowMin * 60_000,
      (id) => topology.household(id)?.areaM2,
    );
    const at = Date.UTC(2026, 0, 12, 12);
    // Straight into the windows, past the ingest checks: every S22 room at 1e308.
    const s22 = topology.substations.find((s) => s.id === 'S22')!;
    windows.apply(
      s22.buildings.flatMap((b) =>
        b.households.map((h) => ({
          measurement: 'room',
          tags: { substation: 'S22', building: b.id, household: h.id },
          fields: { temp_c: 1e308 },
          time: at - 60_000,
        })),
      ),
    );
    const published = new Map<string, string>();
    const written: Reading[] = [];
    const service = new BalanceService(
      config,
      { config, topology, windows, state: new LiveState(), devices: () => [] },
      new EventBus<HeatnetEvents>(silentLogger()),
      {
        write: (r) => written.push(...r),
        publish: (t, p) => published.set(t, p),
        alerts: noAlerts,
      },
      silentLogger(),
      () => at,
    );
    const result = service.evaluate(at);
    const s = result.substations.find((x) => x.id === 'S22')!;
    expect(s).toMatchObject({ indoorMeanC: null, invalidFields: ['indoorMeanC'] });
    const payload = JSON.parse(published.get('heatnet/balance/S22')!);
    expect(payload).toMatchObject({ indoorMeanC: null, invalidFields: ['indoorMeanC'] });
    const point = written.find((r) => r.tags.substation === 'S22')!;
    expect(point.fields.indoor_mean_c).toBeUndefined();
  });
});
