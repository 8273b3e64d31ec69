import { describe, expect, it } from 'vitest';
import { encodeString, encodeValue, withBit } from '../../simulators/modbus/encode.ts';
import { BYTE_ORDERS, type ByteOrder, type ModbusType } from '../../src/config/schema.ts';
import {
  canonicalBytes,
  decodeRegisters,
  isIntegerType,
  isSentinel,
  registerCount,
} from '../../src/ingest/modbus/codec.ts';
import { NUMERIC_GOLDENS } from './modbus-goldens.ts';

/*
 * Golden vectors for the Modbus codec. Every register word below was computed by hand with
 * Python's `struct` module (python3), NOT with our own encoder, so a bug shared by the
 * simulator and the ingestor cannot hide. For a value packed with format F (h, H, i, I, q, Q,
 * f, d) and W = the matching word format (H, HH, 4H):
 *
 *   ABCD  struct.unpack('>W', struct.pack('>F', v))        big-endian words, big-endian bytes
 *   CDAB  struct.unpack('>W', struct.pack('>F', v))[::-1]  word order reversed
 *   BADC  struct.unpack('<W', struct.pack('>F', v))        bytes swapped inside each word
 *   DCBA  struct.unpack('>W', struct.pack('<F', v))        fully little-endian
 *
 * For single-register values CDAB = ABCD (there is no word order to reverse).
 */

const ORDERS: readonly ByteOrder[] = ['ABCD', 'DCBA', 'BADC', 'CDAB'];

/** Garbage around the value so that a wrong offset is visible. */
const PREFIX = [0xffff, 0x8000, 0x7fff] as const;
const SUFFIX = [0xa5a5, 0x5a5a] as const;

function padded(words: readonly number[]): number[] {
  return [...PREFIX, ...words, ...SUFFIX];
}

interface StringGolden {
  text: string;
  length: number;
  /** What the decoder must return (trailing NULs and spaces trimmed). */
  decoded: string;
  /** Word order never changes for strings: CDAB = ABCD, DCBA = BADC. */
  words: Record<ByteOrder, readonly number[]>;
  /** False when encodeString cannot produce these words from `text` (e.g. explicit spaces). */
  encodable: boolean;
}

