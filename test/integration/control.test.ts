import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../simulators/simulator.ts';
import { createHttp } from '../../src/api/http.ts';
import { installJsonParser } from '../../src/api/json-body.ts';
import { controlRoutes } from '../../src/api/routes/control.ts';
import type { AuditEntryView } from '../../src/api/schemas-control.ts';
import type { Config } from '../../src/config/schema.ts';
import type { AuditStore } from '../../src/control/audit-store.ts';
import type { AutoBalancer } from '../../src/control/auto-balancer.ts';
import { buildControl } from '../../src/control/build.ts';
import type { EffectTracker } from '../../src/control/effect-tracker.ts';
import type { PumpControl } from '../../src/control/pump-control.ts';
import { HeatnetError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { Topology } from '../../src/domain/topology.ts';
import { ModbusFieldIO } from '../../src/ingest/modbus/field-io.ts';
import { ModbusIngestor } from '../../src/ingest/modbus/ingestor.ts';
import { LiveState } from '../../src/state/live-state.ts';
import { buildStore } from '../../src/store/build.ts';
import type { Store } from '../../src/store/store.ts';
import { eventually, TEST_TOKENS, testConfig } from '../support/config.ts';
import { balanceResult, raise, station } from '../unit/control-fixtures.ts';

/**
 * The guarded control path end to end: HTTP route → guardrails → audit (SQLite) → a real
 * ModbusIngestor writing over real Modbus TCP to the simulator → read-back from the
 * drive. Five substations, one pump each, each pump with its own role:
 *   ok      a normal drive: confirmed change, then refusals (too frequent, range, auth)
 *   clamp   the field's drive accepts only up to 42 Hz (its map says 50): exception 3
 *   stuck   its setpoint register is stuck: the write lands, the read-back disagrees
 *   offline the drive stops answering: 503
 *   auto    changed by the auto-balancer through the same path
 */

const SETPOINT = 'frequency_setpoint_hz';
const REASON = 'far end under-supplied';

describe('guarded pump control over real Modbus TCP', () => {
  let config: Config;
  let sim: Simulator;
  let ingestor: ModbusIngestor;
  let relational: Store;
  let store: AuditStore;
  let effects: EffectTracker;
  let auto: AutoBalancer;
  let control: PumpControl;
  let http: FastifyInstance;
  let pump: Record<'ok' | 'clamp' | 'stuck' | 'offline' | 'auto' | 'moved', string>;
  let substationOf: (pumpId: string) => string;

  const truth = (p: string) => sim.model.pumps.get(p)!;
  const post = (p: string, body: unknown, token?: string) =>
    http.inject({
      method: 'POST',
      url: `/api/control/pumps/${p}/frequency`,
      payload: body as object,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });
  const dispatch = (p: string, hz: number) =>
    post(p, { hz, reason: REASON }, TEST_TOKENS.HEATNET_DISPATCH_TOKEN);
  const audit = async (query = ''): Promise<AuditEntryView[]> => {
    const res = await http.inject({ method: 'GET', url: `/api/control/audit${query}` });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().entries;
  };
  const auditRow = async (id: number) => (await audit('?limit=1000')).find((e) => e.id === id);

  beforeAll(async () => {
    config = await testConfig({
      substations: 6,
      patch: (raw) => {
        // 60×: one model step (60 s) per real second, so a pump visibly ramps in the test.
        raw.simulation.speed = 60;
        raw.control = { minIntervalS: 600, readBackToleranceHz: 0.05, writeTimeoutMs: 500 };
        raw.balance = {
          schedule: { intervalS: 300 },
          auto: { enabled: true, actor: 'auto-balancer' },
        };
      },
    });
    const pumps = config.network.substations.map((s) => s.pumps[0]!.id);
    pump = {
      ok: pumps[0]!,
      clamp: pumps[1]!,
      stuck: pumps[2]!,
      offline: pumps[3]!,
      auto: pumps[4]!,
      moved: pumps[5]!,
    };
    const topology = new Topology(config.network);
    substationOf = (p) => topology.pump(p)!.substation;
    // The field differs from heatnet's map in one place: the clamp drive takes ≤ 42 Hz.
    const { maps, devices } = config.ingest.modbus;
    const clamped = maps['vfd-generic']!.map((f) => (f.field === SETPOINT ? { ...f, max: 42 } : f));
    const field: Config = {
      ...config,
      ingest: {
        ...config.ingest,
        modbus: {
          ...config.ingest.modbus,
          maps: { ...maps, 'vfd-clamped': clamped },
          devices: devices.map((d) => (d.pump === pump.clamp ? { ...d, map: 'vfd-clamped' } : d)),
        },
      },
    };
    sim = new Simulator(field, silentLogger());
    await sim.start();

    const log = silentLogger();
    const state = new LiveState();
    ingestor = new ModbusIngestor(config, (r) => state.apply(r), log);
    await ingestor.start();
    // Wired as the composition root will: buildControl, components started in order.
    relational = buildStore({ config, baseDir: process.cwd(), log }).store;
    await relational.start();
    const parts = buildControl({
      config,
      store: relational,
      topology,
      fieldIO: new ModbusFieldIO(config, ingestor),
      devices: () => ingestor.health(),
      state,
      baseDir: process.cwd(),
      now: Date.now,
      log,
    });
    ({ audit: store, effects, auto, control } = parts);
    for (const c of parts.components) await c.start();
    expect(relational.target).toEqual({
      engine: 'sqlite',
      path: join(config.storage.dataDir, 'heatnet.sqlite'),
      fsync: 'commit',
    });
    // The API's own base (strict body validation, the one error shape, access).
    http = createHttp({ api: config.api, log });
    installJsonParser(http);
    await http.register(controlRoutes, { control, audit: store, auto });
    await http.ready();
    await eventually(() => ingestor.health().every((h) => h.state === 'up'), {
      what: 'every device up',
    });
  });

  afterAll(async () => {
    await http?.close();
    await auto?.stop();
    await ingestor?.stop();
    await store?.stop();
    await relational?.stop();
    await sim?.stop();
  });

  it('writes a confirmed change that moves the simulated pump, audited with before and read-back', async () => {
    const sub = substationOf(pump.ok);
    effects.onBalance(balanceResult(Date.now(), [station(sub, { deviationC: -3 })]));
    expect(truth(pump.ok).setpointHz).toBe(40);
    const res = await dispatch(pump.ok, 43.5);
    expect(res.statusCode, res.body).toBe(200);
    const entry = res.json() as AuditEntryView;
    expect(entry).toMatchObject({
      actor: 'demo-dispatcher',
      role: 'dispatcher',
      source: 'api',
      pump: pump.ok,
      substation: sub,
      device: `${pump.ok}-vfd`,
      reason: REASON,
      beforeHz: 40,
      requestedHz: 43.5,
      readBackHz: 43.5,
      result: 'confirmed',
      code: null,
      error: null,
      effect: { verdict: 'pending', deviationBeforeC: -3 },
    });
    // Ground truth: the drive took the setpoint and ramps the pump toward it.
    expect(truth(pump.ok).setpointHz).toBeCloseTo(43.5, 6);
    await eventually(() => Math.abs(truth(pump.ok).hz - 43.5) < 0.01, {
      what: 'the pump to ramp to 43.5 Hz',
    });
    expect((await audit(`?pump=${pump.ok}`))[0]).toEqual(entry);
  });

  it('judges the change’s effect from the first balance result after settling', async () => {
    const [entry] = await audit(`?pump=${pump.ok}`);
    const at = Date.parse(entry!.at);
    const sub = substationOf(pump.ok);
    effects.onBalance(balanceResult(at + 30 * 60_000, [station(sub, { deviationC: -2.9 })]));
    expect((await auditRow(entry!.id))!.effect!.verdict).toBe('pending');
    effects.onBalance(balanceResult(at + 60 * 60_000, [station(sub, { deviationC: -1.8 })]));
    expect((await auditRow(entry!.id))!.effect).toMatchObject({
      verdict: 'improved',
      deviationBeforeC: -3,
      deviationAfterC: -1.8,
    });
  });

  it('refuses a second change within the minimum interval (409), audited', async () => {
    const res = await dispatch(pump.ok, 44);
    expect(res.statusCode).toBe(409);
    const body = res.json();
    expect(body).toMatchObject({ code: 'TOO_FREQUENT', field: 'id' });
    expect(body.message).toMatch(
      new RegExp(`${pump.ok} was changed \\d+ s ago; the minimum interval is 600 s`),
    );
    expect(await auditRow(body.auditId)).toMatchObject({
      result: 'refused',
      code: 'TOO_FREQUENT',
      requestedHz: 44,
      actor: 'demo-dispatcher',
    });
    expect(truth(pump.ok).setpointHz).toBeCloseTo(43.5, 6);
  });

  it('refuses out-of-range values and too large steps (400, field hz) naming the limit, audited', async () => {
    const high = await dispatch(pump.auto, 57);
    expect(high.statusCode).toBe(400);
    expect(high.json()).toMatchObject({
      code: 'OUT_OF_RANGE',
      field: 'hz',
      message: `hz 57 above ${pump.auto}'s maximum 50 Hz`,
    });
    const low = await dispatch(pump.auto, 10);
    expect(low.json().message).toBe(`hz 10 below ${pump.auto}'s minimum 25 Hz`);
    const step = await dispatch(pump.auto, 30);
    expect(step.statusCode).toBe(400);
    expect(step.json()).toMatchObject({
      code: 'STEP_TOO_LARGE',
      message: `${pump.auto}: step 10 Hz exceeds maxStepHz 5 (current 40 Hz)`,
    });
    for (const res of [high, low, step]) {
      expect(await auditRow(res.json().auditId)).toMatchObject({
        result: 'refused',
        pump: pump.auto,
        code: res.json().code,
      });
    }
    expect(truth(pump.auto).setpointHz).toBe(40);
  });

  it('refuses anonymous, invalid, service and admin callers (401/403), audited', async () => {
    const body = { hz: 42, reason: 'not mine to change' };
    const cases = [
      { token: undefined, status: 401, actor: 'anonymous', role: null },
      { token: 'not-a-valid-token-at-all', status: 401, actor: 'invalid token', role: null },
      {
        token: TEST_TOKENS.HEATNET_SERVICE_TOKEN,
        status: 403,
        actor: 'demo-service',
        role: 'service',
      },
      { token: TEST_TOKENS.HEATNET_ADMIN_TOKEN, status: 403, actor: 'demo-admin', role: 'admin' },
    ];
    for (const c of cases) {
      const res = await post(pump.auto, body, c.token);
      expect(res.statusCode, c.actor).toBe(c.status);
      const row = await auditRow(res.json().auditId);
      expect(row, c.actor).toMatchObject({
        actor: c.actor,
        role: c.role,
        pump: pump.auto,
        substation: substationOf(pump.auto),
        // Refused before the body is read: nothing of it is taken in.
        requestedHz: null,
        reason: null,
        result: 'refused',
        code: c.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN',
      });
    }
    const admin = await post(pump.auto, body, TEST_TOKENS.HEATNET_ADMIN_TOKEN);
    expect(admin.json().message).toBe('role "admin" may not do this (needs dispatcher)');
    expect(truth(pump.auto).setpointHz).toBe(40);
    // A refused caller learns nothing about the body: 401 comes before validation.
    expect((await post(pump.auto, { hz: 'fast' })).statusCode).toBe(401);
  });

  it('answers 400 naming the field for a malformed request, 404 for an unknown pump', async () => {
    const token = TEST_TOKENS.HEATNET_DISPATCH_TOKEN;
    const noReason = await post(pump.auto, { hz: 42 }, token);
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().field).toBe('reason');
    const badHz = await post(pump.auto, { hz: 'fast', reason: REASON }, token);
    expect(badHz.statusCode).toBe(400);
    expect(badHz.json().field).toBe('hz');
    const unknown = await dispatch('NOPE-P9', 42);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({
      code: 'PUMP_NOT_FOUND',
      message: 'unknown pump "NOPE-P9"',
    });
    expect(await auditRow(unknown.json().auditId)).toMatchObject({
      pump: 'NOPE-P9',
      result: 'refused',
    });
  });

  it('reports a write the drive refuses (exception 3) as failed (502), audited', async () => {
    const res = await dispatch(pump.clamp, 44);
    expect(res.statusCode, res.body).toBe(502);
    const body = res.json();
    expect(body).toMatchObject({ code: 'WRITE_FAILED' });
    expect(body.message).toMatch(
      /writing 44 Hz to .*-vfd failed: unit 2: exception 3 \(the drive refused it\)/,
    );
    expect(await auditRow(body.auditId)).toMatchObject({
      result: 'failed',
      code: 'WRITE_FAILED',
      beforeHz: 40,
      requestedHz: 44,
      readBackHz: null,
    });
    expect(truth(pump.clamp).setpointHz).toBe(40);
    // The drive did nothing, so the minimum interval does not hold back a value it takes.
    const ok = await dispatch(pump.clamp, 41.5);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(truth(pump.clamp).setpointHz).toBeCloseTo(41.5, 6);
  });

  it('reports a write whose read-back disagrees as not confirmed (502), audited', async () => {
    const device = `${pump.stuck}-vfd`;
    sim.model.faults.add(
      { type: 'sensor-stuck', device, field: SETPOINT, id: 'stuck-setpoint' },
      sim.clock.now(),
    );
    // The register freezes at its next sample: let a poll take it before writing.
    const polls = ingestor.health().find((h) => h.id === device)!.polls;
    await eventually(() => ingestor.health().find((h) => h.id === device)!.polls >= polls + 2, {
      what: 'two polls of the stuck drive',
    });
    const res = await dispatch(pump.stuck, 44);
    expect(res.statusCode, res.body).toBe(502);
    const body = res.json();
    expect(body).toMatchObject({ code: 'NOT_CONFIRMED' });
    expect(body.message).toBe(
      `${device} reads back 40 Hz after 44 Hz was written (tolerance ±0.05 Hz): not confirmed`,
    );
    expect(await auditRow(body.auditId)).toMatchObject({
      result: 'unconfirmed',
      code: 'NOT_CONFIRMED',
      beforeHz: 40,
      requestedHz: 44,
      readBackHz: 40,
      effect: null,
    });
    // The drive took it (ground truth), which is why an unconfirmed write counts as a change.
    expect(truth(pump.stuck).setpointHz).toBe(44);
    expect((await dispatch(pump.stuck, 44)).json().code).toBe('TOO_FREQUENT');
  });

  it('refuses to write to a drive that is down (503), audited', async () => {
    const device = `${pump.offline}-vfd`;
    sim.model.faults.add({ type: 'device-offline', device, id: 'vfd-offline' }, sim.clock.now());
    await eventually(() => ingestor.health().find((h) => h.id === device)!.state === 'down', {
      what: 'the drive to be down',
    });
    const res = await dispatch(pump.offline, 42);
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body).toMatchObject({ code: 'DEVICE_UNHEALTHY', field: 'id' });
    expect(body.message).toMatch(
      new RegExp(
        `^${pump.offline}'s drive ${device} is down \\(.*no answer.*\\); nothing was written$`,
      ),
    );
    expect(await auditRow(body.auditId)).toMatchObject({
      result: 'refused',
      code: 'DEVICE_UNHEALTHY',
    });
    expect(truth(pump.offline).setpointHz).toBe(40);
  });

  it('lets the auto-balancer apply a recommendation through the same path, audited as auto', async () => {
    const sub = substationOf(pump.auto);
    const offlineSub = substationOf(pump.offline);
    // Bounded to one step from 40 Hz: 45.
    const recommendation = (p: string) => raise(p, { targetHz: 47 });
    auto.onBalance(
      balanceResult(Date.now(), [
        station(sub, { recommendation: recommendation(pump.auto) }),
        station(offlineSub, { recommendation: recommendation(pump.offline) }),
      ]),
    );
    const actions = await auto.runOnce();
    expect(actions).toMatchObject([{ pump: pump.auto, targetHz: 45, result: 'confirmed' }]);
    expect(truth(pump.auto).setpointHz).toBe(45);
    expect(await auditRow(actions[0]!.auditId!)).toMatchObject({
      source: 'auto',
      actor: 'auto-balancer',
      role: null,
      beforeHz: 40,
      readBackHz: 45,
      reason: 'auto-balance: flow ratio 0.80 below 0.85',
    });
    // The pump whose drive is down was left alone, and the status says why.
    const status = (await http.inject({ method: 'GET', url: '/api/control/auto' })).json();
    expect(status).toMatchObject({ enabled: true, state: 'active' });
    expect(status.paused).toEqual([
      expect.objectContaining({ scope: pump.offline, reason: expect.stringMatching(/is down/) }),
    ]);
  });

  it('pauses auto-balancing on a stale balance result', async () => {
    const sub = substationOf(pump.auto);
    const stale = Date.now() - 601_000; // 2 × balance.schedule.intervalS = 600 s
    auto.onBalance(balanceResult(stale, [station(sub)]));
    expect(await auto.runOnce()).toEqual([]);
    const status = (await http.inject({ method: 'GET', url: '/api/control/auto' })).json();
    expect(status.state).toBe('paused');
    expect(status.paused[0]).toMatchObject({
      scope: 'network',
      reason: expect.stringMatching(/is 60\d s old, more than 600 s/),
    });
  });

  it('filters the audit log by pump, substation, since and limit, newest first', async () => {
    const all = await audit('?limit=1000');
    expect(all.length).toBeGreaterThan(15);
    const ids = all.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect((await audit()).length).toBe(Math.min(100, all.length));
    expect(await audit('?limit=2')).toEqual(all.slice(0, 2));
    const sub = substationOf(pump.clamp);
    const bySub = await audit(`?substation=${sub}`);
    expect(bySub.map((e) => e.result)).toEqual(['confirmed', 'failed']);
    const since = all.at(-1)!.at;
    expect((await audit(`?since=${encodeURIComponent(since)}&limit=1000`)).length).toBe(all.length);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(await audit(`?since=${encodeURIComponent(future)}`)).toEqual([]);
    const bad = await http.inject({ method: 'GET', url: '/api/control/audit?since=yesterday' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('since');
  });

  it('keeps the audit log, and the interval it enforces, across a restart of the store', async () => {
    const before = await store.list({ limit: 1000 });
    await store.stop();
    await relational.stop();
    // A closed log fails the request loudly and writes nothing.
    const closed = await dispatch(pump.ok, 44);
    expect(closed.statusCode).toBe(503);
    expect(closed.json()).toMatchObject({
      code: 'AUDIT_FAILED',
      message: `the audit log is not open: nothing was sent to ${pump.ok}'s drive`,
    });
    await relational.start();
    await store.start();
    expect(await store.list({ limit: 1000 })).toEqual(before);
    const again = await dispatch(pump.ok, 44);
    expect(again.json().code).toBe('TOO_FREQUENT');
    expect(truth(pump.ok).setpointHz).toBeCloseTo(43.5, 6);
  });

  it('audits a malformed body from a caller without the right as the denial it is', async () => {
    const res = await http.inject({
      method: 'POST',
      url: `/api/control/pumps/${pump.clamp}/frequency`,
      headers: { 'content-type': 'application/json' },
      payload: '{"hz": 4',
    });
    expect(res.statusCode).toBe(401);
    expect(await auditRow(res.json().auditId)).toMatchObject({
      actor: 'anonymous',
      result: 'refused',
      code: 'UNAUTHORIZED',
    });
  });

  it('refuses an automatic change computed from a setpoint someone has since moved', async () => {
    const before = truth(pump.moved).setpointHz;
    const err = await control
      .setFrequency({
        pump: pump.moved,
        hz: before + 1,
        reason: 'auto-balance: test',
        actor: 'auto-balancer',
        role: null,
        source: 'auto',
        expectedCurrentHz: before - 3,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HeatnetError);
    expect((err as HeatnetError).code).toBe('SETPOINT_MOVED');
    expect((err as HeatnetError).message).toMatch(
      /someone changed it meanwhile; nothing was written/,
    );
    expect(await auditRow(Number((err as HeatnetError).context.auditId))).toMatchObject({
      result: 'refused',
      code: 'SETPOINT_MOVED',
      source: 'auto',
    });
    expect(truth(pump.moved).setpointHz).toBe(before);
  });

  it('lets a dispatcher switch auto-balancing off at once and on again, kept across a restart', async () => {
    const switchAuto = (body: object, token = TEST_TOKENS.HEATNET_DISPATCH_TOKEN) =>
      http.inject({
        method: 'POST',
        url: '/api/control/auto',
        payload: body,
        headers: { authorization: `Bearer ${token}` },
      });
    const forbidden = await switchAuto(
      { enabled: false, reason: 'not mine' },
      TEST_TOKENS.HEATNET_ADMIN_TOKEN,
    );
    expect(forbidden.statusCode).toBe(403);
    expect((await switchAuto({ enabled: false })).json().field).toBe('reason');
    const off = await switchAuto({ enabled: false, reason: 'valve works at S05 tonight' });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toMatchObject({
      state: 'suspended',
      switchedBy: {
        enabled: false,
        actor: 'demo-dispatcher',
        reason: 'valve works at S05 tonight',
      },
    });
    // Fresh result with a recommendation: nothing is applied while switched off.
    const sub = substationOf(pump.ok);
    auto.onBalance(balanceResult(Date.now(), [station(sub, { recommendation: raise(pump.ok) })]));
    expect(await auto.runOnce()).toEqual([]);
    // The switch is in the audit database: a restarted store still has it.
    await store.stop();
    await relational.stop();
    await relational.start();
    await store.start();
    expect(auto.status().state).toBe('suspended');
    const on = await switchAuto({ enabled: true, reason: 'works done' });
    // Back on: active, or paused by the stale result an earlier test left behind.
    expect(on.json().switchedBy).toMatchObject({ enabled: true, reason: 'works done' });
    expect(['active', 'paused']).toContain(on.json().state);
  });
});
