import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ByteOrder, RegisterField } from '../../src/config/schema.ts';
import { canonicalBytes, decodeRegisters } from '../../src/ingest/modbus/codec.ts';
import { toEngineering } from '../../src/ingest/modbus/device.ts';
import {
  encodeField,
  encodeRaw,
  encodeWrite,
  orderedRegisters,
  toRawValue,
} from '../../src/ingest/modbus/encode.ts';
import { NUMERIC_GOLDENS, type NumericType } from './modbus-goldens.ts';

/*
 * Golden vectors for the write encoder. Every word below was computed with Python's
 * `struct` module (python3), not with our code, exactly as in modbus-codec.golden.test.ts:
 *
 *   ABCD  struct.unpack('>W', struct.pack('>F', v))
 *   CDAB  struct.unpack('>W', struct.pack('>F', v))[::-1]
 *   BADC  struct.unpack('<W', struct.pack('>F', v))
 *   DCBA  struct.unpack('>W', struct.pack('<F', v))
 */

type Golden = {
  type: NumericType;
  raw: number;
  /** struct.pack('>F', raw).hex() */
  be: string;
  words: Record<ByteOrder, readonly number[]>;
};

/** Vectors of the write path beyond the shared table (modbus-goldens.ts), which runs too. */
const WRITE_GOLDENS: readonly Golden[] = [
  // struct.pack('>h', 12345)
  {
    type: 'int16',
    raw: 12345,
    be: '3039',
    words: { ABCD: [0x3039], CDAB: [0x3039], BADC: [0x3930], DCBA: [0x3930] },
  },
  // struct.pack('>H', 4530): 45.30 Hz at scale 0.01
  {
    type: 'uint16',
    raw: 4530,
    be: '11b2',
    words: { ABCD: [0x11b2], CDAB: [0x11b2], BADC: [0xb211], DCBA: [0xb211] },
  },
  // struct.pack('>I', 305419896)
  {
    type: 'uint32',
    raw: 0x12345678,
    be: '12345678',
    words: {
      ABCD: [0x1234, 0x5678],
      CDAB: [0x5678, 0x1234],
      BADC: [0x3412, 0x7856],
      DCBA: [0x7856, 0x3412],
    },
  },
  // struct.pack('>f', -0.15625)
  {
    type: 'float32',
    raw: -0.15625,
    be: 'be200000',
    words: {
      ABCD: [0xbe20, 0x0000],
      CDAB: [0x0000, 0xbe20],
      BADC: [0x20be, 0x0000],
      DCBA: [0x0000, 0x20be],
    },
  },
  // struct.pack('>f', 45.3): not exact in float32 (reads back as 45.29999923706055)
  {
    type: 'float32',
    raw: 45.3,
    be: '42353333',
    words: {
      ABCD: [0x4235, 0x3333],
      CDAB: [0x3333, 0x4235],
      BADC: [0x3542, 0x3333],
      DCBA: [0x3333, 0x3542],
    },
  },
];

const ORDERS: readonly ByteOrder[] = ['ABCD', 'DCBA', 'BADC', 'CDAB'];

const field = (over: Partial<RegisterField>): RegisterField => ({
  field: 'frequency_setpoint_hz',
  area: 'holding',
  address: 1,
  type: 'uint16',
  order: 'ABCD',
  scale: 1,
  offset: 0,
  sentinels: true,
  writable: true,
  ...over,
});

const GOLDENS: readonly Golden[] = [
  ...NUMERIC_GOLDENS.map(({ type, value, be, words }) => ({ type, raw: value, be, words })),
  ...WRITE_GOLDENS,
];

describe('encodeRaw: golden byte vectors (python3 struct)', () => {
  for (const g of GOLDENS) {
    for (const order of ORDERS) {
      it(`${g.type} ${g.raw} ${order}`, () => {
        const words = encodeRaw(g.type, order, g.raw);
        expect(words).toEqual(g.words[order]);
        // Inverse of canonicalBytes: the decoder's first step gives the struct bytes back.
        expect(canonicalBytes(words, 0, words.length, order).toString('hex')).toBe(g.be);
      });
    }
  }
});

/** struct.pack('>i', -123456789), from the shared table. */
const INT32_GOLDEN = GOLDENS.find((g) => g.type === 'int32' && g.raw === -123456789)!;

