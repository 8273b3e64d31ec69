import { afterEach, describe, expect, it } from 'vitest';
import type { ManagedProcess } from '../support/process.ts';
import {
  type PtyPair,
  ptyPair,
  type Served,
  startPlc,
  startSerialPlc,
} from '../support/pymodbus.ts';
import { PLC_MAP_WITH_HOLE, PlcReader, plcConfig } from './pymodbus-harness.ts';

/**
 * Every wire transport against an independent Modbus implementation (issue 16, DESIGN
 * §5): the pymodbus PLC serves each type in each byte order, a string, bits, coils and
 * discrete inputs, encoded by pymodbus; heatnet must decode every field exactly.
 */
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function readerFor(devices: Parameters<typeof plcConfig>[0]): Promise<PlcReader> {
  const reader = new PlcReader(await plcConfig(devices));
  await reader.ingestor.start();
  cleanups.push(() => reader.ingestor.stop());
  return reader;
}

function served(s: Served): Served {
  cleanups.push(() => s.stop());
  return s;
}

describe('Modbus transports against pymodbus', () => {
  it('Modbus TCP: two units behind one gateway decode every field', async () => {
    const plc = served(await startPlc('tcp', [1, 2]));
    const url = `tcp://127.0.0.1:${plc.port}`;
    const reader = await readerFor([
      { id: 'plc-1', url, unitId: 1 },
      { id: 'plc-2', url, unitId: 2 },
    ]);
    await reader.exact('plc-1');
    await reader.exact('plc-2');
  }, 60_000);

  it('RTU over TCP sends CRC-framed RTU, not MBAP, and decodes every field', async () => {
    const plc = served(await startPlc('rtu-over-tcp', [1, 2]));
    const url = `rtu-over-tcp://127.0.0.1:${plc.port}?baud=9600`;
    const reader = await readerFor([
      { id: 'plc-1', url, unitId: 1 },
      // Exception 2 for one register: the adaptive split skips it, the rest still reads.
      { id: 'plc-2', url, unitId: 2, map: PLC_MAP_WITH_HOLE },
    ]);
    await reader.exact('plc-1');
    const second = await reader.exact('plc-2');
    // Polling goes on on the same link: later cycles decode as exactly as the first.
    await reader.exact('plc-1', second.time);
    const health = reader.ingestor.health();
    expect(health.every((h) => h.state === 'up')).toBe(true);
    expect(health.find((h) => h.id === 'plc-2')?.badRangeList).toEqual([
      'holding 1000+1 (unmapped)',
    ]);
  }, 60_000);

  it('serial RTU over a socat pty pair decodes every field', async () => {
    const pair: PtyPair = await ptyPair();
    cleanups.push(() => pair.stop());
    const plc: ManagedProcess = await startSerialPlc(pair.b, 19200);
    cleanups.push(() => plc.stop());
    const reader = await readerFor([{ id: 'plc-1', url: `rtu://${pair.a}?baud=19200`, unitId: 1 }]);
    await reader.exact('plc-1');
  }, 60_000);
});
