import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../simulators/faults.ts';
import { Simulator } from '../../simulators/simulator.ts';
import { HeatnetApp } from '../../src/app.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { eventually, testConfig } from '../support/config.ts';

/**
 * Every wire fault as heatnet sees it, the way a real device would show it: the
 * physical model behind real Modbus TCP servers, the real service polling them.
 * Three substations, each a PLC (unit 1) and a VFD (unit 2) behind one port:
 * - S01-plc: six sensors failed from the start (config), one stuck at runtime;
 * - S01-P1-vfd: slower than the poll timeout (config), until the last test ends it;
 * - S02-plc: offline (config) until the last test ends it, while S02-P1-vfd on its port answers;
 * - S12-plc: one sensor drifting, S12-P1-vfd answering exceptions 2, 4, 6 (runtime).
 * The config faults end when the tests have seen them, not at a fixed `until`: on a slow,
 * shared machine the devices might not have been seen down before an `until` passed
 * (`until` itself is unit-tested in sim-wire-faults.test.ts).
 */

/** Failed sensors of S01-plc: the sentinel asked for and the raw value heatnet reports. */
const FAILED: { field: string; sentinel?: '-32768' | 'NaN'; raw: string }[] = [
  { field: 'secondary_supply_temp_c', raw: '32767' }, // int16: 0x7FFF by default
  { field: 'secondary_return_temp_c', sentinel: '-32768', raw: '-32768' }, // int16
  { field: 'secondary_supply_pressure_mpa', raw: '65535' }, // uint16: 0xFFFF by default
  { field: 'secondary_flow_m3h', raw: '4294967295' }, // uint32: the type's maximum
  { field: 'primary_return_temp_c', sentinel: 'NaN', raw: 'NaN' }, // float32 CDAB
  { field: 'heat_power_kw', raw: 'NaN' }, // float32 DCBA
];

const CONFIG_FAULTS: FaultSpec[] = [
  ...FAILED.map(
    ({ field, sentinel }): FaultSpec => ({
      type: 'sensor-failed',
      device: 'S01-plc',
      field,
      ...(sentinel ? { sentinel } : {}),
    }),
  ),
  { id: 'slow-vfd', type: 'device-slow', device: 'S01-P1-vfd', delayMs: 1500 },
  { id: 'offline-plc', type: 'device-offline', device: 'S02-plc' },
];

interface DeviceHealthView {
  state: string;
  url: string;
  timeouts: number;
  connectionErrors: number;
  failures: number;
  lastError: string | null;
  exceptions: Record<string, number>;
  rejected: { sentinel: number; range: number };
  rejectedFields: Record<string, { reason: string; lastRaw: string }>;
}

interface Sample {
  value: number;
  time: string;
}