const STRING_GOLDENS: readonly StringGolden[] = [
  // ABCD/CDAB struct.unpack('>4H', b'S01-PLC'.ljust(8, b'\0')) -> (0x5330, 0x312d, 0x504c, 0x4300)
  // BADC/DCBA struct.unpack('<4H', b'S01-PLC'.ljust(8, b'\0')) -> (0x3053, 0x2d31, 0x4c50, 0x0043)
  {
    text: 'S01-PLC',
    length: 4,
    decoded: 'S01-PLC',
    encodable: true,
    words: {
      ABCD: [0x5330, 0x312d, 0x504c, 0x4300],
      CDAB: [0x5330, 0x312d, 0x504c, 0x4300],
      BADC: [0x3053, 0x2d31, 0x4c50, 0x0043],
      DCBA: [0x3053, 0x2d31, 0x4c50, 0x0043],
    },
  },
  // ABCD/CDAB struct.unpack('>5H', b'S01-PLC'.ljust(10, b'\0')) -> (0x5330, 0x312d, 0x504c, 0x4300, 0x0000)
  // BADC/DCBA struct.unpack('<5H', b'S01-PLC'.ljust(10, b'\0')) -> (0x3053, 0x2d31, 0x4c50, 0x0043, 0x0000)
  {
    text: 'S01-PLC',
    length: 5,
    decoded: 'S01-PLC',
    encodable: true,
    words: {
      ABCD: [0x5330, 0x312d, 0x504c, 0x4300, 0x0000],
      CDAB: [0x5330, 0x312d, 0x504c, 0x4300, 0x0000],
      BADC: [0x3053, 0x2d31, 0x4c50, 0x0043, 0x0000],
      DCBA: [0x3053, 0x2d31, 0x4c50, 0x0043, 0x0000],
    },
  },
  // Latin-1 above 0x7F: 'ÄÖÜ-éÿ'.encode('latin1') == b'\xc4\xd6\xdc-\xe9\xff'
  // ABCD/CDAB struct.unpack('>3H', b'\xc4\xd6\xdc-\xe9\xff') -> (0xc4d6, 0xdc2d, 0xe9ff)
  // BADC/DCBA struct.unpack('<3H', b'\xc4\xd6\xdc-\xe9\xff') -> (0xd6c4, 0x2ddc, 0xffe9)
  {
    text: '\u00c4\u00d6\u00dc-\u00e9\u00ff',
    length: 3,
    decoded: '\u00c4\u00d6\u00dc-\u00e9\u00ff',
    encodable: true,
    words: {
      ABCD: [0xc4d6, 0xdc2d, 0xe9ff],
      CDAB: [0xc4d6, 0xdc2d, 0xe9ff],
      BADC: [0xd6c4, 0x2ddc, 0xffe9],
      DCBA: [0xd6c4, 0x2ddc, 0xffe9],
    },
  },
  // Space-padded device string: trailing spaces and NULs are trimmed.
  // ABCD/CDAB struct.unpack('>3H', b'AB  \0\0') -> (0x4142, 0x2020, 0x0000)
  // BADC/DCBA struct.unpack('<3H', b'AB  \0\0') -> (0x4241, 0x2020, 0x0000)
  {
    text: 'AB  ',
    length: 3,
    decoded: 'AB',
    encodable: true,
    words: {
      ABCD: [0x4142, 0x2020, 0x0000],
      CDAB: [0x4142, 0x2020, 0x0000],
      BADC: [0x4241, 0x2020, 0x0000],
      DCBA: [0x4241, 0x2020, 0x0000],
    },
  },
];

describe('golden vectors: numeric types × byte orders', () => {
  for (const g of NUMERIC_GOLDENS) {
    for (const order of ORDERS) {
      const words = g.words[order];
      const label = `${g.type} ${g.value} ${order}`;

      it(`${label}: canonicalBytes gives the big-endian bytes ${g.be}`, () => {
        expect(canonicalBytes(words, 0, words.length, order).toString('hex')).toBe(g.be);
        expect(
          canonicalBytes(padded(words), PREFIX.length, words.length, order).toString('hex'),
        ).toBe(g.be);
      });

      it(`${label}: decodes at offset 0`, () => {
        expect(decodeRegisters(words, 0, { type: g.type, order })).toBe(g.value);
      });

      it(`${label}: decodes at offset ${PREFIX.length} of a longer array`, () => {
        expect(decodeRegisters(padded(words), PREFIX.length, { type: g.type, order })).toBe(
          g.value,
        );
      });

      it(`${label}: simulator encodeValue produces the golden words`, () => {
        expect(encodeValue(g.type, order, g.value)).toEqual(words);
      });
    }
  }
});

