import { afterEach, describe, expect, it } from 'vitest';
import type { HeatnetApp } from '../../src/app.ts';
import type { Reading } from '../../src/core/reading.ts';
import { freshTarget } from '../support/store.ts';
import { auth, deskApp, deskConfig, diagnosisAt, FakeDiagnoser } from './complaints-harness.ts';

/*
 * The ledger's data in the running service (issue 11 item 3): readings accepted by the ingest
 * pipeline become room days and meter stops, a heat-stopped incident the desk opens from a
 * call becomes a stop, and all of it is there after a restart of the service.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY0 = Date.parse('2026-01-09T16:00:00Z'); // 10 Jan, 00:00 in Shanghai

const running: HeatnetApp[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.stop();
});

describe('ledger data in the service', () => {
  it('collects room days, meter stops and incident stops, and keeps them across a restart', async () => {
    const target = await freshTarget('sqlite');
    const config = await deskConfig(target);
    const clock = { now: DAY0 + 3 * HOUR };
    const diagnoser = new FakeDiagnoser();
    const app = await deskApp(config, diagnoser, () => clock.now);
    running.push(app);
    const [b1, b2] = config.network.substations[0]!.buildings;
    const h1 = app.topology.building(b1!.id)!.households[0]!.id;
    const meter = (building: string, time: number, flow: number): Reading => ({
      measurement: 'building',
      tags: { substation: config.network.substations[0]!.id, building },
      fields: { flow_m3h: flow, heat_power_kw: flow * 10 },
      time,
    });
    const room = (time: number, temp_c: number): Reading => ({
      measurement: 'room',
      tags: { substation: 'x', building: b1!.id, zone: 'low', household: h1 },
      fields: { temp_c },
      time,
    });
    for (let t = DAY0; t <= DAY0 + 2 * HOUR; t += 10 * MIN) {
      await app.pipeline.accept([room(t, 16), meter(b1!.id, t, 0)]);
    }
    // A call the diagnosis puts on the second building's stopped heat opens an incident.
    diagnoser.fallback = () => ({ ...diagnosisAt('building', b2!.id), cause: 'heat-stopped' });
    const http = await app.http();
    const household = app.topology.building(b2!.id)!.households[0]!.id;
    const call = await http.inject({
      method: 'POST',
      url: '/api/complaints',
      payload: { household, category: 'no-heat' },
      headers: auth.service,
    });
    expect(call.statusCode).toBe(201);
    const incident = call.json().incident.id as string;
    await app.stop();
    running.splice(0);

    clock.now = DAY0 + 5 * HOUR;
    const again = await deskApp(config, diagnoser, () => clock.now);
    running.push(again);
    const patched = await (await again.http()).inject({
      method: 'PATCH',
      url: `/api/incidents/${incident}`,
      payload: { to: 'restored', note: 'valve reopened' },
      headers: auth.dispatcher,
    });
    expect(patched.statusCode).toBe(200);
    await again.ledgerData.stops.idle();
    const { source } = again.ledgerData;
    const days = [];
    for await (const batch of source.roomDays('2026-01-10')) days.push(...batch);
    expect(days).toMatchObject([{ household: h1, meanC: 16, samples: 13 }]);
    const stops = await source.stops(DAY0, DAY0 + 24 * HOUR);
    expect(stops).toEqual([
      expect.objectContaining({ place: b1!.id, fromMs: DAY0, untilMs: null, source: 'data' }),
      expect.objectContaining({
        place: b2!.id,
        fromMs: DAY0 + 3 * HOUR,
        untilMs: DAY0 + 5 * HOUR,
        source: 'incident',
        incidentId: incident,
      }),
    ]);
    expect(await source.dirtyDays()).toEqual(['2026-01-10']);
  });
});