describe('simulator wire faults → Modbus poller → API', () => {
  let simulator: Simulator;
  let app: HeatnetApp;

  beforeAll(async () => {
    const config = await testConfig({
      substations: 3,
      intervalMs: 500,
      patch: (raw) => {
        // Speed 1: simulated and real ms coincide, so reading times, `until` and drift
        // rates compare directly.
        raw.simulation = { ...raw.simulation, speed: 1, faults: CONFIG_FAULTS };
      },
    });
    simulator = new Simulator(config, silentLogger());
    await simulator.start();
    app = new HeatnetApp(config, { log: silentLogger() });
    await app.start();
  });

  afterAll(async () => {
    await app?.stop();
    await simulator?.stop();
  });

  const get = async (url: string) => {
    const res = await (await app.http()).inject({ method: 'GET', url });
    expect(res.statusCode, url).toBe(200);
    return res.json();
  };

  const device = async (id: string): Promise<DeviceHealthView> => {
    const list: (DeviceHealthView & { id: string })[] = (await get('/api/health')).ingest.modbus
      .list;
    const found = list.find((d) => d.id === id);
    if (!found) throw new Error(`no health for ${id}`);
    return found;
  };

  /** A device's health once `ok` holds for it. */
  const deviceWhen = (id: string, ok: (d: DeviceHealthView) => boolean, what: string) =>
    eventually(
      async () => {
        const d = await device(id);
        return ok(d) ? d : undefined;
      },
      { what },
    );

  /** The next `count` readings of one field, each from a poll that read it after `afterMs`. */
  const readings = async (substation: string, field: string, count: number, afterMs = 0) => {
    const out: { value: number; at: number }[] = [];
    let last = afterMs;
    while (out.length < count) {
      const sample = await eventually(
        async () => {
          const s: Sample | undefined = (await get(`/api/substations/${substation}`)).readings[
            field
          ];
          return s && Date.parse(s.time) > last ? s : undefined;
        },
        { what: `a new ${substation} ${field} reading` },
      );
      last = Date.parse(sample.time);
      out.push({ value: sample.value, at: last });
    }
    return out;
  };

  it('an offline unit times out and goes down; the other unit on its port keeps answering', async () => {
    const plc = await deviceWhen('S02-plc', (d) => d.state === 'down', 'S02-plc down');
    expect(plc.timeouts).toBeGreaterThan(0);
    expect(plc.lastError).toMatch(/no answer in 500 ms/);
    // The port itself is fine: no refused or dropped connection, no exception.
    expect(plc.connectionErrors).toBe(0);
    expect(plc.exceptions).toEqual({});
    const vfd = await deviceWhen('S02-P1-vfd', (d) => d.state === 'up', 'S02-P1-vfd up');
    expect(vfd.url).toBe(plc.url);
    expect(vfd.failures).toBe(0);
    const s02 = await get('/api/substations/S02');
    expect(s02.readings, 'no PLC readings while it is offline').toEqual({});
    expect(s02.pumps[0].readings.frequency_hz.ageS).toBeLessThan(2);
  });

  it('a unit slower than the poll timeout counts timeouts; the PLC on its port stays up', async () => {
    const vfd = await deviceWhen('S01-P1-vfd', (d) => d.timeouts > 0, 'S01-P1-vfd timeouts');
    expect(vfd.lastError).toMatch(/no answer in 500 ms/);
    expect(vfd.connectionErrors).toBe(0);
    // Its requests queue behind the slow unit's on the shared link, but every poll succeeds.
    const plc = await deviceWhen('S01-plc', (d) => d.state === 'up', 'S01-plc up');
    expect(plc.failures).toBe(0);
  });

  it('failed sensors: sentinels are rejected and counted, the fields missing, the rest kept', async () => {
    const plc = await deviceWhen(
      'S01-plc',
      (d) => d.rejected.sentinel >= 2 * FAILED.length,
      'two polls of sentinels',
    );
    expect(plc.state).toBe('up');
    expect(plc.rejected.range).toBe(0);
    for (const { field, raw } of FAILED) {
      expect(plc.rejectedFields[field], field).toMatchObject({ reason: 'sentinel', lastRaw: raw });
    }
    const s01 = await get('/api/substations/S01');
    for (const { field } of FAILED) expect(s01.readings[field], field).toBeUndefined();
    expect(s01.readings.primary_supply_temp_c.value).toBeGreaterThan(50);
    // Only the named device: the same sensors of another substation are read as usual.
    const s12 = await get('/api/substations/S12');
    for (const { field } of FAILED) expect(s12.readings[field], field).toBeDefined();
    expect((await device('S12-plc')).rejected.sentinel).toBe(0);
  });

  it('a stuck sensor holds its value while the same sensor elsewhere varies', async () => {
    const field = 'primary_supply_temp_c';
    const since = simulator.clock.now();
    const fault = simulator.model.faults.add(
      { type: 'sensor-stuck', device: 'S01-plc', field },
      since,
    );
    // Past the server's 200 ms snapshot, so no poll still sees the value from before.
    const [stuck, live] = await Promise.all([
      readings('S01', field, 4, since + 300),
      readings('S12', field, 4, since + 300),
    ]);
    expect(new Set(stuck.map((r) => r.value)).size, JSON.stringify(stuck)).toBe(1);
    expect(new Set(live.map((r) => r.value)).size, JSON.stringify(live)).toBeGreaterThan(1);
    // The PLC's other sensors are alive.
    const flows = await readings('S01', 'primary_flow_m3h', 3, since);
    expect(new Set(flows.map((r) => r.value)).size).toBeGreaterThan(1);
    simulator.model.faults.clear(fault.id, simulator.clock.now());
  });

  it('a drifting sensor moves away steadily at its rate', async () => {
    const field = 'primary_return_temp_c';
    const perHour = 7200; // 2 °C a second: plain to see within a few polls
    const [before] = await readings('S12', field, 1);
    const fault = simulator.model.faults.add(
      { type: 'sensor-drift', device: 'S12-plc', field, perHour },
      simulator.clock.now(),
    );
    const drifted = await readings('S12', field, 4, fault.fromMs + 300);
    drifted.forEach((r, i) => {
      const expected = before!.value + (perHour * (r.at - fault.fromMs)) / 3_600_000;
      // Sensor noise, the snapshot's age and the model's own change stay well under 1 °C.
      expect(Math.abs(r.value - expected), JSON.stringify({ r, expected })).toBeLessThan(1);
      if (i > 0) expect(r.value).toBeGreaterThan(drifted[i - 1]!.value);
    });
    simulator.model.faults.clear(fault.id, simulator.clock.now());
  });

  it('a unit answering exceptions 2, 4 and 6 shows each, then recovers when cleared', async () => {
    const faults = simulator.model.faults;
    for (const code of [2, 4, 6] as const) {
      const fault = faults.add(
        { type: 'device-exception', device: 'S12-P1-vfd', code },
        simulator.clock.now(),
      );
      const seen = (d: DeviceHealthView) => (d.exceptions[String(code)] ?? 0) > 0;
      await deviceWhen('S12-P1-vfd', seen, `exception ${code}`);
      faults.clear(fault.id, simulator.clock.now());
    }
    const vfd = await deviceWhen('S12-P1-vfd', (d) => d.state === 'up', 'S12-P1-vfd up again');
    expect(vfd.timeouts).toBe(0);
    expect((await device('S12-plc')).state).toBe('up');
  });

  it('faults that end bring their devices back up', async () => {
    expect((await device('S02-plc')).failures, 'S02-plc was offline').toBeGreaterThan(0);
    expect((await device('S01-P1-vfd')).timeouts, 'S01-P1-vfd was slow').toBeGreaterThan(0);
    for (const id of ['offline-plc', 'slow-vfd']) {
      expect(simulator.model.faults.clear(id, simulator.clock.now()), id).toBe(true);
    }
    await eventually(
      async () =>
        (await device('S02-plc')).state === 'up' && (await device('S01-P1-vfd')).state === 'up',
      { what: 'S02-plc and S01-P1-vfd up', timeoutMs: 25_000 },
    );
    const s02 = await get('/api/substations/S02');
    expect(s02.readings.primary_supply_temp_c.value).toBeGreaterThan(50);
    expect(s02.stale).toBe(false);
  });
});
