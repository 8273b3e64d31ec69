import { describe, expect, it } from 'vitest';
import type { ModbusDeviceConfig, ModbusType, RegisterField } from '../../src/config/schema.ts';
import type { ModbusConnection, ReadResult } from '../../src/ingest/modbus/connection.ts';
import { ModbusDevice, toEngineering } from '../../src/ingest/modbus/device.ts';
import { planRequests } from '../../src/ingest/modbus/plan.ts';
import { parseModbusUrl } from '../../src/ingest/modbus/url.ts';

function spec(type: ModbusType, extra: Partial<RegisterField> = {}): RegisterField {
  return {
    field: 'x',
    area: 'holding',
    address: 0,
    type,
    order: 'ABCD',
    scale: 1,
    offset: 0,
    sentinels: true,
    writable: false,
    ...extra,
  };
}

describe('toEngineering: scaling', () => {
  it('passes an unscaled value through unchanged', () => {
    expect(toEngineering(spec('uint16'), 1234)).toEqual({ value: 1234 });
    expect(toEngineering(spec('float64'), 0.1 + 0.2)).toEqual({ value: 0.1 + 0.2 });
  });

  it('applies scale, then offset', () => {
    expect(toEngineering(spec('uint16', { scale: 0.5, offset: -20 }), 100)).toEqual({ value: 30 });
    expect(toEngineering(spec('int16', { scale: 2 }), -7)).toEqual({ value: -14 });
    expect(toEngineering(spec('uint16', { offset: 273.15 }), 0)).toEqual({ value: 273.15 });
  });

  it('removes binary rounding artefacts (215 × 0.1 is exactly 21.5)', () => {
    expect(toEngineering(spec('int16', { scale: 0.1 }), 215)).toEqual({ value: 21.5 });
    // Products that do carry an artefact in binary floating point:
    expect(219 * 0.1).not.toBe(21.9);
    expect(toEngineering(spec('int16', { scale: 0.1 }), 219)).toEqual({ value: 21.9 });
    expect(toEngineering(spec('int16', { scale: 0.1 }), 2157)).toEqual({ value: 215.7 });
    expect(toEngineering(spec('uint16', { scale: 0.1 }), 7)).toEqual({ value: 0.7 });
    expect(toEngineering(spec('uint16', { scale: 0.1 }), 3)).toEqual({ value: 0.3 });
    expect(toEngineering(spec('uint16', { scale: 0.01 }), 9998)).toEqual({ value: 99.98 });
    expect(toEngineering(spec('int16', { scale: 0.1 }), -15)).toEqual({ value: -1.5 });
    expect(toEngineering(spec('uint32', { scale: 0.001 }), 4294967294)).toEqual({
      value: 4294967.294,
    });
  });

  it('keeps small scaled values (rounding is by significant digits, not decimals)', () => {
    expect(toEngineering(spec('int16', { scale: 1e-7 }), 3)).toEqual({ value: 3e-7 });
  });

  // Rounding after scaling must keep the decimals of a large 64-bit energy counter: the float
  // product is accurate to ~1e-4 here, so the three decimals are real information.
  it('keeps the decimals of a large scaled 64-bit counter', () => {
    const result = toEngineering(spec('uint64', { scale: 0.001 }), 123456789012345);
    expect(result).toEqual({ value: 123456789012.345 });
  });
});

describe('toEngineering: sentinels', () => {
  const cases: [ModbusType, number][] = [
    ['int16', 0x7fff],
    ['int16', -0x8000],
    ['uint16', 0xffff],
    ['int32', 0x7fffffff],
    ['int32', -0x80000000],
    ['uint32', 0xffffffff],
    ['float32', Number.NaN],
    ['float32', Number.POSITIVE_INFINITY],
    ['float64', Number.NEGATIVE_INFINITY],
  ];

  it.each(cases)('%s %d is "no value"', (type, raw) => {
    expect(toEngineering(spec(type), raw)).toEqual({ reject: 'sentinel' });
  });

  it('judges the raw value, before scaling', () => {
    expect(toEngineering(spec('int16', { scale: 0.1 }), 0x7fff)).toEqual({ reject: 'sentinel' });
    // 3276.6 is a legal value one below the sentinel.
    expect(toEngineering(spec('int16', { scale: 0.1 }), 0x7ffe)).toEqual({ value: 3276.6 });
  });

  it("uses each type's own sentinels only", () => {
    expect(toEngineering(spec('uint16'), 0x7fff)).toEqual({ value: 0x7fff });
    expect(toEngineering(spec('int32'), 0xffff)).toEqual({ value: 0xffff });
    expect(toEngineering(spec('int32'), 0x7fff)).toEqual({ value: 0x7fff });
    expect(toEngineering(spec('uint32'), 0x7fffffff)).toEqual({ value: 0x7fffffff });
    expect(toEngineering(spec('int16'), -32767)).toEqual({ value: -32767 });
  });

  it('can be switched off per field (a fault code of 0xFFFF is a value)', () => {
    expect(toEngineering(spec('uint16', { sentinels: false }), 0xffff)).toEqual({ value: 65535 });
    expect(toEngineering(spec('int16', { sentinels: false }), -0x8000)).toEqual({ value: -32768 });
  });

  it('still rejects NaN and Infinity with sentinels off: they cannot be stored', () => {
    expect(toEngineering(spec('float32', { sentinels: false }), Number.NaN)).toEqual({
      reject: 'sentinel',
    });
    expect(toEngineering(spec('float64', { sentinels: false }), Number.POSITIVE_INFINITY)).toEqual({
      reject: 'sentinel',
    });
  });
});