describe('golden vectors: strings × byte orders', () => {
  for (const g of STRING_GOLDENS) {
    for (const order of ORDERS) {
      const words = g.words[order];
      const label = `string ${JSON.stringify(g.text)} length ${g.length} ${order}`;

      it(`${label}: decodes at offset 0`, () => {
        expect(decodeRegisters(words, 0, { type: 'string', order, length: g.length })).toBe(
          g.decoded,
        );
      });

      it(`${label}: decodes at offset ${PREFIX.length} of a longer array`, () => {
        expect(
          decodeRegisters(padded(words), PREFIX.length, {
            type: 'string',
            order,
            length: g.length,
          }),
        ).toBe(g.decoded);
      });

      if (g.encodable) {
        it(`${label}: simulator encodeString produces the golden words`, () => {
          expect(encodeString(order, g.text, g.length)).toEqual(words);
        });
      }
    }
  }

  it('reads only `length` registers (length 3 of the "S01-PLC" words gives "S01-PL")', () => {
    // struct.unpack('>4H', b'S01-PLC\0') -> (0x5330, 0x312d, 0x504c, 0x4300)
    const words = [0x5330, 0x312d, 0x504c, 0x4300];
    expect(decodeRegisters(words, 0, { type: 'string', order: 'ABCD', length: 3 })).toBe('S01-PL');
    expect(decodeRegisters(words, 0, { type: 'string', order: 'CDAB', length: 3 })).toBe('S01-PL');
  });

  it('trims only trailing NULs and spaces: a trailing NBSP (Latin-1 0xA0) is kept', () => {
    // DESIGN: "trailing NULs and trailing spaces trimmed"; 0xA0 is a printable Latin-1 char.
    // struct.unpack('>2H', b'AB\xa0\0') -> (0x4142, 0xa000)
    const words = [0x4142, 0xa000];
    expect(decodeRegisters(words, 0, { type: 'string', order: 'ABCD', length: 2 })).toBe(
      'AB\u00a0',
    );
    expect(encodeString('ABCD', 'AB\u00a0', 2)).toEqual(words);
  });
});

describe('golden vectors: bool', () => {
  // Single-bit words: hex(1 << n) for n in (0, 7, 8, 15) -> 0x1, 0x80, 0x100, 0x8000
  const BIT_WORDS: ReadonlyArray<readonly [number, number]> = [
    [0, 0x0001],
    [7, 0x0080],
    [8, 0x0100],
    [15, 0x8000],
  ];

  for (const order of ORDERS) {
    for (const [bit, word] of BIT_WORDS) {
      it(`bit ${bit} (${order}): set only in 0x${word.toString(16).padStart(4, '0')}`, () => {
        for (const [otherBit, otherWord] of BIT_WORDS) {
          // Contract: `bit` selects bit n (0 = LSB) of the register word as read.
          expect(decodeRegisters([otherWord], 0, { type: 'bool', order, bit })).toBe(
            otherBit === bit,
          );
          // Complement word (0xFFFF ^ (1 << n)): every bit set except otherBit.
          expect(decodeRegisters([0xffff ^ otherWord], 0, { type: 'bool', order, bit })).toBe(
            otherBit !== bit,
          );
        }
        // Non-zero offset into a longer array; neighbours have every bit set / clear.
        expect(
          decodeRegisters([0xffff, 0x0000, word, 0xffff], 2, { type: 'bool', order, bit }),
        ).toBe(true);
        expect(
          decodeRegisters([0x0000, 0xffff, 0xffff ^ word, 0x0000], 2, { type: 'bool', order, bit }),
        ).toBe(false);
      });
    }

    // Plain bool register: non-zero = true.
    // struct.unpack('>H', struct.pack('>H', 1)) -> (0x0001,);  struct.unpack('<H', ...) -> (0x0100,)
    it(`plain bool register (${order}): non-zero is true, zero is false`, () => {
      for (const word of [0x0001, 0x0100, 0x8000, 0x0080, 0xffff, 0x1234]) {
        expect(decodeRegisters([word], 0, { type: 'bool', order })).toBe(true);
        expect(decodeRegisters([0x0000, 0x0000, word], 2, { type: 'bool', order })).toBe(true);
      }
      expect(decodeRegisters([0x0000], 0, { type: 'bool', order })).toBe(false);
      expect(decodeRegisters([0xffff, 0x0000, 0xffff], 1, { type: 'bool', order })).toBe(false);
    });
  }

  it('simulator encodeValue("bool") gives 0x0001 for ABCD/CDAB and 0x0100 for BADC/DCBA', () => {
    // ABCD/CDAB struct.unpack('>H', struct.pack('>H', 1)) -> (0x0001,)
    // BADC/DCBA struct.unpack('<H', struct.pack('>H', 1)) -> (0x0100,)
    expect(encodeValue('bool', 'ABCD', 1)).toEqual([0x0001]);
    expect(encodeValue('bool', 'CDAB', 1)).toEqual([0x0001]);
    expect(encodeValue('bool', 'BADC', 1)).toEqual([0x0100]);
    expect(encodeValue('bool', 'DCBA', 1)).toEqual([0x0100]);
    expect(encodeValue('bool', 'DCBA', 0)).toEqual([0x0000]);
  });

  it('simulator withBit sets and clears the golden bits', () => {
    for (const [bit, word] of BIT_WORDS) {
      expect(withBit(0x0000, bit, true)).toBe(word);
      expect(withBit(0xffff, bit, false)).toBe(0xffff ^ word);
      expect(withBit(word, bit, true)).toBe(word);
      expect(withBit(0x0000, bit, false)).toBe(0x0000);
      // 0x1234 | (1 << n) and 0x1234 & ~(1 << n) & 0xFFFF
      expect(withBit(0x1234, bit, true)).toBe((0x1234 | word) >>> 0);
      expect(withBit(0x1234, bit, false)).toBe(0x1234 & (0xffff ^ word));
    }
    // Literal spot checks: hex(0x1234 | 0x8000) == '0x9234'; hex(0x1234 & ~0x10 & 0xffff) == '0x1224'
    expect(withBit(0x1234, 15, true)).toBe(0x9234);
    expect(withBit(0x1234, 4, false)).toBe(0x1224);
  });
});

