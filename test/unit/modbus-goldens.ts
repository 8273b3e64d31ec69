import type { ByteOrder, ModbusType } from '../../src/config/schema.ts';

/*
 * Golden vectors for numeric Modbus values, shared by the decoder's and the encoder's
 * tests (one table read both ways). Every register word was computed by hand with
 * Python's `struct` module (python3), NOT with our code, so a bug shared by the
 * simulator, the ingestor and the write path cannot hide. For a value packed with
 * format F (h, H, i, I, q, Q, f, d) and W = the matching word format (H, HH, 4H):
 *
 *   ABCD  struct.unpack('>W', struct.pack('>F', v))        big-endian words, big-endian bytes
 *   CDAB  struct.unpack('>W', struct.pack('>F', v))[::-1]  word order reversed
 *   BADC  struct.unpack('<W', struct.pack('>F', v))        bytes swapped inside each word
 *   DCBA  struct.unpack('>W', struct.pack('<F', v))        fully little-endian
 */

export type NumericType = Exclude<ModbusType, 'string' | 'bool'>;

export interface NumericGolden {
  type: NumericType;
  value: number;
  /** struct.pack('>F', value).hex(): the canonical A B C D … bytes. */
  be: string;
  words: Record<ByteOrder, readonly number[]>;
}