describe('toEngineering: range', () => {
  const temp = spec('int16', { scale: 0.1, range: [-20, 130] });

  it('checks the scaled value, inclusive at both ends', () => {
    expect(toEngineering(temp, 1300)).toEqual({ value: 130 });
    expect(toEngineering(temp, -200)).toEqual({ value: -20 });
    expect(toEngineering(temp, 1301)).toEqual({ reject: 'range' });
    expect(toEngineering(temp, -201)).toEqual({ reject: 'range' });
  });

  it('would have accepted the raw value the range rejects after scaling', () => {
    // raw 1000 is outside [-20, 130]; scaled 100.0 is inside.
    expect(toEngineering(temp, 1000)).toEqual({ value: 100 });
  });

  it('reports a sentinel as a sentinel, not as out of range', () => {
    expect(toEngineering(temp, 0x7fff)).toEqual({ reject: 'sentinel' });
  });
});

describe('toEngineering: non-numbers', () => {
  it('passes strings and booleans untouched, even with a range', () => {
    expect(toEngineering(spec('string', { length: 4 }), 'ABB ')).toEqual({ value: 'ABB ' });
    expect(toEngineering(spec('bool', { range: [5, 6] }), false)).toEqual({ value: false });
    expect(toEngineering(spec('int16', { bit: 3, scale: 10 }), true)).toEqual({ value: true });
  });
});

describe('ModbusDevice.poll', () => {
  const fields: RegisterField[] = [
    { ...spec('int16', { scale: 0.1, range: [-20, 130] }), field: 'temp_c', address: 0 },
    { ...spec('uint16'), field: 'fault_code', address: 1 },
    { ...spec('uint16', { sentinels: true }), field: 'flow', address: 2 },
    { ...spec('bool'), field: 'running', area: 'coil', address: 0 },
  ];
  const requests = planRequests(fields, {
    maxRegistersPerRequest: 125,
    maxBitsPerRequest: 2000,
    maxGapRegisters: 8,
  });
  const config: ModbusDeviceConfig = {
    id: 'S01-P1-vfd',
    substation: 'S01',
    pump: 'S01-P1',
    kind: 'pump',
    url: 'tcp://127.0.0.1:1',
    unitId: 2,
    map: 'm',
    enabled: true,
  };

  function fakeConnection(answers: Record<string, ReadResult>) {
    const calls: string[] = [];
    const connection = {
      read: async (unitId: number, area: string, address: number, count: number) => {
        calls.push(`${unitId}:${area}:${address}+${count}`);
        const answer = answers[area];
        if (!answer) throw new Error(`no answer for ${area}`);
        return answer;
      },
    } as unknown as ModbusConnection;
    return { connection, calls };
  }

  it('reads each request, scales, rejects and stamps one time per poll', async () => {
    const { connection, calls } = fakeConnection({
      coil: { bits: [true] },
      holding: { registers: [215, 7, 0xffff] },
    });
    const device = new ModbusDevice(config, requests, connection, 'P1');
    let clock = 1_700_000_000_000;
    const outcome = await device.poll(500, () => clock++);
    expect(calls).toEqual(['2:coil:0+1', '2:holding:0+3']);
    expect(outcome.reading).toEqual({
      measurement: 'pump',
      tags: { substation: 'S01', pump: 'S01-P1' },
      fields: { running: true, temp_c: 21.5, fault_code: 7 },
      intFields: new Set(['fault_code', 'flow']),
      time: 1_700_000_000_000,
    });
    expect(outcome.rejected).toEqual([{ field: 'flow', reason: 'sentinel', raw: 0xffff }]);
  });

  it('tags a substation device with its source and gives no reading when all are rejected', async () => {
    const { connection } = fakeConnection({
      coil: { bits: [false] },
      holding: { registers: [0x7fff, 0, 0] },
    });
    const substationConfig = { ...config, kind: 'substation' as const, pump: undefined };
    const only = requests.filter((r) => r.area === 'holding');
    const device = new ModbusDevice(substationConfig, only, connection, 'P1');
    expect(device.tags).toEqual({ substation: 'S01', source: 'P1' });
    const outcome = await device.poll(500, () => 1);
    expect(outcome.reading?.fields).toEqual({ fault_code: 0, flow: 0 });

    const allBad = fakeConnection({ holding: { registers: [0x7fff, 0, 0xffff] } });
    const d2 = new ModbusDevice(
      substationConfig,
      [{ ...only[0]!, fields: only[0]!.fields.filter((f) => f.spec.field !== 'fault_code') }],
      allBad.connection,
      'P1',
    );
    const none = await d2.poll(500, () => 1);
    expect(none.reading).toBeUndefined();
    expect(none.rejected.map((r) => r.field)).toEqual(['temp_c', 'flow']);
  });

  it('propagates a read failure', async () => {
    const { connection } = fakeConnection({ coil: { bits: [true] } });
    const device = new ModbusDevice(config, requests, connection, 'P1');
    await expect(device.poll(500, () => 1)).rejects.toThrow('no answer for holding');
  });
});

