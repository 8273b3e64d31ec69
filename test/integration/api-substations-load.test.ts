import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi, type HttpApi } from '../../src/api/server.ts';
import type { BalanceResult } from '../../src/balance/types.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { Topology } from '../../src/domain/topology.ts';
import { LiveState } from '../../src/state/live-state.ts';
import { testConfig } from '../support/config.ts';

/**
 * Issue 15 defect 6, the API side: 50 concurrent clients of `GET /api/substations` made
 * heatnet build and serialise the whole list for each of them, and the Modbus timers
 * waited. The list is now built at most once per short interval and sent as it is; over
 * real HTTP, concurrent clients get the same complete list, and a new balance evaluation
 * shows at once. (The poller's own lateness is covered in modbus-poll-lateness.test.ts;
 * timing is measured in bench/api-load.ts, never asserted here.)
 */
describe('GET /api/substations under concurrent load', () => {
  let config: Config;
  let api: HttpApi;
  let base: string;
  const state = new LiveState();
  let balance: BalanceResult = { evaluatedAt: 0, substations: [] } as unknown as BalanceResult;

  beforeAll(async () => {
    config = await testConfig({ substations: 3 });
    const now = Date.now();
    state.apply([
      {
        measurement: 'substation',
        tags: { substation: 'S01' },
        fields: { primary_supply_temp_c: 95.5 },
        time: now,
      },
    ]);
    api = await buildApi({
      config,
      topology: new Topology(config.network),
      state,
      devices: () => [],
      now: () => Date.now(),
      clockRate: 1,
      api: { ...config.api, anonymousRead: true },
      log: silentLogger(),
      health: () => ({}) as never,
      balance: () => balance,
    });
    base = await api.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('answers 50 concurrent clients with the same complete list', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => fetch(`${base}/api/substations`)),
    );
    const bodies = await Promise.all(responses.map((r) => r.text()));
    for (const r of responses) {
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/application\/json/);
    }
    const list = JSON.parse(bodies[0]!);
    expect(list.count).toBe(3);
    const ids = list.substations.map((s: { id: string }) => s.id);
    expect([...ids].sort()).toEqual(config.network.substations.map((s) => s.id).sort());
    const s01 = list.substations.find((s: { id: string }) => s.id === 'S01');
    expect(s01.readings.primary_supply_temp_c.value).toBe(95.5);
  });

  it('shows a new balance evaluation at once, without waiting for the list to age', async () => {
    const statusOfS01 = async () => {
      const res = await fetch(`${base}/api/substations`);
      expect(res.status).toBe(200);
      const list = (await res.json()) as { substations: { id: string; balance: object }[] };
      return list.substations.find((s) => s.id === 'S01')?.balance;
    };
    expect(await statusOfS01()).toMatchObject({ status: 'no-data' });
    const s01 = {
      id: 'S01',
      status: 'underheating',
      position: 'far',
      flag: null,
      anomaly: null,
      deviationC: -1.5,
      flowRatio: 0.9,
      recommendation: null,
    };
    balance = { evaluatedAt: Date.now(), substations: [s01] } as unknown as BalanceResult;
    expect(await statusOfS01()).toMatchObject({ status: 'underheating', deviationC: -1.5 });
  });
});
