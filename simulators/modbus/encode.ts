import type { ByteOrder, ModbusType } from '../../src/config/schema.ts';

/**
 * The simulator's own encoder: value → register words as a device with the given
 * byte order would hold them. Written independently of the ingestor's decoder (it
 * permutes bytes through a lookup, the decoder reorders words then swaps), so the
 * golden-vector tests can catch a mistake in either.
 */

/** Byte positions (0 = A, most significant) stored in each successive register byte. */
const LAYOUT_32: Record<ByteOrder, number[]> = {
  ABCD: [0, 1, 2, 3],
  CDAB: [2, 3, 0, 1],
  BADC: [1, 0, 3, 2],
  DCBA: [3, 2, 1, 0],
};
const LAYOUT_64: Record<ByteOrder, number[]> = {
  ABCD: [0, 1, 2, 3, 4, 5, 6, 7],
  CDAB: [6, 7, 4, 5, 2, 3, 0, 1],
  BADC: [1, 0, 3, 2, 5, 4, 7, 6],
  DCBA: [7, 6, 5, 4, 3, 2, 1, 0],
};
const LAYOUT_16: Record<ByteOrder, number[]> = {
  ABCD: [0, 1],
  CDAB: [0, 1],
  BADC: [1, 0],
  DCBA: [1, 0],
};

function bigEndianBytes(type: ModbusType, value: number): Buffer {
  switch (type) {
    case 'int16': {
      const b = Buffer.alloc(2);
      b.writeInt16BE(Math.round(value));
      return b;
    }
    case 'bool':
    case 'uint16': {
      const b = Buffer.alloc(2);
      b.writeUInt16BE(Math.round(value) & 0xffff);
      return b;
    }
    case 'int32': {
      const b = Buffer.alloc(4);
      b.writeInt32BE(Math.round(value));
      return b;
    }
    case 'uint32': {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(Math.round(value) >>> 0);
      return b;
    }
    case 'float32': {
      const b = Buffer.alloc(4);
      b.writeFloatBE(value);
      return b;
    }
    case 'int64': {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(BigInt(Math.round(value)));
      return b;
    }
    case 'uint64': {
      const b = Buffer.alloc(8);
      b.writeBigUInt64BE(BigInt(Math.round(value)));
      return b;
    }
    case 'float64': {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(value);
      return b;
    }
    case 'string':
      throw new TypeError('use encodeString for strings');
  }
}

export function encodeValue(type: ModbusType, order: ByteOrder, value: number): number[] {
  const bytes = bigEndianBytes(type, value);
  const layout = bytes.length === 2 ? LAYOUT_16 : bytes.length === 4 ? LAYOUT_32 : LAYOUT_64;
  const stored = layout[order].map((pos) => bytes[pos]!);
  const words: number[] = [];
  for (let i = 0; i < stored.length; i += 2) words.push((stored[i]! << 8) | stored[i + 1]!);
  return words;
}

/** Latin-1 text, NUL-padded to `length` registers; BADC/DCBA store each pair swapped. */
export function encodeString(order: ByteOrder, text: string, length: number): number[] {
  const bytes = Buffer.alloc(length * 2);
  bytes.write(text.slice(0, length * 2), 'latin1');
  const swap = order === 'BADC' || order === 'DCBA';
  const words: number[] = [];
  for (let i = 0; i < bytes.length; i += 2) {
    const first = bytes[i]!;
    const second = bytes[i + 1]!;
    words.push(swap ? (second << 8) | first : (first << 8) | second);
  }
  return words;
}

/** Sets or clears one bit of a register word. */
export function withBit(word: number, bit: number, on: boolean): number {
  return on ? (word | (1 << bit)) & 0xffff : word & ~(1 << bit) & 0xffff;
}
