import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeString, encodeValue, withBit } from '../../simulators/modbus/encode.ts';
import {
  BYTE_ORDERS,
  type ByteOrder,
  MODBUS_TYPES,
  type ModbusType,
} from '../../src/config/schema.ts';
import { type DecodeSpec, decodeRegisters } from '../../src/ingest/modbus/codec.ts';
import { WIDTH } from './modbus-plan-fields.ts';

function registersNeeded(spec: DecodeSpec): number {
  if (spec.bit !== undefined) return 1;
  if (spec.type === 'string') return spec.length ?? 1;
  return WIDTH[spec.type];
}

const word = fc.integer({ min: 0, max: 0xffff });
const orderArb = fc.constantFrom<ByteOrder>(...BYTE_ORDERS);

/** Any field spec the config schema allows: bit 0..15, length 1..125, both optional. */
const specArb: fc.Arbitrary<DecodeSpec> = fc.record({
  type: fc.constantFrom<ModbusType>(...MODBUS_TYPES),
  order: orderArb,
  bit: fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }),
  length: fc.option(fc.integer({ min: 1, max: 125 }), { nil: undefined }),
});

const RANGES: Partial<Record<ModbusType, readonly [number, number]>> = {
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
  int64: [-(2 ** 63), 2 ** 63],
  uint64: [0, 2 ** 64],
};

describe('decodeRegisters: never throws on long-enough input, returns the right JS type', () => {
  it('holds for any type / order / bit / length / offset', () => {
    const caseArb = fc
      .tuple(specArb, fc.nat({ max: 4 }), fc.nat({ max: 3 }))
      .chain(([spec, offset, extra]) =>
        fc.tuple(
          fc.constant(spec),
          fc.constant(offset),
          fc.array(word, {
            minLength: offset + registersNeeded(spec) + extra,
            maxLength: offset + registersNeeded(spec) + extra,
          }),
        ),
      );
    fc.assert(
      fc.property(caseArb, ([spec, offset, registers]) => {
        const value = decodeRegisters(registers, offset, spec);
        if (spec.bit !== undefined || spec.type === 'bool') {
          expect(typeof value).toBe('boolean');
          if (spec.bit !== undefined) {
            const w = registers[offset] ?? 0;
            expect(value).toBe(((w >> spec.bit) & 1) === 1);
          }
        } else if (spec.type === 'string') {
          expect(typeof value).toBe('string');
          const s = value as string;
          expect(s.length).toBeLessThanOrEqual(2 * (spec.length ?? 1));
          expect(s).not.toMatch(/[ \0]$/);
          // Latin-1 only.
          for (const ch of s) expect(ch.charCodeAt(0)).toBeLessThanOrEqual(0xff);
        } else {
          expect(typeof value).toBe('number');
          const n = value as number;
          const range = RANGES[spec.type];
          if (range !== undefined) {
            expect(Number.isInteger(n)).toBe(true);
            expect(n).toBeGreaterThanOrEqual(range[0]);
            expect(n).toBeLessThanOrEqual(range[1]);
          } else if (spec.type === 'float32' && !Number.isNaN(n)) {
            // Decoded float32s are the shortest decimal of a float32: at most 9 digits.
            const mantissa = n.toExponential().split('e')[0]!.replace(/[-.]/g, '');
            expect(mantissa.length).toBeLessThanOrEqual(9);
          }
        }
      }),
    );
  });
});