export const NUMERIC_GOLDENS: readonly NumericGolden[] = [
  // struct.pack('>h', -2).hex()                   -> 'fffe'
  // ABCD struct.unpack('>H', struct.pack('>h', -2)) -> (0xfffe,)
  // CDAB struct.unpack('>H', struct.pack('>h', -2)) -> (0xfffe,)
  // BADC struct.unpack('<H', struct.pack('>h', -2)) -> (0xfeff,)
  // DCBA struct.unpack('>H', struct.pack('<h', -2)) -> (0xfeff,)
  {
    type: 'int16',
    value: -2,
    be: 'fffe',
    words: { ABCD: [0xfffe], CDAB: [0xfffe], BADC: [0xfeff], DCBA: [0xfeff] },
  },
  // struct.pack('>H', 0xABCD).hex()                   -> 'abcd'
  // ABCD struct.unpack('>H', struct.pack('>H', 0xABCD)) -> (0xabcd,)
  // CDAB struct.unpack('>H', struct.pack('>H', 0xABCD)) -> (0xabcd,)
  // BADC struct.unpack('<H', struct.pack('>H', 0xABCD)) -> (0xcdab,)
  // DCBA struct.unpack('>H', struct.pack('<H', 0xABCD)) -> (0xcdab,)
  {
    type: 'uint16',
    value: 0xabcd,
    be: 'abcd',
    words: { ABCD: [0xabcd], CDAB: [0xabcd], BADC: [0xcdab], DCBA: [0xcdab] },
  },
  // struct.pack('>i', -123456789).hex()                          -> 'f8a432eb'
  // ABCD struct.unpack('>HH', struct.pack('>i', -123456789))       -> (0xf8a4, 0x32eb)
  // CDAB struct.unpack('>HH', struct.pack('>i', -123456789))[::-1] -> (0x32eb, 0xf8a4)
  // BADC struct.unpack('<HH', struct.pack('>i', -123456789))       -> (0xa4f8, 0xeb32)
  // DCBA struct.unpack('>HH', struct.pack('<i', -123456789))       -> (0xeb32, 0xa4f8)
  {
    type: 'int32',
    value: -123456789,
    be: 'f8a432eb',
    words: {
      ABCD: [0xf8a4, 0x32eb],
      CDAB: [0x32eb, 0xf8a4],
      BADC: [0xa4f8, 0xeb32],
      DCBA: [0xeb32, 0xa4f8],
    },
  },
  // struct.pack('>I', 0xDEADBEEF).hex()                          -> 'deadbeef'
  // ABCD struct.unpack('>HH', struct.pack('>I', 0xDEADBEEF))       -> (0xdead, 0xbeef)
  // CDAB struct.unpack('>HH', struct.pack('>I', 0xDEADBEEF))[::-1] -> (0xbeef, 0xdead)
  // BADC struct.unpack('<HH', struct.pack('>I', 0xDEADBEEF))       -> (0xadde, 0xefbe)
  // DCBA struct.unpack('>HH', struct.pack('<I', 0xDEADBEEF))       -> (0xefbe, 0xadde)
  {
    type: 'uint32',
    value: 0xdeadbeef,
    be: 'deadbeef',
    words: {
      ABCD: [0xdead, 0xbeef],
      CDAB: [0xbeef, 0xdead],
      BADC: [0xadde, 0xefbe],
      DCBA: [0xefbe, 0xadde],
    },
  },
  // struct.pack('>q', -1234567890123).hex()                          -> 'fffffee08e04fb35'
  // ABCD struct.unpack('>4H', struct.pack('>q', -1234567890123))       -> (0xffff, 0xfee0, 0x8e04, 0xfb35)
  // CDAB struct.unpack('>4H', struct.pack('>q', -1234567890123))[::-1] -> (0xfb35, 0x8e04, 0xfee0, 0xffff)
  // BADC struct.unpack('<4H', struct.pack('>q', -1234567890123))       -> (0xffff, 0xe0fe, 0x048e, 0x35fb)
  // DCBA struct.unpack('>4H', struct.pack('<q', -1234567890123))       -> (0x35fb, 0x048e, 0xe0fe, 0xffff)
  {
    type: 'int64',
    value: -1234567890123,
    be: 'fffffee08e04fb35',
    words: {
      ABCD: [0xffff, 0xfee0, 0x8e04, 0xfb35],
      CDAB: [0xfb35, 0x8e04, 0xfee0, 0xffff],
      BADC: [0xffff, 0xe0fe, 0x048e, 0x35fb],
      DCBA: [0x35fb, 0x048e, 0xe0fe, 0xffff],
    },
  },
  // struct.pack('>Q', 2**52 + 3).hex()                          -> '0010000000000003'
  // ABCD struct.unpack('>4H', struct.pack('>Q', 2**52 + 3))       -> (0x0010, 0x0000, 0x0000, 0x0003)
  // CDAB struct.unpack('>4H', struct.pack('>Q', 2**52 + 3))[::-1] -> (0x0003, 0x0000, 0x0000, 0x0010)
  // BADC struct.unpack('<4H', struct.pack('>Q', 2**52 + 3))       -> (0x1000, 0x0000, 0x0000, 0x0300)
  // DCBA struct.unpack('>4H', struct.pack('<Q', 2**52 + 3))       -> (0x0300, 0x0000, 0x0000, 0x1000)
  {
    type: 'uint64',
    value: 2 ** 52 + 3,
    be: '0010000000000003',
    words: {
      ABCD: [0x0010, 0x0000, 0x0000, 0x0003],
      CDAB: [0x0003, 0x0000, 0x0000, 0x0010],
      BADC: [0x1000, 0x0000, 0x0000, 0x0300],
      DCBA: [0x0300, 0x0000, 0x0000, 0x1000],
    },
  },
  // struct.pack('>f', 21.5).hex()                          -> '41ac0000'
  // ABCD struct.unpack('>HH', struct.pack('>f', 21.5))       -> (0x41ac, 0x0000)
  // CDAB struct.unpack('>HH', struct.pack('>f', 21.5))[::-1] -> (0x0000, 0x41ac)
  // BADC struct.unpack('<HH', struct.pack('>f', 21.5))       -> (0xac41, 0x0000)
  // DCBA struct.unpack('>HH', struct.pack('<f', 21.5))       -> (0x0000, 0xac41)
  {
    type: 'float32',
    value: 21.5,
    be: '41ac0000',
    words: {
      ABCD: [0x41ac, 0x0000],
      CDAB: [0x0000, 0x41ac],
      BADC: [0xac41, 0x0000],
      DCBA: [0x0000, 0xac41],
    },
  },
  // struct.pack('>f', -12.375).hex()                          -> 'c1460000'
  // ABCD struct.unpack('>HH', struct.pack('>f', -12.375))       -> (0xc146, 0x0000)
  // CDAB struct.unpack('>HH', struct.pack('>f', -12.375))[::-1] -> (0x0000, 0xc146)
  // BADC struct.unpack('<HH', struct.pack('>f', -12.375))       -> (0x46c1, 0x0000)
  // DCBA struct.unpack('>HH', struct.pack('<f', -12.375))       -> (0x0000, 0x46c1)
  {
    type: 'float32',
    value: -12.375,
    be: 'c1460000',
    words: {
      ABCD: [0xc146, 0x0000],
      CDAB: [0x0000, 0xc146],
      BADC: [0x46c1, 0x0000],
      DCBA: [0x0000, 0x46c1],
    },
  },
  // struct.pack('>d', 3.141592653589793).hex()                          -> '400921fb54442d18'
  // ABCD struct.unpack('>4H', struct.pack('>d', 3.141592653589793))       -> (0x4009, 0x21fb, 0x5444, 0x2d18)
  // CDAB struct.unpack('>4H', struct.pack('>d', 3.141592653589793))[::-1] -> (0x2d18, 0x5444, 0x21fb, 0x4009)
  // BADC struct.unpack('<4H', struct.pack('>d', 3.141592653589793))       -> (0x0940, 0xfb21, 0x4454, 0x182d)
  // DCBA struct.unpack('>4H', struct.pack('<d', 3.141592653589793))       -> (0x182d, 0x4454, 0xfb21, 0x0940)
  {
    type: 'float64',
    value: Math.PI, // 3.141592653589793
    be: '400921fb54442d18',
    words: {
      ABCD: [0x4009, 0x21fb, 0x5444, 0x2d18],
      CDAB: [0x2d18, 0x5444, 0x21fb, 0x4009],
      BADC: [0x0940, 0xfb21, 0x4454, 0x182d],
      DCBA: [0x182d, 0x4454, 0xfb21, 0x0940],
    },
  },
  // struct.pack('>d', -0.001).hex()                          -> 'bf50624dd2f1a9fc'
  // ABCD struct.unpack('>4H', struct.pack('>d', -0.001))       -> (0xbf50, 0x624d, 0xd2f1, 0xa9fc)
  // CDAB struct.unpack('>4H', struct.pack('>d', -0.001))[::-1] -> (0xa9fc, 0xd2f1, 0x624d, 0xbf50)
  // BADC struct.unpack('<4H', struct.pack('>d', -0.001))       -> (0x50bf, 0x4d62, 0xf1d2, 0xfca9)
  // DCBA struct.unpack('>4H', struct.pack('<d', -0.001))       -> (0xfca9, 0xf1d2, 0x4d62, 0x50bf)
  {
    type: 'float64',
    value: -0.001,
    be: 'bf50624dd2f1a9fc',
    words: {
      ABCD: [0xbf50, 0x624d, 0xd2f1, 0xa9fc],
      CDAB: [0xa9fc, 0xd2f1, 0x624d, 0xbf50],
      BADC: [0x50bf, 0x4d62, 0xf1d2, 0xfca9],
      DCBA: [0xfca9, 0xf1d2, 0x4d62, 0x50bf],
    },
  },
];
