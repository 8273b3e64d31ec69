import type { RegisterField } from '../../src/config/schema.ts';
import { registerCount } from '../../src/ingest/modbus/codec.ts';
import { encodeString, encodeValue, withBit } from './encode.ts';

export type EngineeringValue = number | boolean | string;

/** Thrown from a server vector, modbus-serial answers with this Modbus exception. */
export class ModbusException extends Error {
  constructor(readonly modbusErrorCode: number) {
    super(`Modbus exception ${modbusErrorCode}`);
  }
}

/** Engineering value → raw register value (inverse of scale/offset), as the device stores it. */
function toRaw(f: RegisterField, value: number): number {
  const raw = (value - f.offset) / f.scale;
  return f.type === 'float32' || f.type === 'float64' ? raw : Math.round(raw);
}

/**
 * A device's memory as its register map lays it out: four areas, each a sparse
 * table from address to word (or bit). Addresses between mapped fields read as 0,
 * like a PLC's data block; addresses past the block raise exception 2.
 */
export class RegisterImage {
  private readonly words = { holding: new Map<number, number>(), input: new Map<number, number>() };
  private readonly bits = {
    coil: new Map<number, boolean>(),
    discrete: new Map<number, boolean>(),
  };
  private readonly limit: Record<RegisterField['area'], number> = {
    coil: 0,
    discrete: 0,
    holding: 0,
    input: 0,
  };

  constructor(readonly fields: readonly RegisterField[]) {
    for (const f of fields) {
      // Round the block up to a multiple of 16 words past the last field, as PLCs do.
      const bits = f.area === 'coil' || f.area === 'discrete';
      const end = f.address + (bits ? 1 : registerCount(f.type, f.length));
      this.limit[f.area] = Math.max(this.limit[f.area], Math.ceil(end / 16) * 16);
    }
  }

  /** Stores an engineering value the way the field's type, order and scale say. */
  set(f: RegisterField, value: EngineeringValue): void {
    if (f.area === 'coil' || f.area === 'discrete') {
      this.bits[f.area].set(f.address, Boolean(value));
      return;
    }
    const table = this.words[f.area];
    if (f.bit !== undefined) {
      table.set(f.address, withBit(table.get(f.address) ?? 0, f.bit, Boolean(value)));
      return;
    }
    const words =
      f.type === 'string'
        ? encodeString(f.order, String(value), f.length ?? 1)
        : encodeValue(f.type, f.order, typeof value === 'number' ? toRaw(f, value) : Number(value));
    words.forEach((w, i) => {
      table.set(f.address + i, w);
    });
  }

  /** Stores raw words as they are: how faults put sentinels on the wire. */
  setRawWords(area: 'holding' | 'input', address: number, words: readonly number[]): void {
    words.forEach((w, i) => {
      this.words[area].set(address + i, w & 0xffff);
    });
  }

  readWords(area: 'holding' | 'input', address: number, count: number): number[] {
    this.checkRange(area, address, count);
    const table = this.words[area];
    return Array.from({ length: count }, (_, i) => table.get(address + i) ?? 0);
  }

  readBit(area: 'coil' | 'discrete', address: number): boolean {
    this.checkRange(area, address, 1);
    return this.bits[area].get(address) ?? false;
  }

  /** The writable field at an address, if any. */
  writableAt(area: 'holding' | 'coil', address: number): RegisterField | undefined {
    return this.fields.find((f) => f.writable && f.area === area && f.address === address);
  }

  /** Engineering value of a written raw register (inverse of `set` for 1-register fields). */
  static fromRaw(f: RegisterField, word: number): number {
    const raw = f.type === 'int16' && word > 0x7fff ? word - 0x10000 : word;
    return raw * f.scale + f.offset;
  }

  private checkRange(area: RegisterField['area'], address: number, count: number): void {
    if (address + count > this.limit[area]) throw new ModbusException(2);
  }
}