describe('registerCount', () => {
  const cases: ReadonlyArray<readonly [ModbusType, number | undefined, number]> = [
    ['bool', undefined, 1],
    ['int16', undefined, 1],
    ['uint16', undefined, 1],
    ['int32', undefined, 2],
    ['uint32', undefined, 2],
    ['float32', undefined, 2],
    ['int64', undefined, 4],
    ['uint64', undefined, 4],
    ['float64', undefined, 4],
    ['string', 4, 4],
    ['string', 5, 5],
    ['string', 125, 125],
    ['string', undefined, 1],
  ];
  it.each(cases)('%s (length %s) occupies %i register(s)', (type, length, expected) => {
    expect(registerCount(type, length)).toBe(expected);
  });

  it('matches the length of every golden vector', () => {
    for (const g of NUMERIC_GOLDENS) {
      expect(registerCount(g.type)).toBe(g.words.ABCD.length);
    }
    for (const g of STRING_GOLDENS) {
      expect(registerCount('string', g.length)).toBe(g.words.ABCD.length);
    }
  });

  it('the byte orders under test are exactly the schema byte orders', () => {
    expect([...ORDERS].sort()).toEqual([...BYTE_ORDERS].sort());
  });
});

describe('isIntegerType', () => {
  it.each([
    ['int16', true],
    ['uint16', true],
    ['int32', true],
    ['uint32', true],
    ['int64', true],
    ['uint64', true],
    ['float32', false],
    ['float64', false],
    ['string', false],
    ['bool', false],
  ] as const)('%s → %s', (type, expected) => {
    expect(isIntegerType(type)).toBe(expected);
  });
});

