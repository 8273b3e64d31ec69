import { describe, expect, it } from 'vitest';
import { FaultBook } from '../../simulators/faults.ts';
import { sentinelWords, WireFaults } from '../../simulators/modbus/wire-faults.ts';
import type { RegisterField } from '../../src/config/schema.ts';
import { decodeRegisters, isSentinel } from '../../src/ingest/modbus/codec.ts';

const T0 = Date.parse('2025-01-15T00:00:00Z');
const HOUR = 3_600_000;

function field(partial: Partial<RegisterField> & Pick<RegisterField, 'type'>): RegisterField {
  return {
    field: 'x',
    area: 'holding',
    address: 0,
    order: 'ABCD',
    scale: 1,
    offset: 0,
    sentinels: true,
    writable: false,
    ...partial,
  } as RegisterField;
}

describe('sentinelWords', () => {
  const cases: [RegisterField, Parameters<typeof sentinelWords>[1], number[]][] = [
    [field({ type: 'int16' }), undefined, [0x7fff]],
    [field({ type: 'int16' }), '-32768', [0x8000]],
    [field({ type: 'int16', order: 'BADC' }), '0x7FFF', [0xff7f]],
    [field({ type: 'uint16' }), undefined, [0xffff]],
    [field({ type: 'uint16' }), 'NaN', [0xffff]],
    [field({ type: 'float32', order: 'CDAB' }), undefined, [0x0000, 0x7fc0]],
    [field({ type: 'float32', order: 'DCBA' }), '0xFFFF', [0x0000, 0xc07f]],
    [field({ type: 'int32', order: 'CDAB' }), undefined, [0xffff, 0x7fff]],
    [field({ type: 'int32' }), '-32768', [0x8000, 0x0000]],
    [field({ type: 'uint32' }), undefined, [0xffff, 0xffff]],
    [field({ type: 'int64', order: 'DCBA' }), undefined, [0xffff, 0xffff, 0xffff, 0xff7f]],
    [field({ type: 'uint64', order: 'CDAB' }), undefined, [0xffff, 0xffff, 0xffff, 0xffff]],
  ];

  it.each(cases)('%o with %s', (f, sentinel, words) => {
    expect(sentinelWords(f, sentinel)).toEqual(words);
  });

  it('puts on the wire what the ingestor decodes as a sentinel, for every wide type and order', () => {
    for (const type of ['float32', 'float64', 'int32', 'uint32', 'int64', 'uint64'] as const) {
      for (const order of ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const) {
        const f = field({ type, order });
        const raw = decodeRegisters(sentinelWords(f) ?? [], 0, f);
        expect(isSentinel(type, raw), `${type} ${order}`).toBe(true);
      }
    }
  });

  it('has none for bits, booleans and strings', () => {
    expect(sentinelWords(field({ type: 'bool', area: 'coil' }))).toBeUndefined();
    expect(sentinelWords(field({ type: 'bool', area: 'input', bit: 3 }))).toBeUndefined();
    expect(sentinelWords(field({ type: 'string', length: 4 }))).toBeUndefined();
  });
});

describe('WireFaults.answer', () => {
  it('answers normally without faults, and only the named device is affected', () => {
    const book = new FaultBook(T0);
    book.add({ type: 'device-offline', device: 'plc' }, T0);
    const wire = new WireFaults(book);
    expect(wire.answer('vfd', T0)).toEqual({ answers: true, delayMs: 0, exception: undefined });
    expect(wire.answer('plc', T0).answers).toBe(false);
  });

  it('delays (3 s by default) and answers exceptions, combined when both are active', () => {
    const book = new FaultBook(T0);
    book.add({ type: 'device-slow', device: 'plc' }, T0);
    book.add({ type: 'device-exception', device: 'plc', code: 6, at: '+1h' }, T0);
    const wire = new WireFaults(book);
    expect(wire.answer('plc', T0)).toEqual({ answers: true, delayMs: 3000, exception: undefined });
    expect(wire.answer('plc', T0 + HOUR)).toEqual({ answers: true, delayMs: 3000, exception: 6 });
  });

  it('ends a fault at its `until`', () => {
    const book = new FaultBook(T0);
    book.add({ type: 'device-exception', device: 'plc', code: 2, until: '+10s' }, T0);
    const wire = new WireFaults(book);
    expect(wire.answer('plc', T0 + 9_999).exception).toBe(2);
    expect(wire.answer('plc', T0 + 10_000).exception).toBeUndefined();
  });
});

describe('WireFaults.alter', () => {
  const fields = [
    field({ field: 'temp', type: 'float32', order: 'CDAB' }),
    field({ field: 'flow', type: 'uint16', area: 'input', address: 5 }),
  ];

  it('drifts by perHour (0.5/h by default) since the fault began, on that field only', () => {
    const book = new FaultBook(T0);
    book.add({ type: 'sensor-drift', device: 'plc', field: 'temp' }, T0);
    book.add({ type: 'sensor-drift', device: 'plc', field: 'flow', perHour: -4 }, T0 + HOUR);
    const wire = new WireFaults(book);
    const out = wire.alter('plc', fields, { temp: 60, flow: 10 }, T0 + 3 * HOUR);
    expect(out.values).toEqual({ temp: 61.5, flow: 2 });
    expect(wire.alter('other', fields, { temp: 60 }, T0 + 3 * HOUR).values).toEqual({ temp: 60 });
  });

  it('freezes a stuck field at its first value, afresh for a new fault of the same id', () => {
    const book = new FaultBook(T0);
    book.add({ type: 'sensor-stuck', device: 'plc', field: 'temp', id: 'st' }, T0);
    const wire = new WireFaults(book);
    expect(wire.alter('plc', fields, { temp: 60, flow: 1 }, T0).values).toEqual({
      temp: 60,
      flow: 1,
    });
    expect(wire.alter('plc', fields, { temp: 65, flow: 2 }, T0 + HOUR).values).toEqual({
      temp: 60,
      flow: 2,
    });
    book.clear('st', T0 + 2 * HOUR);
    expect(wire.alter('plc', fields, { temp: 70 }, T0 + 2 * HOUR).values.temp).toBe(70);
    book.add({ type: 'sensor-stuck', device: 'plc', field: 'temp', id: 'st' }, T0 + 3 * HOUR);
    expect(wire.alter('plc', fields, { temp: 80 }, T0 + 3 * HOUR).values.temp).toBe(80);
    expect(wire.alter('plc', fields, { temp: 90 }, T0 + 4 * HOUR).values.temp).toBe(80);
  });

  it('replaces a failed field by raw sentinel words at its address', () => {
    const book = new FaultBook(T0);
    book.add({ type: 'sensor-failed', device: 'plc', field: 'flow' }, T0);
    book.add({ type: 'sensor-failed', device: 'plc', field: 'temp', sentinel: 'NaN' }, T0);
    const out = new WireFaults(book).alter('plc', fields, { temp: 60, flow: 1 }, T0);
    expect(out.values).toEqual({});
    expect(out.raw).toEqual([
      { area: 'input', address: 5, words: [0xffff] },
      { area: 'holding', address: 0, words: [0x0000, 0x7fc0] },
    ]);
  });
});