describe('encodeField: scale and offset undone, as toEngineering applies them', () => {
  it('45.3 Hz at scale 0.01 → raw 4530 (0x11b2), not 4529 from 45.3 / 0.01 = 4529.99…', () => {
    expect(toRawValue(field({ scale: 0.01 }), 45.3)).toBe(4530);
    expect(encodeField(field({ scale: 0.01 }), 45.3)).toEqual([0x11b2]);
    expect(encodeField(field({ scale: 0.01, order: 'DCBA' }), 45.3)).toEqual([0xb211]);
  });

  it('−12.3 °C at scale 0.1, offset −40 → raw 277 (struct.pack(">h", 277) = 0115)', () => {
    expect(encodeField(field({ type: 'int16', scale: 0.1, offset: -40 }), -12.3)).toEqual([0x0115]);
  });

  it('−123456.789 at scale 0.001 → int32 −123456789 in every order', () => {
    for (const order of ORDERS) {
      const spec = field({ type: 'int32', scale: 0.001, order });
      expect(encodeField(spec, -123456.789), order).toEqual(INT32_GOLDEN.words[order]);
    }
  });

  it('refuses values that do not fit the type instead of wrapping them', () => {
    expect(() => encodeField(field({}), 65536)).toThrow(/does not fit uint16/);
    expect(() => encodeField(field({}), -1)).toThrow(/does not fit uint16/);
    expect(() => encodeField(field({ scale: 0.01 }), 655.36)).toThrow(/does not fit uint16/);
    expect(() => encodeField(field({ type: 'int16' }), -32769)).toThrow(/does not fit int16/);
    expect(() => encodeField(field({ type: 'int32' }), 2 ** 31)).toThrow(/does not fit int32/);
    expect(() => encodeField(field({ type: 'uint32' }), 2 ** 32)).toThrow(/does not fit/);
    expect(() => encodeField(field({ type: 'float32' }), 1e39)).toThrow(/does not fit float32/);
    expect(() => encodeField(field({}), Number.NaN)).toThrow(/not a finite number/);
    expect(() => encodeField(field({}), Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });

  it('refuses a value that would read back as the "no value" sentinel', () => {
    expect(() => encodeField(field({}), 0xffff)).toThrow(/sentinel/);
    expect(() => encodeField(field({ type: 'int16' }), 0x7fff)).toThrow(/sentinel/);
    expect(encodeField(field({ sentinels: false }), 0xffff)).toEqual([0xffff]);
  });

  it('writes a bool field as 0/1 and refuses strings', () => {
    expect(encodeWrite(field({ type: 'bool' }), true)).toEqual([1]);
    expect(encodeWrite(field({ type: 'bool' }), false)).toEqual([0]);
    expect(() => encodeWrite(field({}), true)).toThrow(/takes a number/);
    expect(() => toRawValue(field({ type: 'string' }), 1)).toThrow(TypeError);
  });

  it('orderedRegisters is the inverse of canonicalBytes for 64-bit values too', () => {
    // struct.pack('>q', -2).hex() == 'fffffffffffffffe'
    const be = Buffer.from('fffffffffffffffe', 'hex');
    for (const order of ORDERS) {
      const words = orderedRegisters(be, order);
      expect(canonicalBytes(words, 0, 4, order).toString('hex'), order).toBe(be.toString('hex'));
    }
    expect(orderedRegisters(be, 'CDAB')).toEqual([0xfffe, 0xffff, 0xffff, 0xffff]);
  });
});

describe('round trip against decodeRegisters (property)', () => {
  const orderArb = fc.constantFrom<ByteOrder>(...ORDERS);
  const rawArb = fc.oneof(
    fc.tuple(fc.constant('int16' as const), fc.integer({ min: -0x8000, max: 0x7fff })),
    fc.tuple(fc.constant('uint16' as const), fc.integer({ min: 0, max: 0xffff })),
    fc.tuple(fc.constant('int32' as const), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
    fc.tuple(fc.constant('uint32' as const), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
    fc.tuple(fc.constant('int64' as const), fc.maxSafeInteger()),
    fc.tuple(fc.constant('uint64' as const), fc.maxSafeNat()),
    // Every float the type can hold, NaN, ±Infinity, −0 and subnormals included: the raw
    // encoder passes them through (encodeField is what refuses non-finite setpoints).
    fc.tuple(fc.constant('float32' as const), fc.float()),
    fc.tuple(fc.constant('float64' as const), fc.double()),
  );

  it('decode(encodeRaw(raw)) = raw for every numeric type and byte order', () => {
    fc.assert(
      fc.property(rawArb, orderArb, ([type, raw], order) => {
        const words = encodeRaw(type, order, raw);
        const back = decodeRegisters(words, 0, { type, order }) as number;
        // toBe is Object.is: −0 must come back as −0 (a float64 keeps its sign bit), not as
        // `raw + 0`, which turned −0 into +0 and failed whenever fast-check drew −0 (issue 9).
        if (type === 'float32') expect(Math.fround(back)).toBe(Math.fround(raw));
        else expect(back).toBe(raw);
      }),
    );
  });

  it('toEngineering(decode(encodeField(v))) gives v back at the field resolution', () => {
    const specArb = fc.record({
      type: fc.constantFrom('int16' as const, 'uint16' as const, 'int32' as const),
      order: orderArb,
      scale: fc.constantFrom(1, 0.1, 0.01, 0.5, 10),
      offset: fc.constantFrom(0, -40, 100),
    });
    fc.assert(
      fc.property(specArb, fc.integer({ min: 0, max: 30000 }), (s, raw) => {
        const spec = field({ ...s, sentinels: false });
        const value = toEngineering(spec, raw);
        if (!('value' in value)) throw new Error('rejected');
        const words = encodeField(spec, value.value as number);
        expect(decodeRegisters(words, 0, spec)).toBe(raw);
      }),
    );
  });
});