describe('isSentinel', () => {
  const cases: ReadonlyArray<readonly [ModbusType, number | string | boolean, boolean]> = [
    ['int16', 0x7fff, true],
    ['int16', -32768, true],
    ['int16', 0x7ffe, false],
    ['int16', -32767, false],
    ['int16', -1, false],
    ['int16', 0, false],
    ['uint16', 0xffff, true],
    ['uint16', 0xfffe, false],
    ['uint16', 0x7fff, false],
    ['uint16', 0, false],
    ['int32', 0x7fffffff, true],
    ['int32', -0x80000000, true],
    ['int32', 0x7ffffffe, false],
    ['int32', -0x7fffffff, false],
    ['int32', 0x7fff, false],
    ['int32', -1, false],
    ['uint32', 0xffffffff, true],
    ['uint32', 0xfffffffe, false],
    ['uint32', 0xffff, false],
    ['float32', Number.NaN, true],
    ['float32', Number.POSITIVE_INFINITY, true],
    ['float32', Number.NEGATIVE_INFINITY, true],
    ['float32', 3.4028234663852886e38, false], // struct.unpack('>f', bytes.fromhex('7f7fffff'))
    ['float32', 0, false],
    ['float32', -12.375, false],
    ['float64', Number.NaN, true],
    ['float64', Number.POSITIVE_INFINITY, true],
    ['float64', Number.NEGATIVE_INFINITY, true],
    ['float64', Number.MAX_VALUE, false],
    ['float64', -0.001, false],
    ['string', 'NaN', false],
    ['bool', true, false],
    ['bool', false, false],
  ];
  it.each(cases)('%s %s → %s', (type, raw, expected) => {
    expect(isSentinel(type, raw)).toBe(expected);
  });

  // Sentinels as they arrive on the wire, decoded and then classified.
  //   int16 0x7FFF / -32768:   struct.pack('>h', 32767).hex() == '7fff'; struct.pack('>h', -32768).hex() == '8000'
  //   int32 0x7FFFFFFF CDAB:   struct.unpack('>HH', struct.pack('>i', 2**31 - 1))[::-1] -> (0xffff, 0x7fff)
  //   int32 -0x80000000 DCBA:  struct.unpack('>HH', struct.pack('<i', -2**31)) -> (0x0000, 0x0080)
  //   uint32 0xFFFFFFFF:       struct.unpack('>HH', struct.pack('>I', 2**32 - 1)) -> (0xffff, 0xffff)
  //   float32 NaN BADC:        struct.unpack('<HH', struct.pack('>f', float('nan'))) -> (0xc07f, 0x0000)
  //   float32 +Inf CDAB:       struct.unpack('>HH', struct.pack('>f', float('inf')))[::-1] -> (0x0000, 0x7f80)
  //   float32 -Inf ABCD:       struct.unpack('>HH', struct.pack('>f', float('-inf'))) -> (0xff80, 0x0000)
  //   float64 NaN DCBA:        struct.unpack('>4H', struct.pack('<d', float('nan'))) -> (0, 0, 0, 0xf87f)
  //   int16 0x7FFF BADC:       struct.unpack('<H', struct.pack('>h', 32767)) -> (0xff7f,)
  //   near miss int16 0x7FFE BADC: struct.unpack('<H', struct.pack('>h', 32766)) -> (0xfe7f,)
  //   near miss int32 0x7FFFFFFE:  struct.unpack('>HH', struct.pack('>i', 2**31 - 2)) -> (0x7fff, 0xfffe)
  const wire: ReadonlyArray<readonly [ModbusType, ByteOrder, readonly number[], boolean]> = [
    ['int16', 'ABCD', [0x7fff], true],
    ['int16', 'ABCD', [0x8000], true],
    ['int16', 'BADC', [0xff7f], true],
    ['int16', 'BADC', [0xfe7f], false],
    ['int16', 'ABCD', [0x7ffe], false],
    ['uint16', 'DCBA', [0xffff], true],
    ['int32', 'ABCD', [0x7fff, 0xffff], true],
    ['int32', 'CDAB', [0xffff, 0x7fff], true],
    ['int32', 'DCBA', [0x0000, 0x0080], true],
    ['int32', 'ABCD', [0x7fff, 0xfffe], false],
    ['uint32', 'ABCD', [0xffff, 0xffff], true],
    ['float32', 'BADC', [0xc07f, 0x0000], true],
    ['float32', 'CDAB', [0x0000, 0x7f80], true],
    ['float32', 'ABCD', [0xff80, 0x0000], true],
    ['float64', 'DCBA', [0x0000, 0x0000, 0x0000, 0xf87f], true],
  ];
  it.each(wire)('decoded %s %s %j → sentinel %s', (type, order, words, expected) => {
    expect(isSentinel(type, decodeRegisters(words, 0, { type, order }))).toBe(expected);
  });
});
