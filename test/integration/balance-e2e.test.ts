import { readdirSync, readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groundTruth } from '../../simulators/model/truth.ts';
import type { Simulator } from '../../simulators/simulator.ts';
import { type HeatnetApp, localStoreDir } from '../../src/app.ts';
import type { BalanceResult } from '../../src/balance/types.ts';
import type { Config } from '../../src/config/schema.ts';
import { eventually } from '../support/config.ts';
import { BALANCE_AT_60X, DEMO_MQTT_PUBLISHER, simulatedDemo } from '../support/simulated-demo.ts';

/**
 * The balancing engine in the running service, fed over the real wire — Modbus TCP
 * from the simulator's PLCs and VFDs, room sensors over MQTT through the embedded
 * broker — on the whole demo network at 60× speed, checked against ground truth.
 */
describe('balance end to end: simulator → ingest → engine → API, MQTT, storage', () => {
  let config: Config;
  let sim: Simulator;
  let app: HeatnetApp;
  let brokerPort: number;

  beforeAll(async () => {
    ({ config, sim, app, brokerPort } = await simulatedDemo(BALANCE_AT_60X));
    await app.start();
    await sim.start();
  }, 60_000);

  afterAll(async () => {
    await sim?.stop();
    await app?.stop();
  });

  const balance = async (query = '') => {
    const res = await (await app.http()).inject({ url: `/api/balance${query}` });
    expect(res.statusCode).toBe(200);
    return res.json() as BalanceResult;
  };

  it('flags near-end overheating and far-end underheating as ground truth has them', async () => {
    // Rooms report every 5 simulated minutes (5 s here): wait until most have, twice.
    const result = await eventually(
      async () => {
        app.balance.evaluate();
        const r = app.balance.evaluate();
        return r.substations.every((s) => s.basis === 'rooms') ? r : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 2_000, what: 'room-based evaluation of every station' },
    );
    const truth = groundTruth(sim.model);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const s of result.substations) {
      const t = truth.substations.find((x) => x.id === s.id)!;
      const expected =
        s.position === 'near' && t.indoorState === 'overheated'
          ? 'near-end-overheating'
          : s.position === 'far' && t.indoorState === 'underheated'
            ? 'far-end-underheating'
            : null;
      if (s.flag && s.flag === expected) tp++;
      else {
        if (s.flag) fp++;
        if (expected) fn++;
      }
    }
    console.info(`over the wire: tp ${tp} fp ${fp} fn ${fn}`);
    expect(tp).toBeGreaterThanOrEqual(6);
    expect(tp / (tp + fp)).toBeGreaterThanOrEqual(0.9);
    expect(tp / (tp + fn)).toBeGreaterThanOrEqual(0.9);
    expect(result.outdoorTempC).toBeCloseTo(-5, 0);
    expect(result.gradient.slopeCPerKm).toBeLessThan(0);
    const api = await balance();
    expect(api.substations).toHaveLength(22);
    const far = await balance('?position=far&status=underheating');
    expect(far.substations.length).toBeGreaterThan(0);
    expect(far.substations.every((s) => s.position === 'far' && s.status === 'underheating')).toBe(
      true,
    );
    const s01 = api.substations.find((s) => s.id === 'S01')!;
    expect(s01.recommendation).toMatchObject({ pump: 'S01-P1', action: 'lower' });
  }, 60_000);

  it('reports the engine and the control path in /api/health', async () => {
    const health = (await (await app.http()).inject({ url: '/api/health' })).json();
    expect(health.balance.enabled).toBe(true);
    expect(Date.parse(health.balance.evaluatedAt)).toBeGreaterThan(0);
    expect(health.balance.stale).toBe(false);
    expect(health.control).toMatchObject({ auditOpen: true, auto: { state: 'off' } });
  });

  it('answers 400 naming the field for a bad filter', async () => {
    const res = await (await app.http()).inject({ url: '/api/balance?status=tepid' });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('status');
  });

  it('shows the status in the substation list', async () => {
    const res = await (await app.http()).inject({ url: '/api/substations' });
    const list = res.json() as {
      substations: { id: string; balance: { status: string; position: string } }[];
    };
    const s01 = list.substations.find((s) => s.id === 'S01')!;
    expect(s01.balance.position).toBe('near');
    expect(['overheating', 'normal']).toContain(s01.balance.status);
  });

  it('publishes every station retained on heatnet/balance/{substation}', async () => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, DEMO_MQTT_PUBLISHER);
    const seen = new Map<string, { id: string; status: string; retain: boolean }>();
    // The engine publishes every 2 s here: a live copy (retain flag off) may arrive next to
    // the retained one a subscriber gets first, so remember that a retained copy came.
    client.on('message', (topic, payload, packet) => {
      seen.set(topic, {
        ...(JSON.parse(payload.toString()) as { id: string; status: string }),
        retain: packet.retain || (seen.get(topic)?.retain ?? false),
      });
    });
    await client.subscribeAsync('heatnet/balance/+', { qos: 1 });
    await eventually(() => seen.size === 22 && seen.get('heatnet/balance/S22')?.retain, {
      what: 'retained balance of all 22 stations',
    });
    await client.endAsync();
    const s22 = seen.get('heatnet/balance/S22')!;
    expect(s22.id).toBe('S22');
    expect(s22.retain).toBe(true);
  });

  it('stores the balance measurement', async () => {
    await app.writer.flush();
    const dir = localStoreDir(config, process.cwd());
    const lines = readdirSync(dir)
      .flatMap((f) => readFileSync(`${dir}/${f}`, 'utf8').split('\n'))
      .filter((l) => l.startsWith('balance,'));
    expect(lines.length).toBeGreaterThan(22);
    expect(
      lines.some(
        (l) =>
          /^balance,status=\w+,substation=S11 .*flow_ratio=/.test(l) ||
          /^balance,substation=S11,status=/.test(l),
      ),
    ).toBe(true);
  });
});
