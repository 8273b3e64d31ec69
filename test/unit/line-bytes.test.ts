import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Reading } from '../../src/core/reading.ts';
import { seriesTags } from '../../src/core/series-tags.ts';
import { LineBuffer } from '../../src/storage/line-buffer.ts';
import { Slab, type SlabSink, writeDecimal, writeLine } from '../../src/storage/line-bytes.ts';
import { toLine } from '../../src/storage/line-protocol.ts';

/**
 * The writer encodes readings straight into bytes (issue 14): exactly the text line in
 * UTF-8 with a newline, checked against golden bytes and against `toLine` for any reading.
 */

const T = 1_700_000_000_123;

class OneSlab implements SlabSink {
  readonly slab = new Slab(4096);
  slabFor(bytes: number): Slab {
    expect(bytes).toBeLessThanOrEqual(this.slab.room);
    return this.slab;
  }
}

function bytesOf(r: Reading): Buffer | undefined {
  const sink = new OneSlab();
  return writeLine(r, sink) ? sink.slab.bytes.subarray(0, sink.slab.used) : undefined;
}

describe('writeLine', () => {
  it('writes golden bytes for a room reading, tags sorted, a newline at the end', () => {
    const tags = seriesTags({
      substation: 'S01',
      building: 'S01-B1',
      household: 'H7',
      zone: 'low',
    });
    const bytes = bytesOf({ measurement: 'room', tags, fields: { temp_c: 21.5 }, time: T });
    expect(bytes?.toString('hex')).toBe(
      Buffer.from(
        'room,building=S01-B1,household=H7,substation=S01,zone=low temp_c=21.5 1700000000123\n',
      ).toString('hex'),
    );
    // The same shared tags again come from the cache, with the same bytes.
    const again = bytesOf({ measurement: 'room', tags, fields: { temp_c: -3 }, time: 5 });
    expect(again?.toString()).toBe(
      'room,building=S01-B1,household=H7,substation=S01,zone=low temp_c=-3 5\n',
    );
  });

  it('writes UTF-8 for names and strings, and escapes as the text line does', () => {
    const r: Reading = {
      measurement: '换热站 1',
      tags: { 站: '北,区' },
      fields: { 'a b': 'é"\\', n: 7 },
      intFields: new Set(['n']),
      time: T + 0.6,
    };
    const golden = Buffer.from([
      ...Buffer.from('换热站\\ 1,站=北\\,区 a\\ b="é\\"\\\\",n=7i 1700000000124\n', 'utf8'),
    ]);
    expect(bytesOf(r)).toEqual(golden);
  });

  it('writes nothing when no field can be written', () => {
    const sink = new OneSlab();
    expect(
      writeLine({ measurement: 'room', tags: {}, fields: { a: Number.NaN }, time: T }, sink),
    ).toBeUndefined();
    expect(sink.slab.used).toBe(0);
    expect(sink.slab.ends).toEqual([]);
  });

  it('agrees with toLine for any reading (property)', () => {
    const name = fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme' });
    const value = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.string({ unit: 'grapheme' }),
    );
    fc.assert(
      fc.property(
        name,
        fc.dictionary(name, name, { maxKeys: 4 }),
        fc.dictionary(name, value, { maxKeys: 4 }),
        fc.oneof(fc.double(), fc.integer({ min: 0, max: 2 ** 53 }), fc.constant(T)),
        (measurement, tags, fields, time) => {
          const r: Reading = { measurement, tags, fields, time };
          const line = toLine(r);
          const bytes = bytesOf(r);
          if (line === undefined) expect(bytes).toBeUndefined();
          else expect(bytes?.toString('utf8')).toBe(`${line}\n`);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('writeDecimal', () => {
  const spelled = (v: number): string | undefined => {
    const buf = Buffer.alloc(64);
    const end = writeDecimal(buf, 0, v);
    return end < 0 ? undefined : buf.toString('latin1', 0, end);
  };

  it('spells numbers as String() does (golden)', () => {
    const cases = [0, -0, 1, -1, 21.5, -3.25, 0.1, 0.000001, 123456789.5, 999999999, 17.000004];
    for (const v of cases) expect(spelled(v)).toBe(String(v));
    expect(spelled(0.1 + 0.2)).toBeUndefined(); // 0.30000000000000004: String() takes it
    expect(spelled(1e9)).toBeUndefined();
    expect(spelled(1e-7)).toBeUndefined();
    expect(spelled(Number.NaN)).toBeUndefined();
    expect(spelled(Number.POSITIVE_INFINITY)).toBeUndefined();
  });

  it('writes String(v) or leaves the number to it, for any double (property)', () => {
    // Sensor-like values (a few decimals of an integer) and any double at all.
    const decimal = fc
      .tuple(fc.integer({ min: -(10 ** 15), max: 10 ** 15 }), fc.integer({ min: 0, max: 8 }))
      .map(([m, places]) => m / 10 ** places);
    fc.assert(
      fc.property(fc.oneof(decimal, fc.double()), (v) => {
        const out = spelled(v);
        if (out !== undefined) expect(out).toBe(String(v));
        else expect(Math.abs(v) >= 1e9 || !Number.isFinite(v) || !shortDecimal(v)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });
});

/** At most six decimal places in String(v), in fixed notation. */
function shortDecimal(v: number): boolean {
  const text = String(v);
  return !text.includes('e') && (text.split('.')[1]?.length ?? 0) <= 6;
}

describe('LineBuffer bytes', () => {
  const room = (i: number): Reading => ({
    measurement: 'room',
    tags: { household: `H${i}` },
    fields: { temp_c: i },
    time: i,
  });

  it('gives a batch as one body and as text, across slabs and pushes', () => {
    const b = new LineBuffer(1000);
    const readings = Array.from({ length: 20_000 }, (_, i) => room(i));
    for (let i = 0; i < readings.length; i += 7)
      b.pushReadings(readings.slice(i, i + 7), i % 2 === 0);
    expect(b.size).toBe(20_000);
    const taken = b.take(15_000);
    const text = readings.slice(0, 15_000).map((r) => toLine(r)!);
    expect(taken.count).toBe(15_000);
    expect(taken.body().toString()).toBe(`${text.join('\n')}\n`);
    expect(taken.lines).toEqual(text);
    b.putBack(taken);
    expect(b.take(20_000).lines).toEqual(readings.map((r) => toLine(r)!));
  });

  it('gives a batch across two slabs as two parts that make its body', () => {
    const b = new LineBuffer(100_000);
    const long = 'x'.repeat(200);
    const readings = Array.from({ length: 8_000 }, (_, i) => ({
      ...room(i),
      tags: seriesTags({ household: `H${i}`, note: long }),
    }));
    b.pushReadings(readings, true);
    const taken = b.take(8_000);
    const parts = taken.parts();
    expect(parts.length).toBe(2);
    expect(Buffer.concat(parts).toString()).toBe(taken.body().toString());
    expect(taken.body().toString()).toBe(`${readings.map((r) => toLine(r)!).join('\n')}\n`);
  });

  it('keeps a taken batch as it was while the buffer goes on', () => {
    const b = new LineBuffer(1000);
    b.push(['a', 'b', 'c'], true);
    const taken = b.take(2);
    b.putBack(taken);
    b.take(1);
    b.push(['d'], false);
    expect(taken.lines).toEqual(['a', 'b']);
    expect(taken.body().toString()).toBe('a\nb\n');
  });
});
