import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../simulators/simulator.ts';
import { HeatnetApp, localStoreDir } from '../../src/app.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { eventually, TEST_TOKENS, testConfig } from '../support/config.ts';
import { FixedSource } from '../support/fixed-source.ts';
import { freePorts } from '../support/ports.ts';

/**
 * The service on its embedded defaults (local line-protocol store, embedded broker)
 * against the simulator, with misbehaving devices mixed in: one whose port is closed,
 * one that accepts TCP and never answers, one unit id nobody answers for, and one
 * register holding the 0x7FFF "no value" sentinel.
 */
const BAD = ['dead-plc', 'mute-plc', 'ghost-plc'];

describe('walking skeleton: simulated field → service → API', () => {
  let config: Config;
  let simulator: Simulator;
  let app: HeatnetApp;
  let blackhole: Server;
  const sockets: Socket[] = [];
  const source = new FixedSource();

  beforeAll(async () => {
    const [closedPort, blackholePort] = await freePorts(2);
    blackhole = createServer((socket) => sockets.push(socket)); // reads, never answers
    await new Promise<void>((r) => blackhole.listen(blackholePort, '127.0.0.1', r));
    config = await testConfig({
      substations: 4,
      patch: (raw) => {
        const s01 = raw.ingest.modbus.devices.find((d: { id: string }) => d.id === 'S01-plc');
        raw.ingest.modbus.devices.push(
          {
            id: 'dead-plc',
            substation: 'S02',
            kind: 'substation',
            url: `tcp://127.0.0.1:${closedPort}`,
            map: 'substation-plc-v1',
          },
          {
            id: 'mute-plc',
            substation: 'S02',
            kind: 'substation',
            url: `tcp://127.0.0.1:${blackholePort}`,
            map: 'substation-plc-v1',
          },
          {
            id: 'ghost-plc',
            substation: 'S01',
            kind: 'substation',
            url: s01.url,
            unitId: 9,
            map: 'substation-plc-v1',
          },
        );
      },
    });
    // The field has only the healthy devices; the bad ones exist only in heatnet's config.
    const modbus = config.ingest.modbus;
    const fieldDevices = modbus.devices.filter((d) => !BAD.includes(d.id));
    const fieldConfig = {
      ...config,
      ingest: { ...config.ingest, modbus: { ...modbus, devices: fieldDevices } },
    };
    simulator = new Simulator(fieldConfig, silentLogger(), { source });
    await simulator.start();
    // S01's secondary supply sensor reports "no value" (0x7FFF) from now on.
    source.release('S01-plc', 'secondary_supply_temp_c');
    simulator.modbus.image('S01-plc')!.setRawWords('input', 10, [0x7fff]);
    app = new HeatnetApp(config, { log: silentLogger() });
    await app.start();
    await eventually(
      () =>
        app.modbus.health().filter((d) => d.id.endsWith('-plc') && d.state === 'down').length === 3,
      { what: 'the three bad devices to be down' },
    );
  });

  afterAll(async () => {
    await app?.stop();
    await simulator?.stop();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => (blackhole ? blackhole.close(() => r()) : r()));
  });

  const get = async (url: string, token?: string) => {
    const http = await app.http();
    return http.inject({
      method: 'GET',
      url,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });
  };

  it('shows live readings for every substation', async () => {
    // Stale means no poll for 3 intervals (1.5 s here); on a loaded machine a poll can be
    // that late now and then, so ask until one answer has every station fresh.
    const body = await eventually(
      async () => {
        const res = await get('/api/substations');
        expect(res.statusCode).toBe(200);
        const list = res.json();
        return list.substations.every((s: { stale: boolean }) => !s.stale) && list;
      },
      { what: 'every substation fresh in one answer' },
    );
    expect(body.count).toBe(4);
    for (const s of body.substations) {
      expect(s.stale, s.id).toBe(false);
      expect(s.readings.primary_supply_temp_c.value, s.id).toBeGreaterThan(90);
      expect(s.pumps[0].readings.frequency_hz.value, s.id).toBeGreaterThan(40);
      expect(s.pumps[0].device.state, s.id).toBe('up');
    }
    // Near end first.
    const distances = body.substations.map((s: { distanceM: number }) => s.distanceM);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
  });

  it('keeps polling healthy devices at their cadence while bad ones fail', async () => {
    const before = new Map(app.modbus.health().map((h) => [h.id, h.polls]));
    await new Promise((r) => setTimeout(r, 3000));
    for (const h of app.modbus.health()) {
      if (BAD.includes(h.id)) continue;
      // 500 ms interval: 6 polls in 3 s; allow scheduling slack on a loaded CI machine.
      expect(h.polls - before.get(h.id)!, h.id).toBeGreaterThanOrEqual(4);
      expect(h.state, h.id).toBe('up');
    }
  });

  it('says in /api/health which devices are down and why', async () => {
    const res = await get('/api/health');
    expect(res.statusCode).toBe(200);
    const health = res.json();
    expect(health.status).toBe('degraded');
    expect(health.problems.join()).toMatch(/dead-plc.*mute-plc.*ghost-plc|modbus devices down/);
    const byId = Object.fromEntries(
      health.ingest.modbus.list.map((d: { id: string }) => [d.id, d]),
    );
    expect(byId['dead-plc'].connectionErrors).toBeGreaterThan(0);
    expect(byId['dead-plc'].lastError).toMatch(/ECONNREFUSED|connect/);
    expect(byId['mute-plc'].timeouts).toBeGreaterThan(0);
    expect(byId['ghost-plc'].exceptions['11']).toBeGreaterThan(0);
  });

  it('rejects and counts the sentinel without losing the other fields', async () => {
    const h = app.modbus.health().find((d) => d.id === 'S01-plc')!;
    expect(h.state).toBe('up');
    expect(h.rejected.sentinel).toBeGreaterThan(0);
    expect(h.rejectedFields.secondary_supply_temp_c).toMatchObject({
      reason: 'sentinel',
      lastRaw: '32767',
    });
    const s01 = (await get('/api/substations/S01')).json();
    expect(s01.readings.secondary_supply_temp_c).toBeUndefined();
    expect(s01.readings.secondary_return_temp_c.value).toBe(-5.7);
  });

  it('writes readings to the local line-protocol store', async () => {
    await app.writer.flush();
    const dir = localStoreDir(config, process.cwd());
    const text = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('');
    expect(text).toMatch(/^substation,source=P1,substation=S01 .*primary_supply_temp_c=91\.25/m);
    expect(text).toMatch(/^pump,pump=S01-P1,substation=S01 .*fault_code=1i/m);
    expect(text).not.toMatch(/secondary_supply_temp_c=3276/);
  });

  it('answers 404 for an unknown substation and 400 for a malformed id', async () => {
    const missing = await get('/api/substations/S99');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toMatch(/S99/);
    const bad = await get('/api/substations/..%20x');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('id');
  });

  it('returns one substation in full with buildings and zones', async () => {
    const res = await get('/api/substations/S01');
    const body = res.json();
    expect(body.buildingList.length).toBeGreaterThan(0);
    const households = body.buildingList.reduce(
      (n: number, b: { households: number }) => n + b.households,
      0,
    );
    expect(households).toBe(body.households);
    expect(body.devices.map((d: { id: string }) => d.id).sort()).toEqual([
      'S01-P1-vfd',
      'S01-plc',
      'ghost-plc',
    ]);
  });

  it('exposes Prometheus metrics with per-device state', async () => {
    const res = await get('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain; version=0\.0\.4/);
    expect(res.body).toMatch(/heatnet_modbus_device_up\{[^}]*device="S01-plc"[^}]*\} 1/);
    expect(res.body).toMatch(/heatnet_modbus_device_up\{[^}]*device="dead-plc"[^}]*\} 0/);
    expect(res.body).toMatch(/process_cpu_seconds_total/);
  });

  it('shows each device poll lateness in /api/health and /metrics (issue 15 defect 6)', async () => {
    const health = (await get('/api/health', TEST_TOKENS.HEATNET_SERVICE_TOKEN)).json();
    const s01 = health.ingest.modbus.list.find((d: { id: string }) => d.id === 'S01-plc');
    expect(s01).toMatchObject({
      lateStarts: expect.any(Number),
      lateAnswers: expect.any(Number),
      maxStartLateMs: expect.any(Number),
      startLateMs: expect.any(Number),
    });
    const metrics = (await get('/metrics')).body;
    for (const name of ['late_starts_total', 'late_answers_total', 'start_late_seconds']) {
      expect(metrics).toMatch(new RegExp(`heatnet_modbus_device_${name}\\{[^}]*device="S01-plc"`));
    }
  });

  it('serves the OpenAPI description at /docs', async () => {
    const res = await get('/docs/json');
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toEqual(
      expect.arrayContaining(['/api/health', '/api/substations', '/api/substations/{id}']),
    );
  });

  it('requires a token for reads when anonymous reads are off', async () => {
    const closed = new HeatnetApp(
      { ...config, api: { ...config.api, anonymousRead: false } },
      {
        log: silentLogger(),
      },
    );
    const http = await closed.http();
    const none = await http.inject({ method: 'GET', url: '/api/substations' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/Bearer/);
    const wrong = await http.inject({
      method: 'GET',
      url: '/api/substations',
      headers: { authorization: 'Bearer not-a-real-token-at-all' },
    });
    expect(wrong.statusCode).toBe(401);
    const ok = await http.inject({
      method: 'GET',
      url: '/api/substations',
      headers: { authorization: `Bearer ${TEST_TOKENS.HEATNET_SERVICE_TOKEN}` },
    });
    expect(ok.statusCode).toBe(200);
    await http.close();
  });
});
