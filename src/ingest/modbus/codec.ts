import type { ByteOrder, ModbusType } from '../../config/schema.ts';

/**
 * Decoding of Modbus register contents (DESIGN §4.1). Registers arrive as 16-bit
 * words; a value spanning several registers is reassembled into bytes A B C D …
 * (A = most significant) according to the field's byte order:
 *
 *   ABCD  big-endian words, big-endian bytes (the Modbus convention)
 *   CDAB  word-swapped: low word first, bytes big-endian inside each word
 *   BADC  byte-swapped inside each word, words in big-endian order
 *   DCBA  fully little-endian
 *
 * For 64-bit values the same rules extend to four words (CDAB = word order reversed).
 * For single-register values, BADC and DCBA swap the two bytes.
 */

export type DecodedValue = number | boolean | string;

export interface DecodeSpec {
  type: ModbusType;
  order: ByteOrder;
  bit?: number | undefined;
  length?: number | undefined;
}

/** Registers a field occupies (bool on a register = 1, with `bit`). */
export function registerCount(type: ModbusType, length?: number): number {
  switch (type) {
    case 'bool':
    case 'int16':
    case 'uint16':
      return 1;
    case 'int32':
    case 'uint32':
    case 'float32':
      return 2;
    case 'int64':
    case 'uint64':
    case 'float64':
      return 4;
    case 'string':
      return length ?? 1;
  }
}

/** True when a type is an integer type, so its InfluxDB field can be written as an integer. */
export function isIntegerType(type: ModbusType): boolean {
  return type !== 'float32' && type !== 'float64' && type !== 'string' && type !== 'bool';
}

/**
 * Bytes in big-endian (A…) order from `count` registers at `offset`, undoing the
 * device's byte order. Exported for the golden-vector tests.
 */
export function canonicalBytes(
  registers: ArrayLike<number>,
  offset: number,
  count: number,
  order: ByteOrder,
): Buffer {
  const words: number[] = [];
  for (let i = 0; i < count; i++) {
    const w = registers[offset + i];
    if (w === undefined) throw new RangeError(`register ${offset + i} missing in response`);
    words.push(w & 0xffff);
  }
  const wordsInOrder = order === 'CDAB' || order === 'DCBA' ? words.reverse() : words;
  const swapBytes = order === 'BADC' || order === 'DCBA';
  const out = Buffer.allocUnsafe(count * 2);
  wordsInOrder.forEach((w, i) => {
    const hi = (w >> 8) & 0xff;
    const lo = w & 0xff;
    out[i * 2] = swapBytes ? lo : hi;
    out[i * 2 + 1] = swapBytes ? hi : lo;
  });
  return out;
}

export function decodeRegisters(
  registers: ArrayLike<number>,
  offset: number,
  spec: DecodeSpec,
): DecodedValue {
  if (spec.bit !== undefined) {
    const word = registers[offset];
    if (word === undefined) throw new RangeError(`register ${offset} missing in response`);
    return ((word >> spec.bit) & 1) === 1;
  }
  const count = registerCount(spec.type, spec.length);
  // Strings are byte sequences: only the byte swap inside a word applies, never word order.
  if (spec.type === 'string') return decodeString(registers, offset, count, spec.order);
  const b = canonicalBytes(registers, offset, count, spec.order);
  switch (spec.type) {
    case 'bool':
    case 'uint16':
      return spec.type === 'bool' ? b.readUInt16BE(0) !== 0 : b.readUInt16BE(0);
    case 'int16':
      return b.readInt16BE(0);
    case 'uint32':
      return b.readUInt32BE(0);
    case 'int32':
      return b.readInt32BE(0);
    case 'float32':
      return shortestFloat32(b.readFloatBE(0));
    case 'uint64':
      return Number(b.readBigUInt64BE(0));
    case 'int64':
      return Number(b.readBigInt64BE(0));
    case 'float64':
      return b.readDoubleBE(0);
  }
}

/**
 * The shortest decimal that is the same float32: 21.5 stays 21.5, and the float32
 * nearest 99.98 reads 99.98 instead of 99.9800033569336. No information is lost,
 * since converting back to float32 gives the same bits.
 */
function shortestFloat32(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  for (let digits = 6; digits < 9; digits++) {
    const candidate = Number(v.toPrecision(digits));
    if (Math.fround(candidate) === v) return candidate;
  }
  return v;
}

function decodeString(
  registers: ArrayLike<number>,
  offset: number,
  count: number,
  order: ByteOrder,
): string {
  const swap = order === 'BADC' || order === 'DCBA';
  const bytes = canonicalBytes(registers, offset, count, swap ? 'BADC' : 'ABCD');
  const end = bytes.indexOf(0);
  return bytes
    .subarray(0, end === -1 ? bytes.length : end)
    .toString('latin1')
    .replace(/ +$/, '');
}

/**
 * A raw value that devices use to mean "no value": 0x7FFF / −32768 for int16, 0xFFFF
 * for uint16, the extremes for 32- and 64-bit integers, NaN or ±Inf for floats.
 */
export function isSentinel(type: ModbusType, raw: DecodedValue): boolean {
  if (typeof raw !== 'number') return false;
  switch (type) {
    case 'int16':
      return raw === 0x7fff || raw === -0x8000;
    case 'uint16':
      return raw === 0xffff;
    case 'int32':
      return raw === 0x7fffffff || raw === -0x80000000;
    case 'uint32':
      return raw === 0xffffffff;
    case 'int64':
      return raw >= 2 ** 63 - 1 || raw <= -(2 ** 63);
    case 'uint64':
      return raw >= 2 ** 64 - 1;
    case 'float32':
    case 'float64':
      return !Number.isFinite(raw);
    default:
      return false;
  }
}
