import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultBook } from '../../simulators/faults.ts';
import { SimulatedModbusServers } from '../../simulators/modbus/server.ts';
import type { Config } from '../../src/config/schema.ts';
import { isHeatnetError } from '../../src/core/errors.ts';
import { ModbusConnection } from '../../src/ingest/modbus/connection.ts';
import { parseModbusUrl } from '../../src/ingest/modbus/url.ts';
import { testConfig } from '../support/config.ts';
import { FixedSource } from '../support/fixed-source.ts';

/**
 * The simulated gateway under wire faults, every function code the server answers:
 * the faulty unit answers as its fault says, the other unit on the port as usual.
 * S01-plc is unit 1 and S01-P1-vfd unit 2 behind one port.
 */
const T0 = Date.parse('2025-01-15T00:00:00Z');

describe('SimulatedModbusServers with wire faults', () => {
  let config: Config;
  let servers: SimulatedModbusServers;
  let link: ModbusConnection;
  const source = new FixedSource();
  const book = new FaultBook(T0);
  let now = T0;

  beforeAll(async () => {
    config = await testConfig({ substations: 1 });
    servers = new SimulatedModbusServers(config, source, () => now, book);
    await servers.start();
    link = new ModbusConnection(parseModbusUrl(config.ingest.modbus.devices[0]!.url!));
  });

  afterAll(async () => {
    await link?.close();
    await servers?.stop();
  });

  /** What a request came back with: data, an exception code, or 'timeout'. */
  const outcome = async (request: Promise<unknown>): Promise<unknown> => {
    try {
      return await request;
    } catch (err) {
      if (isHeatnetError(err, 'MODBUS_EXCEPTION')) return err.context.exceptionCode;
      if (isHeatnetError(err, 'MODBUS_TIMEOUT')) return 'timeout';
      throw err;
    }
  };

  /** One request per function code the server answers, to unit `unitId`. */
  const everyFunction = (unitId: number, timeoutMs = 300) =>
    Promise.all([
      outcome(link.read(unitId, 'holding', 0, 2, timeoutMs)),
      outcome(link.read(unitId, 'holding', 0, 1, timeoutMs)),
      outcome(link.read(unitId, 'input', 4, 2, timeoutMs)),
      outcome(link.read(unitId, 'input', 4, 1, timeoutMs)),
      outcome(link.read(unitId, 'coil', 0, 1, timeoutMs)),
      outcome(link.writeRegisters(unitId, 1, [4000], timeoutMs)),
      outcome(link.writeCoil(unitId, 0, true, timeoutMs)),
    ]);

  it('answers normally without faults: data, and the usual exceptions 11, 2 and 3', async () => {
    expect(await outcome(link.read(2, 'holding', 0, 1, 300))).toEqual({ registers: [4025] });
    expect(await outcome(link.read(7, 'holding', 0, 1, 300))).toBe(11);
    expect(await outcome(link.writeRegisters(2, 0, [1], 300))).toBe(2);
    expect(await outcome(link.writeRegisters(2, 1, [6000], 300))).toBe(3);
    expect(await outcome(link.writeRegisters(2, 1, [4100], 300))).toBeUndefined();
    expect(source.writes.at(-1)).toEqual({
      device: 'S01-P1-vfd',
      field: 'frequency_setpoint_hz',
      value: 41,
    });
  });

  it('answers every function code with the fault exception; the sibling unit still answers', async () => {
    const fault = book.add({ type: 'device-exception', device: 'S01-P1-vfd', code: 6 }, now);
    // The coil write has no writable coil in the VFD map, so it is the exception either way.
    expect(await everyFunction(2)).toEqual([6, 6, 6, 6, 6, 6, 6]);
    expect(await outcome(link.read(1, 'input', 10, 1, 300))).toEqual({ registers: [563] });
    book.clear(fault.id, now);
    expect(await outcome(link.read(2, 'holding', 0, 1, 300))).toEqual({ registers: [4025] });
  });

  it('never answers for an offline unit; the sibling on the port keeps answering', async () => {
    const fault = book.add({ type: 'device-offline', device: 'S01-P1-vfd' }, now);
    expect(await everyFunction(2, 100)).toEqual(Array(7).fill('timeout'));
    expect(await outcome(link.read(1, 'holding', 0, 2, 300))).toEqual({
      registers: [0x8000, 0x42b6],
    });
    book.clear(fault.id, now);
  });

  it('answers a slow unit late, with the right data', async () => {
    const fault = book.add({ type: 'device-slow', device: 'S01-P1-vfd', delayMs: 250 }, now);
    expect(await outcome(link.read(2, 'holding', 0, 1, 100))).toBe('timeout');
    const started = Date.now();
    expect(await outcome(link.read(2, 'holding', 0, 1, 1000))).toEqual({ registers: [4025] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    book.clear(fault.id, now);
  });

  it('puts a failed sensor’s sentinel on the wire and restores the value when it ends', async () => {
    now += 1000; // past the image snapshot
    const fault = book.add(
      { type: 'sensor-failed', device: 'S01-plc', field: 'secondary_supply_temp_c' },
      now,
    );
    expect(await outcome(link.read(1, 'input', 10, 2, 300))).toEqual({
      registers: [0x7fff, 0xffc7], // the failed field, then its healthy neighbour (−5.7 °C)
    });
    book.clear(fault.id, now);
    now += 1000;
    expect(await outcome(link.read(1, 'input', 10, 1, 300))).toEqual({ registers: [563] });
  });
});
