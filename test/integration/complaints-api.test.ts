import { afterEach, describe, expect, it } from 'vitest';
import type { HeatnetApp } from '../../src/app.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Household } from '../../src/domain/topology.ts';
import type { Engine } from '../../src/store/engine.ts';
import { Store } from '../../src/store/store.ts';
import { eventually } from '../support/config.ts';
import { ENGINES, freshTarget, useEngine } from '../support/store.ts';
import {
  auth,
  deskApp,
  deskConfig,
  diagnosisAt,
  evaluationAt,
  FakeDiagnoser,
  pumpFinding,
} from './complaints-harness.ts';

/**
 * The service desk through the real app (issue 10 §1, §3), on both store engines: intake's
 * refusals, durability, idempotent retries, incidents that calls join, incidents the data
 * open before anyone calls, and a tripped pump's 40 calls grouped into one incident.
 */
describe.each(ENGINES)('service desk on %s', (engine: Engine) => {
  useEngine(engine);
  const running: HeatnetApp[] = [];
  afterEach(async () => {
    for (const app of running.splice(0)) await app.stop();
  });

  async function started(diagnoser = new FakeDiagnoser()) {
    const target = await freshTarget(engine);
    const config = await deskConfig(target);
    const app = await deskApp(config, diagnoser);
    running.push(app);
    const http = await app.http();
    const post = (body: object, headers: Record<string, string> = {}) =>
      http.inject({
        method: 'POST',
        url: '/api/complaints',
        payload: body,
        headers: { ...auth.service, ...headers },
      });
    const get = (url: string, headers: Record<string, string> = auth.service) =>
      http.inject({ method: 'GET', url, headers });
    const patch = (url: string, body: object) =>
      http.inject({ method: 'PATCH', url, payload: body, headers: auth.dispatcher });
    return { app, config, target, diagnoser, post, get, patch };
  }

  const householdsOf = (app: HeatnetApp, substation: string): Household[] =>
    app.topology.substation(substation)!.buildings.flatMap((b) => b.households);
  const firstSubstation = (config: Config) => config.network.substations[0]!.id;

  it('refuses unknown households, buildings, units and categories with a 400 naming the field', async () => {
    const { post, app, config } = await started();
    const h = householdsOf(app, firstSubstation(config))[0]!;
    const cases: [object, string][] = [
      [{ household: 'NOPE-0101', category: 'low-temperature' }, 'household'],
      [
        { address: { building: 'NOPE', floor: 1, unit: 1 }, category: 'no-heat' },
        'address.building',
      ],
      [
        { address: { building: h.building, floor: 99, unit: 1 }, category: 'no-heat' },
        'address.unit',
      ],
      [{ household: h.id, category: 'cold' }, 'category'],
      [{ category: 'low-temperature' }, 'household'],
      [
        {
          household: h.id,
          address: { building: h.building, floor: h.floor + 1, unit: h.unit },
          category: 'other',
        },
        'address',
      ],
      [{ household: h.id, category: 'leak', reportedTempC: '17' }, 'reportedTempC'],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().field).toBe(field);
    }
    expect(
      (await post({ household: h.id, category: 'noise' }, { authorization: '' })).statusCode,
    ).toBe(401);
  });

  it('answers 201 only with the complaint committed: it is in the store after a restart', async () => {
    const { post, app, config, target } = await started();
    const h = householdsOf(app, firstSubstation(config))[5]!;
    const call = {
      address: { building: h.building, floor: h.floor, unit: h.unit },
      category: 'low-temperature',
      channel: 'wechat',
      reportedTempC: 15.5,
      contact: '138 0000 0000',
    };
    const key = { 'idempotency-key': 'hotline-restart-1' };
    const res = await post(call, key);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      household: h.id,
      building: h.building,
      zone: h.zone,
      substation: h.substation,
      category: 'low-temperature',
      channel: 'wechat',
      incident: null,
      incidentId: null,
      diagnosis: { level: 'unknown' },
      ticket: { state: 'received' },
    });
    expect(body.id).toMatch(/^C-\d{6}-[2-9A-Z]{6}$/);
    // A low temperature is a general fault: fixed within generalFaultFix (8 h by default).
    const dueMs = Date.parse(body.ticket.dueAt) - Date.parse(body.receivedAt);
    expect(dueMs).toBe(config.standards.slaMinutes.generalFaultFix * 60_000);
    await app.stop();
    running.splice(running.indexOf(app), 1);
    const store = new Store(target, silentLogger());
    await store.start();
    try {
      const row = await store.db
        .selectFrom('complaints')
        .selectAll()
        .where('id', '=', body.id)
        .executeTakeFirst();
      expect(row).toMatchObject({
        household: h.id,
        contact: '138 0000 0000',
        actor: 'demo-service',
      });
      const ticket = await store.db
        .selectFrom('tickets')
        .selectAll()
        .where('complaint_id', '=', body.id)
        .executeTakeFirst();
      expect(ticket?.state).toBe('received');
    } finally {
      await store.stop();
    }
    // The hotline retries through the restart: the first answer, nothing doubled.
    const restarted = await deskApp(config, new FakeDiagnoser());
    running.push(restarted);
    const retry = await (await restarted.http()).inject({
      method: 'POST',
      url: '/api/complaints',
      payload: call,
      headers: { ...auth.service, ...key },
    });
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(body);
  });

  it('replays a retried post (also concurrent ones) and refuses the key with another body', async () => {
    const { post, app, config, get } = await started();
    const [a, b] = householdsOf(app, firstSubstation(config));
    const body = { household: a!.id, category: 'no-heat', description: '暖气不热' };
    const key = { 'idempotency-key': 'call-0001' };
    const first = await post(body, key);
    expect(first.statusCode).toBe(201);
    const again = await post(
      { description: '暖气不热', category: 'no-heat', household: a!.id },
      key,
    );
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const other = await post({ household: b!.id, category: 'no-heat' }, key);
    expect(other.statusCode).toBe(409);
    expect(other.json().field).toBe('Idempotency-Key');
    const burst = await Promise.all(
      Array.from({ length: 8 }, () =>
        post({ household: b!.id, category: 'leak' }, { 'idempotency-key': 'call-0002' }),
      ),
    );
    expect(burst.map((r) => r.statusCode)).toEqual(Array(8).fill(201));
    expect(new Set(burst.map((r) => r.json().id)).size).toBe(1);
    const list = (await get(`/api/complaints?building=${b!.building}`)).json();
    expect(
      list.complaints.filter((c: { household: string }) => c.household === b!.id),
    ).toHaveLength(1);
    // Leak: an emergency, due within emergencyArrival.
    const leak = burst[0]!.json();
    expect(Date.parse(leak.ticket.dueAt) - Date.parse(leak.receivedAt)).toBe(
      config.standards.slaMinutes.emergencyArrival * 60_000,
    );
  });

  it('groups calls into an incident, confirms it, moves it with an ETA the later calls are told', async () => {
    const diagnoser = new FakeDiagnoser();
    const { post, app, config, get, patch } = await started(diagnoser);
    const s = firstSubstation(config);
    diagnoser.fallback = () => diagnosisAt('substation', s);
    const [h1, h2, h3] = householdsOf(app, s);
    const first = (await post({ household: h1!.id, category: 'low-temperature' })).json();
    expect(first.incident).toMatchObject({ state: 'suspected', etaAt: null });
    const second = (await post({ household: h2!.id, category: 'low-temperature' })).json();
    expect(second.incident).toMatchObject({ id: first.incident.id, state: 'confirmed' });
    const url = `/api/incidents/${first.incident.id}`;
    const refused = await patch(url, { to: 'closed' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain('restoring, restored, invalid');
    expect((await patch(url, { to: 'restoring' })).json().field).toBe('etaAt');
    const eta = '2030-01-10T10:00:00.000Z';
    const moved = await patch(url, { to: 'restoring', etaAt: eta, note: 'crew on site' });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({
      state: 'restoring',
      etaAt: eta,
      complaints: 2,
      affectedHouseholds: 2,
    });
    const third = (await post({ household: h3!.id, category: 'no-heat' })).json();
    expect(third.incident).toEqual({ id: first.incident.id, state: 'restoring', etaAt: eta });
    const detail = (await get(url)).json();
    expect(detail.calls).toHaveLength(3);
    expect(detail.history.map((c: { to: string }) => c.to)).toEqual([
      'suspected',
      'confirmed',
      'restoring',
    ]);
    expect(detail.history[2]).toMatchObject({ actor: 'demo-dispatcher', note: 'crew on site' });
    expect((await get('/api/incidents/I-000000-XXXXXX')).statusCode).toBe(404);
    expect((await get(`/api/complaints?level=substation&substation=${s}`)).json().count).toBe(3);
  });

  it('opens an incident from network data before anyone calls; calls join it; it restores itself', async () => {
    const diagnoser = new FakeDiagnoser();
    const { post, app, config, get } = await started(diagnoser);
    const s = firstSubstation(config);
    const t0 = Date.UTC(2030, 0, 10, 6);
    diagnoser.found = [pumpFinding(s)];
    await app.desk.onBalance(evaluationAt(t0));
    expect((await get('/api/incidents')).json().count).toBe(0);
    // The second, through the bus as the balancing runner sends it, opens the incident.
    app.bus.emit('balance.evaluated', evaluationAt(t0 + 300_000));
    const list = await eventually(
      async () => {
        const found = (await get('/api/incidents?state=suspected')).json();
        return found.count === 1 ? found : undefined;
      },
      { what: 'the incident the data opened' },
    );
    expect(list.incidents[0]).toMatchObject({
      origin: 'data',
      level: 'substation',
      place: s,
      complaints: 0,
    });
    diagnoser.fallback = () => diagnosisAt('substation', s);
    const call = (
      await post({ household: householdsOf(app, s)[0]!.id, category: 'low-temperature' })
    ).json();
    expect(call.incident).toMatchObject({ id: list.incidents[0].id, state: 'confirmed' });
    diagnoser.found = [];
    for (let i = 1; i <= config.service.incidents.restoredAfter; i++) {
      await app.desk.onBalance(evaluationAt(t0 + (i + 1) * 300_000));
    }
    const detail = (await get(`/api/incidents/${call.incident.id}`)).json();
    expect(detail.state).toBe('restored');
    expect(detail.history.at(-1)).toMatchObject({
      actor: 'heatnet',
      from: 'confirmed',
      to: 'restored',
    });
  });

  it('puts the 40 calls a tripped pump causes into one incident', async () => {
    const diagnoser = new FakeDiagnoser();
    const { post, app, config, get } = await started(diagnoser);
    const s = firstSubstation(config);
    const households = householdsOf(app, s).slice(0, 40);
    expect(households).toHaveLength(40);
    // The buildings' and zones' calls are explained by the pump: they join its incident.
    diagnoser.fallback = (r) => {
      const h = app.topology.household(r.household)!;
      const i = households.findIndex((x) => x.id === h.id);
      return i % 3 === 1 ? diagnosisAt('building', h.building) : diagnosisAt('substation', s);
    };
    for (const h of households) {
      expect((await post({ household: h.id, category: 'low-temperature' })).statusCode).toBe(201);
    }
    const list = (await get('/api/incidents')).json();
    expect(list.count).toBe(1);
    expect(list.incidents[0]).toMatchObject({
      complaints: 40,
      affectedHouseholds: 40,
      state: 'confirmed',
    });
    const metrics = (await get('/metrics')).body;
    expect(metrics).toContain('heatnet_incidents_open 1');
    expect(metrics).toMatch(/heatnet_complaints_received_total\{level="substation"\} \d+/);
  });

  it('shows a household with its complaints; viewers do not see residents’ contact details', async () => {
    const { post, app, config, get } = await started();
    const h = householdsOf(app, firstSubstation(config))[2]!;
    const made = (
      await post({ household: h.id, category: 'billing', contact: '139 1111 2222' })
    ).json();
    const viewer = (await get(`/api/households/${h.id}`, auth.viewer)).json();
    expect(viewer).toMatchObject({
      id: h.id,
      floor: h.floor,
      unit: h.unit,
      zone: h.zone,
      room: null,
    });
    expect(viewer.complaints[0].id).toBe(made.id);
    expect(viewer.complaints[0]).not.toHaveProperty('contact');
    const service = (await get(`/api/complaints/${made.id}`)).json();
    expect(service.contact).toBe('139 1111 2222');
    expect((await get('/api/households/NOPE-0000')).statusCode).toBe(404);
    expect((await get('/api/complaints/C-000000-XXXXXX')).statusCode).toBe(404);
    expect((await get(`/api/complaints?overdue=true`)).json().count).toBe(0);
    const docs = Object.keys((await get('/docs/json')).json().paths);
    expect(docs).toEqual(
      expect.arrayContaining(['/api/complaints', '/api/incidents/{id}', '/api/households/{id}']),
    );
  });
});