describe('parseModbusUrl', () => {
  it('tcp defaults to port 502', () => {
    expect(parseModbusUrl('tcp://10.0.0.5')).toEqual({
      transport: 'tcp',
      host: '10.0.0.5',
      port: 502,
      key: 'tcp://10.0.0.5:502',
    });
  });

  it('tcp with a port, and an IPv6 literal without brackets in host', () => {
    expect(parseModbusUrl('tcp://plc-7.local:1502')).toMatchObject({
      host: 'plc-7.local',
      port: 1502,
    });
    expect(parseModbusUrl('tcp://[::1]:5020')).toMatchObject({ host: '::1', port: 5020 });
  });

  it('rtu-over-tcp keeps its transport and its own key', () => {
    const e = parseModbusUrl('rtu-over-tcp://gw:4001');
    expect(e).toEqual({
      transport: 'rtu-over-tcp',
      host: 'gw',
      port: 4001,
      key: 'rtu-over-tcp://gw:4001',
    });
    expect(e.key).not.toBe(parseModbusUrl('tcp://gw:4001').key);
    expect(parseModbusUrl('rtu-over-tcp://gw')).toMatchObject({ port: 502 });
  });

  it('rtu reads serial settings from the query', () => {
    expect(
      parseModbusUrl('rtu:///dev/ttyUSB0?baud=19200&parity=even&dataBits=7&stopBits=2'),
    ).toEqual({
      transport: 'rtu',
      path: '/dev/ttyUSB0',
      baudRate: 19200,
      parity: 'even',
      dataBits: 7,
      stopBits: 2,
      key: 'rtu:///dev/ttyUSB0',
    });
  });

  it('rtu defaults to 9600 8N1, and devices on one bus share its key', () => {
    const a = parseModbusUrl('rtu:///dev/ttyS1');
    expect(a).toMatchObject({ baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 });
    expect(parseModbusUrl('rtu:///dev/ttyS1?baud=38400').key).toBe(a.key);
  });

  const errors: [string, RegExp][] = [
    ['127.0.0.1:502', /^not a URL: "127\.0\.0\.1:502"/],
    ['tcp://h:99999', /^not a URL/],
    ['udp://h:502', /^unsupported scheme "udp:" in "udp:\/\/h:502" \(tcp, rtu-over-tcp or rtu\)$/],
    ['http://h', /unsupported scheme "http:"/],
    ['tcp://', /^missing host in "tcp:\/\/"$/],
    ['rtu://', /^missing serial device path/],
    ['rtu:///dev/ttyUSB0?baud=fast', /^bad baud rate in /],
    ['rtu:///dev/ttyUSB0?baud=0', /^bad baud rate/],
    ['rtu:///dev/ttyUSB0?baud=9600.5', /^bad baud rate/],
    ['rtu:///dev/ttyUSB0?parity=mark', /^parity must be none, even or odd in /],
    ['rtu:///dev/ttyUSB0?dataBits=9', /^dataBits must be 7 or 8 in /],
    ['rtu:///dev/ttyUSB0?stopBits=1.5', /^stopBits must be 1 or 2 in /],
  ];

  it.each(errors)('%s → %s', (url, message) => {
    expect(() => parseModbusUrl(url)).toThrow(message);
  });

  // Port 0 is never a destination: check-config should report it, not a later connection failure.
  it('rejects port 0', () => {
    expect(() => parseModbusUrl('tcp://plc:0')).toThrow();
  });

  // A misspelt serial parameter (`baudrate`) must be an error: ignored, it would silently run the
  // bus at 9600 baud and the devices would just time out.
  it('rejects an unknown rtu query parameter instead of silently using 9600', () => {
    expect(() => parseModbusUrl('rtu:///dev/ttyUSB0?baudrate=19200')).toThrow(/baudrate/);
  });
});
