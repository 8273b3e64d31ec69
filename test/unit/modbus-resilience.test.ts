import { describe, expect, it } from 'vitest';
import type { ModbusDeviceConfig, RegisterField } from '../../src/config/schema.ts';
import { HeatnetError } from '../../src/core/errors.ts';
import type { ModbusConnection, ReadResult } from '../../src/ingest/modbus/connection.ts';
import { ModbusDevice, type RetryOptions } from '../../src/ingest/modbus/device.ts';
import { planRequests } from '../../src/ingest/modbus/plan.ts';
import { newPollStats, PollStopped } from '../../src/ingest/modbus/poll-stats.ts';
import { PROBE_EVERY_POLLS } from '../../src/ingest/modbus/read-plan.ts';

/**
 * A device's poll against a scripted link: exception 2/3 splitting and bad-range
 * memory, and busy (exception 6) retries.
 */

function reg(name: string, address: number, type: RegisterField['type'] = 'uint16'): RegisterField {
  return {
    field: name,
    area: 'holding',
    address,
    type,
    order: 'ABCD',
    scale: 1,
    offset: 0,
    sentinels: false,
    writable: false,
  };
}

const CONFIG: ModbusDeviceConfig = {
  id: 'S01-plc',
  substation: 'S01',
  kind: 'substation',
  url: 'tcp://127.0.0.1:1',
  unitId: 1,
  map: 'm',
  enabled: true,
};

const exception = (code: number) =>
  new HeatnetError('MODBUS_EXCEPTION', `exception ${code}`, { exceptionCode: code });

/**
 * A link to a device whose holding registers hold `address + 100`, except those in
 * `unmapped`, which make any request covering them answer `refusal`.
 */
function scriptedLink(unmapped: Set<number>, refusal = 2) {
  const calls: string[] = [];
  let fail: ((address: number) => Error | undefined) | undefined;
  const connection = {
    read: async (_unit: number, _area: string, address: number, count: number) => {
      calls.push(`${address}+${count}`);
      const injected = fail?.(address);
      if (injected) throw injected;
      for (let a = address; a < address + count; a++) {
        if (unmapped.has(a)) throw exception(refusal);
      }
      return { registers: Array.from({ length: count }, (_, i) => address + i + 100) };
    },
  } as unknown as ModbusConnection;
  return {
    connection,
    calls,
    failWith: (f: typeof fail) => {
      fail = f;
    },
  };
}

const FIELDS = [0, 1, 2, 3, 4, 5, 6, 7].map((a) => reg(`f${a}`, a));
const ALL = Object.fromEntries(FIELDS.map((f) => [f.field, f.address + 100]));
const plan = (fields = FIELDS) =>
  planRequests(fields, {
    maxRegistersPerRequest: 125,
    maxBitsPerRequest: 2000,
    maxGapRegisters: 8,
  });

