import type { ByteOrder, ModbusType, RegisterField } from '../../config/schema.ts';
import { isSentinel, registerCount } from './codec.ts';

/**
 * Encoding for writes (the control path, DESIGN §4.3): an engineering value → the raw
 * value the device holds → register words in the field's byte order. Each step is the
 * inverse of a decoding step: `toRawValue` undoes `toEngineering`'s scale and offset,
 * `orderedRegisters` undoes `canonicalBytes`. A value that does not fit the field is
 * refused with a RangeError rather than wrapped or clipped: a setpoint must never
 * silently become another number on the wire.
 */

const INTEGER_LIMITS: Partial<Record<ModbusType, readonly [bigint, bigint]>> = {
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  uint16: [0n, 2n ** 16n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};
/** Largest finite float32 (struct.unpack('>f', bytes.fromhex('7f7fffff'))). */
const FLOAT32_MAX = 3.4028234663852886e38;

export type EncodeSpec = Pick<RegisterField, 'type' | 'order' | 'scale' | 'offset'> & {
  field?: string;
  sentinels?: boolean;
};

/** Engineering value → raw: (value − offset) / scale, rounded for integer types. */
export function toRawValue(spec: EncodeSpec, value: number): number {
  const name = spec.field ?? spec.type;
  if (!Number.isFinite(value)) throw new RangeError(`${name}: ${value} is not a finite number`);
  const scaled = spec.scale === 1 && spec.offset === 0 ? value : (value - spec.offset) / spec.scale;
  const limits = INTEGER_LIMITS[spec.type];
  if (limits) {
    // 45.3 / 0.01 is 4529.999…; the device's resolution is whole raw steps.
    const raw = Math.round(scaled) + 0; // + 0 turns −0 into 0
    if (!Number.isSafeInteger(raw) || BigInt(raw) < limits[0] || BigInt(raw) > limits[1]) {
      throw new RangeError(`${name}: ${value} does not fit ${spec.type} (raw ${scaled})`);
    }
    return raw;
  }
  if (spec.type === 'float32') {
    if (Math.abs(scaled) > FLOAT32_MAX) {
      throw new RangeError(`${name}: ${value} does not fit float32`);
    }
    return Math.fround(scaled);
  }
  if (spec.type === 'float64') return scaled;
  throw new TypeError(`${name}: ${spec.type} fields take no numeric writes`);
}

/**
 * The value the device will actually hold after `value` is written: integer fields
 * keep whole raw steps (45.34 Hz on a 0.1 Hz register becomes 45.3), so limits and
 * read-back are judged on this, not on what was asked. Values that do not encode
 * are returned as they are (the caller's range check refuses them).
 */
export function representable(spec: EncodeSpec, value: number): number {
  if (!Number.isFinite(value) || !INTEGER_LIMITS[spec.type]) return value;
  const raw = Math.round((value - spec.offset) / spec.scale);
  // Round away the float noise of raw × scale (4530 × 0.01 = 45.300000000000004).
  return Number((raw * spec.scale + spec.offset).toPrecision(12));
}

/** The raw value's big-endian bytes A B C D … (what `canonicalBytes` returns). */
export function canonicalBytesOf(type: ModbusType, raw: number): Buffer {
  const b = Buffer.alloc(registerCount(type) * 2);
  switch (type) {
    case 'int16':
      b.writeInt16BE(raw);
      break;
    case 'uint16':
      b.writeUInt16BE(raw);
      break;
    case 'int32':
      b.writeInt32BE(raw);
      break;
    case 'uint32':
      b.writeUInt32BE(raw);
      break;
    case 'int64':
      b.writeBigInt64BE(BigInt(raw));
      break;
    case 'uint64':
      b.writeBigUInt64BE(BigInt(raw));
      break;
    case 'float32':
      b.writeFloatBE(raw);
      break;
    case 'float64':
      b.writeDoubleBE(raw);
      break;
    default:
      throw new TypeError(`${type} has no numeric encoding`);
  }
  return b;
}

/**
 * Canonical bytes → register words as a device with `order` holds them: the inverse
 * of `canonicalBytes` (swap the bytes inside each word for BADC/DCBA, reverse the word
 * order for CDAB/DCBA).
 */
export function orderedRegisters(bytes: Buffer, order: ByteOrder): number[] {
  const swapBytes = order === 'BADC' || order === 'DCBA';
  const words: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    const hi = bytes[i]!;
    const lo = bytes[i + 1]!;
    words.push(swapBytes ? (lo << 8) | hi : (hi << 8) | lo);
  }
  return order === 'CDAB' || order === 'DCBA' ? words.reverse() : words;
}

/** A raw value → its registers. */
export function encodeRaw(type: ModbusType, order: ByteOrder, raw: number): number[] {
  return orderedRegisters(canonicalBytesOf(type, raw), order);
}

/**
 * An engineering value → the registers to write. Refuses a value whose raw form
 * is the field's "no value" sentinel: the device would take it, but every poll after
 * would reject what it reads back.
 */
export function encodeField(spec: EncodeSpec, value: number): number[] {
  const raw = toRawValue(spec, value);
  if ((spec.sentinels ?? true) && isSentinel(spec.type, raw)) {
    throw new RangeError(
      `${spec.field ?? spec.type}: ${value} encodes to the "no value" sentinel ${raw}`,
    );
  }
  return encodeRaw(spec.type, spec.order, raw);
}

/** What a write of `value` to a holding field puts on the wire (a bool field takes 0/1). */
export function encodeWrite(spec: EncodeSpec, value: number | boolean): number[] {
  if (spec.type === 'bool') return [value === true || value === 1 ? 1 : 0];
  if (typeof value !== 'number') throw new TypeError(`${spec.field ?? spec.type} takes a number`);
  return encodeField(spec, value);
}
