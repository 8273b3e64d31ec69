import type { RegisterField } from '../../src/config/schema.ts';
import type { ActiveFault, FaultBook, FaultSpec } from '../faults.ts';
import { encodeValue } from './encode.ts';
import type { EngineeringValue } from './register-image.ts';

/**
 * Wire faults (DESIGN §4.6): what a broken sensor or a sick PLC puts on the wire.
 * The physics is untouched; only the answer of one unit, or one field of it, changes.
 */

/** How a unit answers a request right now. */
export interface UnitAnswer {
  /** False: the unit never answers and the client times out. */
  answers: boolean;
  /** Real milliseconds before the answer goes out. */
  delayMs: number;
  /** Modbus exception code answered instead of data, if any. */
  exception: number | undefined;
}

/** Words stored as they are, bypassing the encoder: how a sentinel reaches the wire. */
export interface RawWrite {
  area: 'holding' | 'input';
  address: number;
  words: number[];
}

/** A device's sample as its faulty sensors report it. */
export interface AlteredSample {
  values: Record<string, EngineeringValue>;
  raw: RawWrite[];
}

type Sentinel = NonNullable<Extract<FaultSpec, { type: 'sensor-failed' }>['sentinel']>;

export const NORMAL_ANSWER: UnitAnswer = { answers: true, delayMs: 0, exception: undefined };
const DEFAULT_SLOW_MS = 3000;
const DEFAULT_DRIFT_PER_HOUR = 0.5;
const MS_PER_HOUR = 3_600_000;

/** The 16-bit word each sentinel names; NaN has none, so a 16-bit field gets its type's own. */
const SENTINEL_WORD: Record<Sentinel, number | undefined> = {
  '0xFFFF': 0xffff,
  '0x7FFF': 0x7fff,
  '-32768': 0x8000,
  NaN: undefined,
};

/**
 * The registers of a failed sensor, in the field's byte order: the sentinel word
 * for 16-bit fields, NaN for floats, the type's extreme for wider integers.
 * Undefined for bits, booleans and strings, which have no "no value" encoding.
 */
export function sentinelWords(f: RegisterField, sentinel?: Sentinel): number[] | undefined {
  if (f.area === 'coil' || f.area === 'discrete' || f.bit !== undefined) return undefined;
  const wantsMin = sentinel === '-32768';
  switch (f.type) {
    case 'int16':
      return encodeValue('uint16', f.order, SENTINEL_WORD[sentinel ?? '0x7FFF'] ?? 0x7fff);
    case 'uint16':
      return encodeValue('uint16', f.order, SENTINEL_WORD[sentinel ?? '0xFFFF'] ?? 0xffff);
    case 'float32':
    case 'float64':
      return encodeValue(f.type, f.order, Number.NaN);
    case 'int32':
      return encodeValue('int32', f.order, wantsMin ? -0x8000_0000 : 0x7fff_ffff);
    case 'uint32':
      return encodeValue('uint32', f.order, 0xffff_ffff);
    case 'int64': {
      // 2^63 − 1 is no JS number, but its bytes are the complement of −2^63's, and
      // complementing every byte commutes with any byte order.
      const min = encodeValue('int64', f.order, -(2 ** 63));
      return wantsMin ? min : min.map((w) => ~w & 0xffff);
    }
    case 'uint64':
      return [0xffff, 0xffff, 0xffff, 0xffff]; // all ones in every byte order
    default:
      return undefined;
  }
}

/** The wire faults of one simulator run, applied per unit and per field. */
export class WireFaults {
  /**
   * What each stuck sensor froze at. Keyed by the fault record, not its id: an id can
   * be reused after a clear, and the new fault must freeze afresh.
   */
  private readonly frozen = new WeakMap<ActiveFault, EngineeringValue>();

  constructor(private readonly book: FaultBook) {}

  /** Offline beats everything; delays and exceptions combine (a late exception). */
  answer(deviceId: string, nowMs: number): UnitAnswer {
    const mine = <T extends { spec: { device: string } }>(faults: readonly T[]) =>
      faults.filter((f) => f.spec.device === deviceId);
    const offline = mine(this.book.of('device-offline', nowMs)).length > 0;
    const delays = mine(this.book.of('device-slow', nowMs)).map(
      (f) => f.spec.delayMs ?? DEFAULT_SLOW_MS,
    );
    const exception = mine(this.book.of('device-exception', nowMs))[0]?.spec.code;
    return { answers: !offline, delayMs: Math.max(0, ...delays), exception };
  }

  /** A device's healthy sample → what its sensors report: drifted, frozen, or failed. */
  alter(
    deviceId: string,
    fields: readonly RegisterField[],
    healthy: Record<string, EngineeringValue>,
    nowMs: number,
  ): AlteredSample {
    const values = { ...healthy };
    const raw: RawWrite[] = [];
    for (const f of this.book.of('sensor-drift', nowMs)) {
      const v = values[f.spec.field];
      if (f.spec.device !== deviceId || typeof v !== 'number') continue;
      const perHour = f.spec.perHour ?? DEFAULT_DRIFT_PER_HOUR;
      values[f.spec.field] = v + (perHour * (nowMs - f.fromMs)) / MS_PER_HOUR;
    }
    for (const f of this.book.of('sensor-stuck', nowMs)) {
      const v = values[f.spec.field];
      if (f.spec.device !== deviceId || v === undefined) continue;
      if (!this.frozen.has(f)) this.frozen.set(f, v);
      values[f.spec.field] = this.frozen.get(f) ?? v;
    }
    for (const f of this.book.of('sensor-failed', nowMs)) {
      const field = fields.find((x) => x.field === f.spec.field);
      const words = field && sentinelWords(field, f.spec.sentinel);
      if (f.spec.device !== deviceId || !field || !words) continue;
      if (field.area !== 'holding' && field.area !== 'input') continue; // narrows; bits have no words
      delete values[f.spec.field];
      raw.push({ area: field.area, address: field.address, words });
    }
    return { values, raw };
  }
}
