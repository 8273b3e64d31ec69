import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.ts';
import type { Engine } from '../../src/store/engine.ts';
import { Store } from '../../src/store/store.ts';
import { ENGINES, useEngine } from '../support/store.ts';
import {
  auth,
  deskApp,
  deskSessions,
  FakeDiagnoser,
  firstSubstation,
  householdsOf,
} from './complaints-harness.ts';

/**
 * Complaint intake through the real app (issue 10 §1), on both store engines: refusals
 * naming the field, durability (201 only once committed), idempotent retries (also
 * concurrent ones and through a restart), households and who sees residents' contacts.
 */
describe.each(ENGINES)('complaint intake on %s', (engine: Engine) => {
  useEngine(engine);
  const { running, started } = deskSessions(engine);

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
