import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultBook } from '../../simulators/faults.ts';
import { SimulatedModbusServers } from '../../simulators/modbus/server.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { FieldValue, Reading } from '../../src/core/reading.ts';
import type { DeviceHealth } from '../../src/ingest/modbus/health.ts';
import { ModbusIngestor } from '../../src/ingest/modbus/ingestor.ts';
import { createMetrics } from '../../src/metrics.ts';
import { eventually, testConfig } from '../support/config.ts';
import { expectedValues, FixedSource } from '../support/fixed-source.ts';
import { WireServer } from './modbus-wire-server.ts';

/**
 * Device faults over real Modbus TCP, from the simulator's wire faults and a small
 * server: an unmapped register inside a merged request (Telegraf #14671), a unit
 * busy for a moment (exception 6), a unit refusing everything for a while, and
 * per-device request caps. Health and /metrics say which device and why.
 */
describe('Modbus device faults → health and metrics', () => {
  let config: Config;
  let servers: SimulatedModbusServers;
  let wire: WireServer;
  let ingestor: ModbusIngestor;
  const book = new FaultBook(Date.now());
  const latest = new Map<string, Record<string, FieldValue>>();

  beforeAll(async () => {
    config = await testConfig({ substations: 2 });
    servers = new SimulatedModbusServers(config, new FixedSource(), Date.now, book);
    await servers.start();
    wire = new WireServer(() => ({ kind: 'answer' }));
    const wireUrl = `tcp://127.0.0.1:${await wire.listen()}`;
    const m = config.ingest.modbus;
    // heatnet is configured with a register the PLC does not have, next to ones it has.
    m.maps['plc-with-spare'] = [
      ...(m.maps['substation-plc-v1'] ?? []),
      { ...m.maps['substation-plc-v1']![0]!, field: 'spare_register', address: 48, type: 'uint16' },
    ];
    m.devices.find((d) => d.id === 'S01-plc')!.map = 'plc-with-spare';
    const vfd = m.devices.find((d) => d.id === 'S01-P1-vfd')!;
    m.devices.push(
      {
        ...vfd,
        id: 'W-capped',
        url: wireUrl,
        unitId: 1,
        maxRegistersPerRequest: 2,
        maxGapRegisters: 0,
      },
      { ...vfd, id: 'W-default', url: wireUrl, unitId: 2 },
    );
    m.defaults = {
      ...m.defaults,
      intervalMs: 300,
      timeoutMs: 300,
      busyRetries: 3,
      busyRetryDelayMs: 100,
    };
    const sink = (readings: Reading[]) => {
      for (const r of readings) {
        if (r.measurement !== 'device_health') latest.set(JSON.stringify(r.tags), r.fields);
      }
    };
    ingestor = new ModbusIngestor(config, sink, silentLogger());
    await ingestor.start();
  });

  afterAll(async () => {
    await ingestor?.stop();
    await servers?.stop();
    await wire?.close();
  });

  const health = (id: string): DeviceHealth => {
    const h = ingestor.health().find((d) => d.id === id);
    if (!h) throw new Error(`no device ${id}`);
    return h;
  };
  const when = (id: string, ok: (h: DeviceHealth) => boolean, what: string) =>
    eventually(() => (ok(health(id)) ? health(id) : undefined), { what });

  it('an unmapped register costs only itself: remembered as a bad range, the rest read', async () => {
    const h = await when('S01-plc', (d) => d.badRanges === 1 && d.polls >= 3, 'a bad range');
    expect(h).toMatchObject({
      state: 'up',
      failures: 0,
      badRangeList: ['holding 48+1 (spare_register)'],
    });
    const exceptionsThen = h.exceptions['2'];
    expect(exceptionsThen).toBe(2); // the merged request and the part: once, then skipped
    const plc = config.ingest.modbus.devices.find((d) => d.id === 'S01-plc')!;
    const fields = latest.get(JSON.stringify({ substation: 'S01', source: 'P1' }));
    expect(fields).toEqual(expectedValues(plc));
    const pollsThen = h.polls; // `h` is the live health object: keep the number
    await when('S01-plc', (d) => d.polls >= pollsThen + 3, 'three more polls');
    expect(health('S01-plc').exceptions['2']).toBe(exceptionsThen);
  });

  it('a unit busy for a moment is retried within the poll: no failed poll', async () => {
    const id = 'S12-P1-vfd';
    for (let i = 0; i < 3; i++) {
      const now = Date.now();
      book.add(
        { type: 'device-exception', device: id, code: 6, until: new Date(now + 150).toISOString() },
        now,
      );
      await new Promise((r) => setTimeout(r, 400));
    }
    const h = await when(id, (d) => d.busyRetries > 0, 'busy retries');
    expect(h.exceptions['6']).toBe(h.busyRetries);
    expect(h).toMatchObject({ failures: 0, state: 'up' });
  });

  it('a unit refusing everything fails its polls without remembering bad ranges, and recovers', async () => {
    const id = 'S12-plc';
    const fault = book.add({ type: 'device-exception', device: id, code: 2 }, Date.now());
    const failing = await when(id, (d) => d.state === 'down', 'S12-plc down');
    expect(failing.exceptions['2']).toBeGreaterThan(0);
    expect(failing.badRanges).toBe(0);
    expect(failing.lastError).toMatch(/exception 2/);
    book.clear(fault.id, Date.now());
    const back = await when(id, (d) => d.state === 'up', 'S12-plc up again');
    expect(back.badRanges).toBe(0);
  });

  it("applies each device's own request caps", async () => {
    await when('W-capped', (d) => d.polls >= 2, 'W-capped polled');
    await when('W-default', (d) => d.polls >= 2, 'W-default polled');
    const byUnit = (unit: number) => wire.requests.filter((r) => r.unitId === unit);
    expect(Math.max(...byUnit(1).map((r) => r.count))).toBe(2);
    // vfd-generic's holding fields 0, 1, 2 and 6 in one request when gaps may be bridged.
    expect(byUnit(2).some((r) => r.functionCode === 3 && r.address === 0 && r.count === 7)).toBe(
      true,
    );
    expect(byUnit(1).filter((r) => r.functionCode === 3 && r.count > 2)).toEqual([]);
  });

  it('/metrics shows which device and why', async () => {
    const text = await createMetrics(
      { modbus: () => ingestor.health() },
      { processMetrics: false },
    ).render();
    const value = (re: RegExp) => Number(re.exec(text)?.[1]);
    expect(value(/^heatnet_modbus_device_bad_ranges\{device="S01-plc"[^}]*\} (\d+)$/m)).toBe(1);
    expect(
      value(/^heatnet_modbus_device_busy_retries_total\{device="S12-P1-vfd"[^}]*\} (\d+)$/m),
    ).toBeGreaterThan(0);
    expect(
      value(
        /^heatnet_modbus_device_exceptions_total\{device="S12-plc",substation="S12",code="2"\} (\d+)$/m,
      ),
    ).toBeGreaterThan(0);
    expect(value(/^heatnet_modbus_device_up\{device="S01-plc"[^}]*\} (\d+)$/m)).toBe(1);
  });
});
