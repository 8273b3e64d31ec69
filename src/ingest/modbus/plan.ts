import type { ModbusArea, RegisterField } from '../../config/schema.ts';
import { registerCount } from './codec.ts';

export interface PlanLimits {
  maxRegistersPerRequest: number;
  maxBitsPerRequest: number;
  /** Unused registers a request may read to join two fields (0 = never bridge a gap). */
  maxGapRegisters: number;
}

export interface PlannedRequest {
  area: ModbusArea;
  address: number;
  count: number;
  /** Each field with its position inside the response. */
  fields: { spec: RegisterField; offset: number }[];
}

function span(f: RegisterField): number {
  return f.area === 'coil' || f.area === 'discrete' ? 1 : registerCount(f.type, f.length);
}

/**
 * Merges fields into as few read requests as the protocol limits allow (125
 * registers, 2,000 bits, or lower caps some devices need). A gap between fields is
 * bridged only up to `maxGapRegisters`, since reading unmapped addresses makes some
 * devices answer exception 2 (Telegraf #14671).
 */
export function planRequests(
  fields: readonly RegisterField[],
  limits: PlanLimits,
): PlannedRequest[] {
  const requests: PlannedRequest[] = [];
  const areas: ModbusArea[] = ['coil', 'discrete', 'holding', 'input'];
  for (const area of areas) {
    const sorted = fields
      .filter((f) => f.area === area)
      .sort((a, b) => a.address - b.address || span(b) - span(a));
    const isBits = area === 'coil' || area === 'discrete';
    const cap = isBits ? limits.maxBitsPerRequest : limits.maxRegistersPerRequest;
    const gap = isBits ? limits.maxGapRegisters * 16 : limits.maxGapRegisters;
    let current: PlannedRequest | undefined;
    for (const spec of sorted) {
      const end = spec.address + span(spec);
      const fits =
        current !== undefined &&
        spec.address <= current.address + current.count + gap &&
        Math.max(end, current.address + current.count) - current.address <= cap;
      if (!fits || !current) {
        current = { area, address: spec.address, count: span(spec), fields: [] };
        requests.push(current);
      }
      current.count = Math.max(current.count, end - current.address);
      current.fields.push({ spec, offset: spec.address - current.address });
    }
  }
  return requests;
}
