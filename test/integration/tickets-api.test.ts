import { Kysely, Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { HeatnetApp } from '../../src/app.ts';
import type { Config } from '../../src/config/schema.ts';
import type { Household } from '../../src/domain/topology.ts';
import { createDialect } from '../../src/store/dialects.ts';
import type { Engine, StoreTarget } from '../../src/store/engine.ts';
import { CodeMigrations } from '../../src/store/migrations/index.ts';
import type { Database } from '../../src/store/schema.ts';
import { SLA_PAGE } from '../../src/tickets/watch.ts';
import { eventually } from '../support/config.ts';
import { ENGINES, freshTarget, useEngine } from '../support/store.ts';
import {
  auth,
  deskApp,
  deskConfig,
  diagnosisAt,
  FakeDiagnoser,
  firstSubstation,
  householdsOf,
} from './complaints-harness.ts';

/**
 * Work orders through the real app (issue 11 §1, §2) on both store engines: a ticket's
 * line over PATCH with its 409s, the close guard against the household's own sensor, the
 * crew's ticket following its incident, and SLA signals on a fake service clock that are
 * sent once each, also across restarts, with the cold-room reopen a day after resolved.
 */
const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 10, 8, 0);

describe.each(ENGINES)('tickets on %s', (engine: Engine) => {
  useEngine(engine);
  const running: HeatnetApp[] = [];
  afterEach(async () => {
    for (const app of running.splice(0)) await app.stop();
  });

  async function started(config: Config, now: () => number, diagnoser = new FakeDiagnoser()) {
    const app = await deskApp(config, diagnoser, now);
    running.push(app);
    const http = await app.http();
    const req = (
      method: 'GET' | 'POST' | 'PATCH',
      url: string,
      payload?: object,
      who = auth.dispatcher,
    ) => http.inject({ method, url, headers: who, ...(payload ? { payload } : {}) });
    return { app, req, diagnoser };
  }

  async function fresh(target?: StoreTarget) {
    // The periodic check never fires within a test: the tests call sweep() themselves.
    return deskConfig(target ?? (await freshTarget(engine)), (raw) => {
      raw.service = { ...raw.service, sla: { checkEverySec: 86_400 } };
    });
  }

  const roomReading = (h: Household, tempC: number, time: number) => ({
    measurement: 'room',
    tags: { substation: h.substation, building: h.building, zone: h.zone, household: h.id },
    fields: { temp_c: tempC },
    time,
  });

  it('moves a ticket along its line, refuses other moves by name, guards a cold close', async () => {
    const config = await fresh();
    let clock = T0;
    const { app, req } = await started(config, () => clock);
    const h = householdsOf(app, firstSubstation(config))[0]!;
    const posted = (
      await req(
        'POST',
        '/api/complaints',
        { household: h.id, category: 'low-temperature' },
        auth.service,
      )
    ).json();
    const url = `/api/tickets/${posted.ticket.id}`;
    const first = (await req('GET', url)).json();
    expect(first).toMatchObject({
      state: 'received',
      kind: 'complaint',
      household: h.id,
      complaintId: posted.id,
    });
    expect(first.clocks.map((c: { name: string }) => c.name)).toEqual([
      'general-fault-fix',
      'handling',
      'report',
      'call-back',
    ]);
    const refused = await req('PATCH', url, { to: 'closed' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain(
      'allowed: dispatched, accepted, waiting-resident, cancelled, duplicate',
    );
    expect((await req('PATCH', url, { to: 'waiting-resident' })).json()).toMatchObject({
      statusCode: 400,
      field: 'reason',
    });
    expect((await req('PATCH', url, { to: 'dispatched' }, auth.viewer)).statusCode).toBe(403);
    const steps: [string, object][] = [
      ['dispatched', { team: 'east', assignee: 'wang' }],
      ['accepted', {}],
      ['waiting-resident', { reason: 'nobody home' }],
      ['on-site', { note: 'manifold air-locked, bled' }],
      ['resolved', {}],
      ['reported', {}],
      ['called-back', {}],
    ];
    for (const [to, extra] of steps) {
      clock += 10 * MIN;
      const r = await req('PATCH', url, { to, ...extra });
      expect(r.statusCode, `${to}: ${r.body}`).toBe(200);
    }
    app.state.apply([roomReading(h, 16.2, clock)]);
    const guarded = await req('PATCH', url, { to: 'closed' });
    expect(guarded.statusCode).toBe(409);
    expect(guarded.json()).toMatchObject({ field: 'reason' });
    expect(guarded.json().message).toContain('16.2 °C');
    const closed = await req('PATCH', url, {
      to: 'closed',
      reason: 'measured 18.6 °C on site; sensor by the window',
    });
    expect(closed.statusCode).toBe(200);
    const detail = closed.json();
    expect(detail).toMatchObject({ state: 'closed', team: 'east', assignee: 'wang' });
    expect(detail.history.map((c: { to: string }) => c.to)).toEqual([
      'received',
      ...steps.map(([to]) => to),
      'closed',
    ]);
    expect(detail.history[1]).toMatchObject({
      actor: 'demo-dispatcher',
      team: 'east',
      assignee: 'wang',
    });
    expect(detail.history.at(-1).reason).toContain('measured 18.6');
    const fix = detail.clocks.find((c: { name: string }) => c.name === 'general-fault-fix');
    expect(fix).toMatchObject({
      status: 'met',
      pauses: [{ from: new Date(T0 + 30 * MIN).toISOString() }],
    });
    expect((await req('GET', '/api/tickets?team=east')).json().count).toBe(1);
    const rates = (
      await req(
        'GET',
        `/api/tickets/timeliness?from=${new Date(T0).toISOString()}&to=${new Date(T0 + 86_400_000).toISOString()}`,
      )
    ).json();
    expect(rates.teams).toEqual([
      expect.objectContaining({
        team: 'east',
        tickets: 1,
        timely: 1,
        closed: 1,
        closure: 1,
        meetsClosure: true,
      }),
    ]);
    expect((await req('GET', '/api/tickets/T-000000-XXXXXX')).statusCode).toBe(404);
  });

  it('opens a crew ticket with an incident and cancels it when the incident is invalid', async () => {
    const config = await fresh();
    const { app, req, diagnoser } = await started(config, () => Date.now());
    const s = firstSubstation(config);
    diagnoser.fallback = () => diagnosisAt('substation', s);
    const h = householdsOf(app, s)[0]!;
    const posted = (
      await req('POST', '/api/complaints', { household: h.id, category: 'no-heat' }, auth.service)
    ).json();
    const crew = await eventually(
      async () => (await req('GET', '/api/tickets?kind=incident')).json().tickets[0],
      { what: 'the crew ticket' },
    );
    expect(crew).toMatchObject({
      incidentId: posted.incident.id,
      state: 'received',
      substation: s,
      complaintId: null,
    });
    await req('PATCH', `/api/incidents/${posted.incident.id}`, {
      to: 'invalid',
      reason: 'meter fault',
    });
    const cancelled = await eventually(
      async () => {
        const t = (await req('GET', `/api/tickets/${crew.id}`)).json();
        return t.state === 'cancelled' ? t : undefined;
      },
      { what: 'the crew ticket cancelled' },
    );
    expect(cancelled.history.at(-1)).toMatchObject({ actor: 'heatnet', reason: 'meter fault' });
    // Another incident, fixed and closed: its crew ticket closes with it.
    const h2 = householdsOf(app, s)[1]!;
    diagnoser.fallback = () => diagnosisAt('substation', s);
    const second = (
      await req('POST', '/api/complaints', { household: h2.id, category: 'no-heat' }, auth.service)
    ).json();
    const url = `/api/incidents/${second.incident.id}`;
    for (const to of ['restored', 'closed'])
      expect((await req('PATCH', url, { to })).statusCode).toBe(200);
    const closed = await eventually(
      async () => {
        const list = (await req('GET', '/api/tickets?kind=incident&state=closed')).json();
        return list.tickets.find(
          (t: { incidentId: string }) => t.incidentId === second.incident.id,
        );
      },
      { what: 'the crew ticket closed with its incident' },
    );
    expect(closed.state).toBe('closed');
  });

  it('checks more due tickets than one page holds, each signal once', async () => {
    const config = await fresh();
    let clock = T0;
    const { app, req } = await started(config, () => clock);
    const warned: string[] = [];
    app.bus.on('sla.warning', 'test', (e) => void warned.push(e.ticket.id));
    const households = householdsOf(app, firstSubstation(config));
    const ids: string[] = [];
    for (let i = 0; i < SLA_PAGE + 20; i++) {
      const household = households[i % households.length]!.id;
      const posted = await req(
        'POST',
        '/api/complaints',
        { household, category: 'no-heat' },
        auth.service,
      );
      ids.push(posted.json().ticket.id);
    }
    // Each is first due at its first warning (no-heat-response's 50 %), not at the next check.
    const checks = await app.store.db
      .selectFrom('tickets')
      .select('sla_check_at_ms')
      .where('id', 'in', ids)
      .execute();
    expect(checks.map((r) => Number(r.sla_check_at_ms))).toEqual(ids.map(() => T0 + 60 * MIN));
    clock = T0 + 59 * MIN;
    await app.tickets.watch.sweep();
    expect(warned).toEqual([]);
    clock = T0 + 60 * MIN;
    await app.tickets.watch.sweep();
    await app.tickets.watch.sweep();
    expect([...warned].sort()).toEqual([...ids].sort());
  });

  it('checks a ticket from before the SLA check column once the store is upgraded', async () => {
    const target = await freshTarget(engine);
    const old = new Kysely<Database>({ dialect: createDialect(target) });
    const provider = new CodeMigrations(engine);
    expect((await new Migrator({ db: old, provider }).migrateTo('0009-history')).error).toBe(
      undefined,
    );
    await sql`INSERT INTO complaints (id, household, building, zone, substation, category, channel,
      reported_at_ms, received_at_ms, actor, level, cause, confidence, diagnosis, answer)
      VALUES ('C-OLD', 'H1', 'B1', 'low', 'S01', 'no-heat', 'hotline', ${T0}, ${T0}, 'duty',
      'unknown', 'insufficient-data', 0, '{}', '{}')`.execute(old);
    await sql`INSERT INTO tickets (id, complaint_id, state, due_at_ms, created_at_ms, updated_at_ms)
      VALUES ('T-OLD', 'C-OLD', 'received', ${T0 + 120 * MIN}, ${T0}, ${T0})`.execute(old);
    await sql`INSERT INTO ticket_history (ticket_id, at_ms, actor, from_state, to_state)
      VALUES ('T-OLD', ${T0}, 'duty', NULL, 'received')`.execute(old);
    await old.destroy();
    const clock = T0 + 60 * MIN;
    const { app } = await started(await fresh(target), () => clock);
    const warned: string[] = [];
    app.bus.on('sla.warning', 'test', (e) => void warned.push(`${e.ticket.id} ${e.signal.key}`));
    await app.tickets.watch.sweep();
    expect(warned).toEqual(['T-OLD no-heat-response:warn:50']);
  });

  it('sends each SLA warning and breach once on the service clock, across restarts', async () => {
    const config = await fresh();
    let clock = T0;
    const sent: string[] = [];
    const watch = (app: HeatnetApp) => {
      app.bus.on(
        'sla.warning',
        'test',
        (e) => void sent.push(`${e.ticket.id} ${e.signal.key} ${e.signal.at - T0}`),
      );
      app.bus.on(
        'sla.breached',
        'test',
        (e) => void sent.push(`${e.ticket.id} ${e.signal.key} ${e.signal.at - T0}`),
      );
    };
    const one = await started(config, () => clock);
    watch(one.app);
    const h = householdsOf(one.app, firstSubstation(config))[0]!;
    const id = (
      await one.req(
        'POST',
        '/api/complaints',
        { household: h.id, category: 'no-heat' },
        auth.service,
      )
    ).json().ticket.id;
    clock = T0 + 59 * MIN;
    await one.app.tickets.watch.sweep();
    expect(sent).toEqual([]);
    clock = T0 + 60 * MIN;
    await one.app.tickets.watch.sweep();
    await one.app.tickets.watch.sweep();
    expect(sent).toEqual([`${id} no-heat-response:warn:50 ${60 * MIN}`]);
    await one.app.stop();
    running.splice(0);

    // Down past the 80 % warning and the breach: the restart sends the breach alone, once.
    clock = T0 + 130 * MIN;
    const two = await started(config, () => clock);
    watch(two.app);
    await two.app.tickets.watch.sweep();
    await two.app.tickets.watch.sweep();
    expect(sent.slice(1)).toEqual([`${id} no-heat-response:breach ${120 * MIN}`]);
    const overdue = (await two.req('GET', '/api/tickets?overdue=true')).json();
    expect(overdue.tickets.map((t: { id: string }) => t.id)).toEqual([id]);
    const clockView = overdue.tickets[0].clocks.find(
      (c: { name: string }) => c.name === 'no-heat-response',
    );
    expect(clockView).toMatchObject({
      status: 'breached',
      breachAt: new Date(T0 + 120 * MIN).toISOString(),
    });
    for (const to of ['accepted', 'on-site', 'resolved'])
      await two.req('PATCH', `/api/tickets/${id}`, { to });
    await two.app.stop();
    running.splice(0);

    // A day after resolved, the household's sensor still reads cold: the ticket reopens.
    clock = T0 + 130 * MIN + 1440 * MIN;
    const three = await started(config, () => clock);
    watch(three.app);
    three.app.state.apply([roomReading(h, 15.5, clock)]);
    const before = sent.length;
    await three.app.tickets.watch.sweep();
    const t = (await three.req('GET', `/api/tickets/${id}`)).json();
    expect(t.state).toBe('reopened');
    expect(t.history.at(-1)).toMatchObject({ actor: 'heatnet', from: 'resolved' });
    expect(t.history.at(-1).reason).toContain('15.5 °C');
    // Nothing sent twice: only clocks not signalled before (the report clock stopped unreported).
    expect(sent.slice(before).every((s) => !sent.slice(0, before).includes(s))).toBe(true);
  });
});
