import { afterEach, describe, expect, it } from 'vitest';
import { HeatnetApp } from '../../src/app.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Engine } from '../../src/store/engine.ts';
import { MemoryOutbox } from '../support/memory-outbox.ts';
import { ENGINES, freshTarget, useEngine } from '../support/store.ts';
import { alertsSection, MIN, T0 } from './alerts-harness.ts';
import { auth, deskConfig, FakeDiagnoser } from './complaints-harness.ts';

/*
 * The alert routes through the real app (issue 12 item 4), on both store engines: the list
 * and its filters, ack / assign / resolve with their roles and 409s, silences with their
 * mandatory owner and expiry (and an expiry with alerts still firing notified), on call.
 */

const running: HeatnetApp[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.stop();
});

async function started(engine: Engine) {
  const target = await freshTarget(engine);
  const config = await deskConfig(target, (raw) => {
    raw.alerts = alertsSection([{ id: 'ops-hook' }], { grouping: { waitSec: 0 } });
  });
  const clock = { now: T0 };
  const outbox = new MemoryOutbox();
  const app = new HeatnetApp(config, {
    log: silentLogger(),
    diagnoser: new FakeDiagnoser(),
    now: () => clock.now,
    outbox,
  });
  await app.start();
  running.push(app);
  const http = await app.http();
  const call = (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    body?: object,
    headers = auth.service,
  ) => http.inject({ method, url, headers, ...(body ? { payload: body } : {}) });
  const advance = async (ms: number) => {
    clock.now += ms;
    await app.alerting.runtime.tick();
  };
  const down = async (device: string, substation: string) => {
    app.bus.emit('device.state', {
      device,
      substation,
      state: 'down',
      reason: 'timeout',
      at: clock.now,
    });
    await app.alerting.runtime.run(async () => undefined);
  };
  return { app, config, clock, outbox, call, advance, down };
}

describe.each(ENGINES)('alert routes on %s', (engine: Engine) => {
  useEngine(engine);

  it('lists alerts, acknowledges, assigns and resolves them with 409s naming the states', async () => {
    const { call, advance, down, config, outbox } = await started(engine);
    const s = config.network.substations[0]!.id;
    await down(`${s}-rtu`, s);
    await advance(3 * MIN);
    const list = (
      await call('GET', `/api/alerts?state=firing&rule=device-down&substation=${s}`)
    ).json();
    expect(list.count).toBe(1);
    const alert = list.alerts[0];
    expect(alert).toMatchObject({ rule: 'device-down', severity: 'major', state: 'firing' });
    expect(alert.labels).toMatchObject({
      device: `${s}-rtu`,
      substation: s,
      alertname: 'device-down',
    });
    expect((await call('GET', '/api/alerts?severity=critical')).json().count).toBe(0);
    const url = `/api/alerts/${alert.id}`;
    expect((await call('POST', `${url}/ack`, {}, auth.viewer)).statusCode).toBe(403);
    const acked = await call('POST', `${url}/ack`, { note: 'on my way' });
    expect(acked.statusCode).toBe(200);
    expect(acked.json()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'demo-service' });
    const again = await call('POST', `${url}/ack`, {});
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toContain('firing');
    const assigned = await call('POST', `${url}/assign`, { assignee: 'wang' }, auth.dispatcher);
    expect(assigned.json()).toMatchObject({ assignee: 'wang', state: 'acknowledged' });
    const resolved = (await call('POST', `${url}/resolve`, {})).json();
    expect(resolved.state).toBe('resolved');
    expect(resolved.history.map((h: { to: string }) => h.to)).toEqual([
      'firing',
      'acknowledged',
      'acknowledged',
      'resolved',
    ]);
    expect((await call('POST', `${url}/resolve`, {})).statusCode).toBe(409);
    expect(resolved.notifications.length).toBe(outbox.on('ops-hook').length);
    expect((await call('GET', '/api/alerts/A-000000-XXXXXX')).statusCode).toBe(404);
  });

  it('refuses silences without an owner or expiry and notifies one that expires on firing alerts', async () => {
    const { call, advance, down, config, outbox, clock } = await started(engine);
    const s = config.network.substations[0]!.id;
    const matchers = [{ name: 'substation', value: s }];
    const endsAt = new Date(clock.now + 30 * MIN).toISOString();
    expect((await call('POST', '/api/silences', { matchers, endsAt })).json().field).toBe('owner');
    expect((await call('POST', '/api/silences', { matchers, owner: 'wang' })).json().field).toBe(
      'endsAt',
    );
    const made = await call('POST', '/api/silences', {
      matchers,
      owner: 'wang',
      endsAt,
      comment: 'pump swap',
    });
    expect(made.statusCode).toBe(201);
    expect(made.json()).toMatchObject({ state: 'active', owner: 'wang' });
    await down(`${s}-rtu`, s);
    await advance(3 * MIN);
    const silenced = (await call('GET', '/api/alerts?silenced=true')).json();
    expect(silenced.count).toBe(1);
    expect(outbox.sent).toHaveLength(0);
    await advance(30 * MIN);
    const expired = (await call('GET', '/api/alerts?rule=silence-expired')).json();
    expect(expired.count).toBe(1);
    expect(expired.alerts[0].labels.silence).toBe(made.json().id);
    const rules = outbox.sent.flatMap((n) => n.alerts.map((a) => a.labels['alertname']));
    expect(rules).toContain('silence-expired');
    expect(rules).toContain('device-down');
    const other = await call('POST', '/api/silences', {
      matchers,
      owner: 'li',
      endsAt: new Date(clock.now + MIN * 10).toISOString(),
    });
    const id = other.json().id;
    expect((await call('GET', '/api/silences')).json().count).toBe(1);
    expect((await call('DELETE', `/api/silences/${id}`)).json().state).toBe('ended');
    expect((await call('DELETE', `/api/silences/${id}`)).statusCode).toBe(409);
  });

  it('says who is on call for each team and the next handovers', async () => {
    const { call } = await started(engine);
    const body = (await call('GET', '/api/oncall')).json();
    const north = body.teams.find((t: { team: string }) => t.team === 'north-crew');
    // 2026-12-10 10:00 Shanghai: the day shift of a 12 h rotation anchored 2026-11-01 08:00.
    expect(north.onCall).toEqual({ id: 'wang', name: '王工' });
    expect(north.shift).toMatchObject({
      fromLocal: '2026-12-10 08:00',
      toLocal: '2026-12-10 20:00',
    });
    expect(north.next[0]).toMatchObject({ atLocal: '2026-12-10 20:00', person: { id: 'li' } });
    expect(body.dutyDispatcher.person).toEqual({ id: 'chen', name: '陈调度' });
  });
});