describe('exception 2/3: split, remember, skip, re-probe', () => {
  it('reads every mapped field although one register in the merged request is unmapped', async () => {
    const link = scriptedLink(new Set([5]));
    const device = new ModbusDevice(CONFIG, plan(), link.connection, 'P1');
    const stats = newPollStats();
    const outcome = await device.poll(100, () => 1, stats);
    const { f5: _, ...expected } = ALL;
    expect(outcome.reading?.fields).toEqual(expected);
    expect(device.plan.bad.map((r) => `${r.address}+${r.count}`)).toEqual(['5+1']);
    expect(stats.exceptions).toEqual({ '2': 4 }); // 0+8, 4+4, 4+2, 5+1
    expect(stats.splits).toBe(3);
    expect(link.calls).toEqual(['0+8', '0+4', '4+4', '4+2', '4+1', '5+1', '6+2']);
  });

  it('skips the bad range afterwards and probes it every 10th poll', async () => {
    const unmapped = new Set([5]);
    const link = scriptedLink(unmapped);
    const device = new ModbusDevice(CONFIG, plan(), link.connection, 'P1');
    await device.poll(100, () => 1);
    const probesAt: number[] = [];
    for (let n = 2; n <= 2 * PROBE_EVERY_POLLS; n++) {
      link.calls.length = 0;
      const stats = newPollStats();
      const outcome = await device.poll(100, () => 1, stats);
      expect(outcome.reading?.fields.f4).toBe(104);
      if (link.calls.includes('5+1')) probesAt.push(n);
      else expect(stats.exceptions).toEqual({});
    }
    expect(probesAt).toEqual([PROBE_EVERY_POLLS, 2 * PROBE_EVERY_POLLS]);
    expect(link.calls).toEqual(['0+4', '4+1', '6+2', '5+1']);
  });

  it('a range that reads again when probed is back, and the merged plan with it', async () => {
    const unmapped = new Set([5]);
    const link = scriptedLink(unmapped, 3);
    const device = new ModbusDevice(CONFIG, plan(), link.connection, 'P1');
    await device.poll(100, () => 1);
    expect(device.plan.bad).toHaveLength(1);
    unmapped.clear(); // e.g. a firmware update mapped it
    for (let n = 2; n < PROBE_EVERY_POLLS; n++) {
      expect((await device.poll(100, () => 1)).reading?.fields.f5).toBeUndefined();
    }
    const outcome = await device.poll(100, () => 1); // the probe poll
    expect(outcome.reading?.fields).toEqual(ALL);
    expect(device.plan.bad).toEqual([]);
    link.calls.length = 0;
    await device.poll(100, () => 1);
    expect(link.calls).toEqual(['0+8']);
  });

  it('a device refusing every range fails the poll and learns nothing', async () => {
    const link = scriptedLink(new Set(FIELDS.map((f) => f.address)));
    const device = new ModbusDevice(CONFIG, plan(), link.connection, 'P1');
    const stats = newPollStats();
    await expect(device.poll(100, () => 1, stats)).rejects.toThrow('exception 2');
    expect(device.plan.bad).toEqual([]);
    expect(stats.exceptions['2']).toBe(15); // 2n − 1 requests for n = 8 fields
    link.calls.length = 0;
    await expect(device.poll(100, () => 1)).rejects.toThrow('exception 2');
    expect(link.calls[0]).toBe('0+8'); // still the merged plan
  });

  it('a timeout in mid-split fails the poll without learning half a lesson', async () => {
    const link = scriptedLink(new Set([5]));
    const device = new ModbusDevice(CONFIG, plan(), link.connection, 'P1');
    link.failWith((address) =>
      address === 6 ? new HeatnetError('MODBUS_TIMEOUT', 'no answer') : undefined,
    );
    const stats = newPollStats();
    await expect(device.poll(100, () => 1, stats)).rejects.toThrow('no answer');
    expect(stats).toMatchObject({ timeouts: 1, exceptions: { '2': 4 } });
    expect(device.plan.bad).toEqual([]);
    link.failWith(undefined);
    link.calls.length = 0;
    await device.poll(100, () => 1);
    expect(link.calls[0]).toBe('0+8');
  });

  it('keeps the parts of a request refused only for its size (no bad range at all)', async () => {
    const calls: string[] = [];
    const sizeLimited = {
      read: async (_u: number, _a: string, address: number, count: number): Promise<ReadResult> => {
        calls.push(`${address}+${count}`);
        if (count > 4) throw exception(3); // the device's own buffer is smaller than 8
        return { registers: Array.from({ length: count }, (_, i) => address + i + 100) };
      },
    } as unknown as ModbusConnection;
    const device = new ModbusDevice(CONFIG, plan(), sizeLimited, 'P1');
    expect((await device.poll(100, () => 1)).reading?.fields).toEqual(ALL);
    calls.length = 0;
    expect((await device.poll(100, () => 1)).reading?.fields).toEqual(ALL);
    expect(calls).toEqual(['0+4', '4+4']);
    expect(device.plan.bad).toEqual([]);
  });
});

describe('exception 6 (busy): retried within the poll', () => {
  const RETRY: RetryOptions = { busyRetries: 2, busyRetryDelayMs: 30 };

  function busyLink(busyAnswers: number) {
    const at: number[] = [];
    const connection = {
      read: async (_u: number, _a: string, address: number, count: number) => {
        at.push(performance.now());
        if (at.length <= busyAnswers) throw exception(6);
        return { registers: Array.from({ length: count }, (_, i) => address + i + 100) };
      },
    } as unknown as ModbusConnection;
    return { connection, at };
  }

  it('retries after the configured pause and counts every retry', async () => {
    const link = busyLink(2);
    const device = new ModbusDevice(CONFIG, plan(), link.connection, 'P1', RETRY);
    const stats = newPollStats();
    const outcome = await device.poll(100, () => 1, stats);
    expect(outcome.reading?.fields).toEqual(ALL);
    expect(stats.busyRetries).toBe(2);
    expect(stats.exceptions).toEqual({ '6': 2 });
    expect(link.at).toHaveLength(3);
    for (let i = 1; i < link.at.length; i++) {
      // The pause is outside the link, so other units behind a gateway go on meanwhile.
      expect(link.at[i]! - link.at[i - 1]!).toBeGreaterThanOrEqual(RETRY.busyRetryDelayMs - 2);
    }
  });

  it('gives up after busyRetries and fails the poll with exception 6', async () => {
    const device = new ModbusDevice(CONFIG, plan(), busyLink(3).connection, 'P1', RETRY);
    const stats = newPollStats();
    await expect(device.poll(100, () => 1, stats)).rejects.toThrow('exception 6');
    expect(stats).toMatchObject({ busyRetries: 2, exceptions: { '6': 3 } });
  });

  it('does not retry with busyRetries 0', async () => {
    const device = new ModbusDevice(CONFIG, plan(), busyLink(1).connection, 'P1');
    await expect(device.poll(100, () => 1)).rejects.toThrow('exception 6');
  });

  it('a stopping service ends the pause at once', async () => {
    const slow = { busyRetries: 5, busyRetryDelayMs: 10_000 };
    const device = new ModbusDevice(CONFIG, plan(), busyLink(9).connection, 'P1', slow);
    const stopping = new AbortController();
    const started = performance.now();
    const polling = device.poll(100, () => 1, newPollStats(), stopping.signal);
    setTimeout(() => stopping.abort(), 20);
    await expect(polling).rejects.toBeInstanceOf(PollStopped);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
