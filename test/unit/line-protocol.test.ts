import { describe, expect, it } from 'vitest';
import type { Reading } from '../../src/core/reading.ts';
import { toLine } from '../../src/storage/line-protocol.ts';

const T = 1_700_000_000_123;

function reading(over: Partial<Reading>): Reading {
  return { measurement: 'room', tags: {}, fields: { temp_c: 21.5 }, time: T, ...over };
}

describe('toLine', () => {
  it('writes measurement, sorted tags, fields and a ms timestamp', () => {
    const line = toLine(
      reading({
        measurement: 'substation',
        tags: { substation: 'S01', source: 'P1', branch: 'north' },
        fields: { supply_temp_c: 95.5, return_temp_c: 52 },
      }),
    );
    expect(line).toBe(
      `substation,branch=north,source=P1,substation=S01 supply_temp_c=95.5,return_temp_c=52 ${T}`,
    );
  });

  it('rounds a fractional timestamp to whole milliseconds', () => {
    expect(toLine(reading({ time: T + 0.6 }))).toBe(`room temp_c=21.5 ${T + 1}`);
  });

  it('escapes commas and spaces in the measurement', () => {
    expect(toLine(reading({ measurement: 'my room,v2' }))).toBe(`my\\ room\\,v2 temp_c=21.5 ${T}`);
  });

  it('escapes commas, equals signs, spaces and backslashes in tag keys and values', () => {
    const line = toLine(reading({ tags: { 'a key': 'x=1,y 2', k: 'back\\slash' } }));
    expect(line).toBe(`room,a\\ key=x\\=1\\,y\\ 2,k=back\\\\slash temp_c=21.5 ${T}`);
  });

  it('escapes field keys like tag keys', () => {
    expect(toLine(reading({ fields: { 'temp c,x=y': 1 } }))).toBe(`room temp\\ c\\,x\\=y=1 ${T}`);
  });

  it('quotes string values and escapes quotes and backslashes, but not commas or spaces', () => {
    const line = toLine(reading({ fields: { model: 'ABB "ACS580", C:\\x y=z' } }));
    expect(line).toBe(`room model="ABB \\"ACS580\\", C:\\\\x y=z" ${T}`);
  });

  it('replaces newlines in string values so the line stays one line', () => {
    const line = toLine(reading({ fields: { note: 'a\nb' } }));
    expect(line).toBe(`room note="a b" ${T}`);
  });

  it('writes integers with i only for fields listed in intFields', () => {
    const line = toLine(
      reading({
        fields: { fault_code: 7, running_hours: 1200, temp_c: 21 },
        intFields: new Set(['fault_code', 'running_hours']),
      }),
    );
    expect(line).toBe(`room fault_code=7i,running_hours=1200i,temp_c=21 ${T}`);
  });

  it('leaves out a listed integer field whose value is not an integer (it would flip type)', () => {
    const line = toLine(reading({ fields: { x: 2.5, y: -3 }, intFields: new Set(['x', 'y']) }));
    expect(line).toBe(`room y=-3i ${T}`);
  });

  it('writes booleans as true/false, never as integers', () => {
    const line = toLine(
      reading({ fields: { on: true, alarm: false }, intFields: new Set(['on']) }),
    );
    expect(line).toBe(`room on=true,alarm=false ${T}`);
  });

  it('skips NaN and infinite fields and keeps the rest', () => {
    const line = toLine(
      reading({
        fields: {
          a: Number.NaN,
          b: 1.25,
          c: Number.POSITIVE_INFINITY,
          d: Number.NEGATIVE_INFINITY,
        },
      }),
    );
    expect(line).toBe(`room b=1.25 ${T}`);
  });

  it('returns undefined when no field can be written', () => {
    expect(toLine(reading({ fields: { a: Number.NaN, b: Number.POSITIVE_INFINITY } }))).toBe(
      undefined,
    );
    expect(toLine(reading({ fields: {} }))).toBeUndefined();
  });

  it('skips tags with empty values', () => {
    const line = toLine(reading({ tags: { zone: '', building: 'B1' } }));
    expect(line).toBe(`room,building=B1 temp_c=21.5 ${T}`);
  });

  it('writes an empty string field as ""', () => {
    expect(toLine(reading({ fields: { s: '' } }))).toBe(`room s="" ${T}`);
  });

  // Tag values come from MQTT topic levels and may hold a newline; written raw it would split the
  // line and the server would refuse the whole batch (400), dropping other sensors' good lines.
  it('keeps a tag value with a newline on one line', () => {
    const line = toLine(reading({ tags: { household: 'H1\nroom temp_c=99' } }));
    expect(line).not.toContain('\n');
  });

  // InfluxDB integers are int64: an integer field beyond that range (e.g. a uint64 counter
  // answering all-ones for "no value") is left out, since the server would refuse the batch.
  it('never writes an integer outside the int64 range with i', () => {
    const fields = { energy: 2 ** 64, low: -(2 ** 63) - 4096, ok: 2 ** 62 };
    const line = toLine(reading({ fields, intFields: new Set(['energy', 'low', 'ok']) }));
    expect(line).toBe(`room ok=${2 ** 62}i ${T}`);
  });
});