describe('round trip: decodeRegisters(encodeValue(type, order, v)) === v for every byte order', () => {
  /** Decodes at offset 0 and inside a longer array, for all four orders. */
  function checkRoundTrip(
    type: Exclude<ModbusType, 'string'>,
    value: number,
    expected: number | boolean,
    pad: readonly number[],
  ): void {
    for (const order of BYTE_ORDERS) {
      const words = encodeValue(type, order, value);
      expect(words).toHaveLength(WIDTH[type]);
      for (const w of words) expect(w >= 0 && w <= 0xffff && Number.isInteger(w)).toBe(true);
      // float32 decodes to the shortest decimal naming the same float32 bits.
      const same = (v: unknown) => (type === 'float32' ? Math.fround(v as number) : v);
      expect(same(decodeRegisters(words, 0, { type, order }))).toBe(expected);
      expect(same(decodeRegisters([...pad, ...words, ...pad], pad.length, { type, order }))).toBe(
        expected,
      );
    }
  }

  const padArb = fc.array(word, { maxLength: 3 });

  const integerCases: ReadonlyArray<
    readonly [Exclude<ModbusType, 'string'>, fc.Arbitrary<number>]
  > = [
    ['int16', fc.integer({ min: -0x8000, max: 0x7fff })],
    ['uint16', fc.integer({ min: 0, max: 0xffff })],
    ['int32', fc.integer({ min: -0x80000000, max: 0x7fffffff })],
    ['uint32', fc.nat({ max: 0xffffffff })],
    ['int64', fc.maxSafeInteger()],
    ['uint64', fc.maxSafeNat()],
  ];
  for (const [type, arb] of integerCases) {
    it(type, () => {
      fc.assert(fc.property(arb, padArb, (v, pad) => checkRoundTrip(type, v, v, pad)));
    });
  }

  it('int64 / uint64 at the ±2^53 edges', () => {
    for (const v of [
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      2 ** 53,
      -(2 ** 53),
      0,
      -1,
    ]) {
      checkRoundTrip('int64', v, v, []);
    }
    for (const v of [Number.MAX_SAFE_INTEGER, 2 ** 53, 0, 1]) checkRoundTrip('uint64', v, v, []);
  });

  it('float32 (compared with Math.fround)', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), padArb, (v, pad) =>
        checkRoundTrip('float32', v, Math.fround(v), pad),
      ),
    );
  });

  it('float32 of arbitrary doubles rounds like Math.fround', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (v) =>
        checkRoundTrip('float32', v, Math.fround(v), []),
      ),
    );
  });

  it('float64', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), padArb, (v, pad) =>
        checkRoundTrip('float64', v, v, pad),
      ),
    );
  });

  it('NaN stays NaN in every order', () => {
    for (const type of ['float32', 'float64'] as const) {
      for (const order of BYTE_ORDERS) {
        const decoded = decodeRegisters(encodeValue(type, order, Number.NaN), 0, { type, order });
        expect(Number.isNaN(decoded)).toBe(true);
      }
    }
  });

  it('plain bool register: non-zero is true', () => {
    fc.assert(fc.property(word, padArb, (v, pad) => checkRoundTrip('bool', v, v !== 0, pad)));
  });

  it('bit on a register: decode(withBit(w, bit, on), bit) === on, other bits untouched', () => {
    fc.assert(
      fc.property(
        word,
        fc.integer({ min: 0, max: 15 }),
        fc.boolean(),
        orderArb,
        (w, bit, on, order) => {
          const changed = withBit(w, bit, on);
          expect(decodeRegisters([changed], 0, { type: 'bool', order, bit })).toBe(on);
          for (let other = 0; other < 16; other++) {
            if (other === bit) continue;
            expect(decodeRegisters([changed], 0, { type: 'bool', order, bit: other })).toBe(
              decodeRegisters([w], 0, { type: 'bool', order, bit: other }),
            );
          }
        },
      ),
    );
  });

  // Printable Latin-1: 0x20–0x7E and 0xA0–0xFF. The text must not end in a space (trimmed by
  // contract) nor in NBSP 0xA0 — the decoder trims that too; see the golden test for it.
  const latin1Char = fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }),
    fc.integer({ min: 0xa0, max: 0xff }),
  );
  const textArb = fc
    .array(latin1Char, { maxLength: 40 })
    .map((codes) => String.fromCharCode(...codes))
    .filter((s) => !/[ \u00a0]$/.test(s));

  it('string', () => {
    fc.assert(
      fc.property(textArb, fc.nat({ max: 3 }), padArb, (text, extra, pad) => {
        const length = Math.max(1, Math.ceil(text.length / 2) + extra);
        for (const order of BYTE_ORDERS) {
          const words = encodeString(order, text, length);
          expect(words).toHaveLength(length);
          const spec = { type: 'string', order, length } as const;
          expect(decodeRegisters(words, 0, spec)).toBe(text);
          expect(decodeRegisters([...pad, ...words, ...pad], pad.length, spec)).toBe(text);
        }
      }),
    );
  });
});

describe('decodeRegisters: too-short input throws RangeError', () => {
  it('for any spec, offset and array shorter than offset + registers needed', () => {
    const caseArb = fc
      .tuple(specArb, fc.nat({ max: 4 }))
      .chain(([spec, offset]) =>
        fc.tuple(
          fc.constant(spec),
          fc.constant(offset),
          fc.array(word, { maxLength: offset + registersNeeded(spec) - 1 }),
        ),
      );
    fc.assert(
      fc.property(caseArb, ([spec, offset, registers]) => {
        expect(() => decodeRegisters(registers, offset, spec)).toThrow(RangeError);
      }),
    );
  });
});
