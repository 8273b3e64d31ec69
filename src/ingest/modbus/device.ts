import type { ModbusDeviceConfig, RegisterField } from '../../config/schema.ts';
import type { FieldValue, Reading } from '../reading.ts';
import { decodeRegisters, isIntegerType, isSentinel } from './codec.ts';
import type { ModbusConnection } from './connection.ts';
import type { PlannedRequest } from './plan.ts';

export type RejectReason = 'sentinel' | 'range';

export interface PollOutcome {
  reading: Reading | undefined;
  rejected: { field: string; reason: RejectReason; raw: FieldValue }[];
}

/** Scales a raw value and checks it is a value at all and a plausible one. */
export function toEngineering(
  spec: RegisterField,
  raw: FieldValue,
): { value: FieldValue } | { reject: RejectReason } {
  if (spec.sentinels && isSentinel(spec.type, raw)) return { reject: 'sentinel' };
  if (typeof raw !== 'number') return { value: raw };
  if (!Number.isFinite(raw)) return { reject: 'sentinel' };
  const value =
    spec.scale === 1 && spec.offset === 0 ? raw : roundScaled(raw * spec.scale + spec.offset);
  if (spec.range && (value < spec.range[0] || value > spec.range[1])) return { reject: 'range' };
  return { value };
}

/**
 * 219 × 0.1 is 21.900000000000002 in binary floating point; users expect 21.9.
 * Fifteen significant digits is what a double always holds exactly, so large scaled
 * counters (123456789012345 × 0.001) keep every decimal.
 */
function roundScaled(v: number): number {
  return Number.parseFloat(v.toPrecision(15));
}

/**
 * One configured device: its planned requests, the measurement and tags its
 * readings carry, and the decode/validate step. Reads go through the shared
 * connection of its endpoint.
 */
export class ModbusDevice {
  readonly measurement: string;
  readonly tags: Record<string, string>;
  readonly intFields: ReadonlySet<string>;

  constructor(
    readonly config: ModbusDeviceConfig,
    readonly requests: readonly PlannedRequest[],
    readonly connection: ModbusConnection,
    source: string,
  ) {
    this.measurement = config.kind;
    this.tags =
      config.kind === 'pump'
        ? { substation: config.substation, pump: config.pump ?? config.id }
        : { substation: config.substation, source };
    const ints = new Set<string>();
    for (const r of requests) {
      for (const { spec } of r.fields) {
        // Integers stay integers only when unscaled, so a field never flips type.
        if (
          isIntegerType(spec.type) &&
          spec.bit === undefined &&
          spec.scale === 1 &&
          spec.offset === 0
        ) {
          ints.add(spec.field);
        }
      }
    }
    this.intFields = ints;
  }

  /** Reads every planned request; throws on the first failure (the caller counts it). */
  async poll(timeoutMs: number, now: () => number): Promise<PollOutcome> {
    const fields: Record<string, FieldValue> = {};
    const rejected: PollOutcome['rejected'] = [];
    let time = 0;
    for (const request of this.requests) {
      const result = await this.connection.read(
        this.config.unitId,
        request.area,
        request.address,
        request.count,
        timeoutMs,
      );
      // Timestamp at read time, once per device poll: all fields of one poll share it.
      if (time === 0) time = now();
      for (const { spec, offset } of request.fields) {
        const raw =
          'bits' in result
            ? result.bits[offset] === true
            : decodeRegisters(result.registers, offset, spec);
        const checked = toEngineering(spec, raw);
        if ('reject' in checked) rejected.push({ field: spec.field, reason: checked.reject, raw });
        else fields[spec.field] = checked.value;
      }
    }
    const reading: Reading | undefined =
      Object.keys(fields).length === 0
        ? undefined
        : {
            measurement: this.measurement,
            tags: this.tags,
            fields,
            intFields: this.intFields,
            time,
          };
    return { reading, rejected };
  }
}
