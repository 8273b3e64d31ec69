import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../simulators/simulator.ts';
import type { HeatnetApp } from '../../src/app.ts';
import type { BalanceResult, SubstationBalance } from '../../src/balance/types.ts';
import type { Config } from '../../src/config/schema.ts';
import { Topology } from '../../src/domain/topology.ts';
import { eventually } from '../support/config.ts';
import { BALANCE_AT_60X, DEMO_MQTT_PUBLISHER, simulatedDemo } from '../support/simulated-demo.ts';

/**
 * Issue 15, defects 1 and 2, over the wire: hostile room readings published to far-end
 * households through the embedded broker of a running demo-like service. Before, one
 * `{"temp_c":1e+308}` made every `GET /api/balance` a 500 (the area-weighted mean
 * overflowed to Infinity) and one `{"temp_c":5000}` flipped S11 from underheating to
 * overheating. Now the values are refused by the room range and counted, an in-range
 * but absurd one (60 °C) is left out of the station's mean as an outlier, and the far
 * stations keep their status.
 */
describe('implausible MQTT room readings against the running service', () => {
  let config: Config;
  let sim: Simulator;
  let app: HeatnetApp;
  let brokerPort: number;
  let before: BalanceResult;

  beforeAll(async () => {
    ({ config, sim, app, brokerPort } = await simulatedDemo(BALANCE_AT_60X));
    await app.start();
    await sim.start();
    // Rooms report every 5 simulated minutes (5 s here). Measured ~20 s; 3× under load.
    before = await eventually(
      () => {
        const r = app.balance.evaluate();
        return r.substations.every((s) => s.basis === 'rooms') ? r : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 2_000, what: 'room-based evaluation of every station' },
    );
  }, 90_000);

  afterAll(async () => {
    await sim?.stop();
    await app?.stop();
  });

  const get = async (url: string) => (await app.http()).inject({ url });
  const station = (r: BalanceResult, id: string) => r.substations.find((s) => s.id === id)!;

  /** Household `index` of a station, and its room topic. */
  function room(substation: string, index: number) {
    const s = new Topology(config.network).substations.find((x) => x.id === substation)!;
    const h = s.buildings.flatMap((b) => b.households)[index]!;
    return `heatnet/room/${substation}/${h.building}/${h.id}`;
  }

  async function publish(messages: [string, string][]) {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, DEMO_MQTT_PUBLISHER);
    for (const [topic, payload] of messages) await client.publishAsync(topic, payload, { qos: 1 });
    await client.endAsync();
  }

  const roomHealth = async () => {
    const health = (await get('/api/health')).json();
    return health.ingest.mqtt.subscriptions.find((s: { topic: string }) =>
      s.topic.startsWith('heatnet/room/'),
    ) as { malformed: number; rejected: { range: number } };
  };

  it('keeps GET /api/balance at 200 and the far stations in their status', async () => {
    const refusedBefore = (await roomHealth()).rejected.range;
    const now = () => Math.round(sim.clock.now());
    const hostile = (t: string): [string, string][] => [
      [room('S22', 0), `{"temp_c":${t},"ts":${now()}}`],
      [room('S11', 1), `{"temp_c":${t},"ts":${now()}}`],
    ];
    await publish([...hostile('1e+308'), ...hostile('5000'), ...hostile('-1e308')]);
    await eventually(async () => (await roomHealth()).rejected.range >= refusedBefore + 6, {
      what: 'six range refusals counted',
    });
    // In range, yet nothing like its neighbours: kept by ingest, left out by the engine.
    const absurd: [string, string][] = [];
    for (let i = 0; i < 5; i++) absurd.push([room('S11', 2), `{"temp_c":60,"ts":${now() - i}}`]);
    await publish(absurd);
    await eventually(
      () => (station(app.balance.evaluate(), 'S11').roomsOutliers >= 1 ? true : undefined),
      // Failed at the 15 s default under a load of 12 (issue 10's CI run); within the
      // 60 s (real) the readings stay in the engine's 60-minute window at 60×.
      { timeoutMs: 45_000, what: 'the 60 °C room left out of S11 as an outlier' },
    );

    // Judged from rooms again (under load the simulator may leave a station's rooms stale a while).
    const after = await eventually(
      () => {
        const r = app.balance.evaluate();
        return ['S11', 'S22'].every((id) => station(r, id).basis === 'rooms') ? r : undefined;
      },
      { timeoutMs: 45_000, what: 'S11 and S22 judged from rooms' },
    );
    for (const query of ['', '?position=far', '?branch=north', '?status=underheating']) {
      const res = await get(`/api/balance${query}`);
      expect(res.statusCode, query).toBe(200);
    }
    const api = (await get('/api/balance')).json() as BalanceResult;
    for (const id of ['S11', 'S22']) {
      const was = station(before, id);
      const now: SubstationBalance = station(after, id);
      expect(now.status, id).toBe(was.status);
      const served = station(api, id);
      expect(served.invalidFields, id).toBeUndefined();
      expect(served.indoorMeanC === null || Number.isFinite(served.indoorMeanC), id).toBe(true);
      expect(Math.abs(now.indoorMeanC! - was.indoorMeanC!), id).toBeLessThan(1);
    }
    expect(station(before, 'S11').status).toBe('underheating');

    const metrics = (await get('/metrics')).body;
    expect(metrics).toMatch(
      /heatnet_mqtt_rejected_messages_total\{topic="heatnet\/room\/[^"]*",reason="range"\} [1-9]/,
    );
  }, 180_000);
});
