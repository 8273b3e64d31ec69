import type { ModbusArea, ModbusDeviceConfig, RegisterField } from '../../config/schema.ts';
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

type PlannedField = PlannedRequest['fields'][number];

function span(f: RegisterField): number {
  return f.area === 'coil' || f.area === 'discrete' ? 1 : registerCount(f.type, f.length);
}

/** A device's own caps where it sets them, the `ingest.modbus.defaults` elsewhere. */
export function limitsFor(
  device: Pick<
    ModbusDeviceConfig,
    'maxRegistersPerRequest' | 'maxBitsPerRequest' | 'maxGapRegisters'
  >,
  defaults: PlanLimits,
): PlanLimits {
  return {
    maxRegistersPerRequest: device.maxRegistersPerRequest ?? defaults.maxRegistersPerRequest,
    maxBitsPerRequest: device.maxBitsPerRequest ?? defaults.maxBitsPerRequest,
    maxGapRegisters: device.maxGapRegisters ?? defaults.maxGapRegisters,
  };
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

/** Fields that share registers (bits of one word, overlapping spans): never read apart. */
interface Cluster {
  start: number;
  end: number;
  fields: PlannedField[];
}

function clusters(request: PlannedRequest): Cluster[] {
  const sorted = [...request.fields].sort((a, b) => a.offset - b.offset);
  const out: Cluster[] = [];
  for (const f of sorted) {
    const end = f.offset + span(f.spec);
    const last = out.at(-1);
    if (last && f.offset < last.end) {
      last.end = Math.max(last.end, end);
      last.fields.push(f);
    } else out.push({ start: f.offset, end, fields: [f] });
  }
  return out;
}

function toRequest(parent: PlannedRequest, part: Cluster[]): PlannedRequest {
  const start = part[0]?.start ?? 0;
  const end = Math.max(...part.map((c) => c.end));
  return {
    area: parent.area,
    address: parent.address + start,
    count: end - start,
    fields: part.flatMap((c) => c.fields.map((f) => ({ spec: f.spec, offset: f.offset - start }))),
  };
}

/**
 * Splits a request a device refused with exception 2 or 3 into two smaller ones,
 * so the registers it does have are still read and the refused ones narrowed down.
 * The cut goes through the widest unmapped gap, since bridged gaps are the usual
 * culprit (Telegraf #14671); with no gap, through the middle. A request whose fields
 * all share registers cannot be split: it comes back alone.
 */
export function splitRequest(request: PlannedRequest): PlannedRequest[] {
  const parts = clusters(request);
  if (parts.length < 2) return [request];
  let cut = Math.ceil(parts.length / 2);
  let widest = 0;
  for (let i = 1; i < parts.length; i++) {
    const gap = parts[i]!.start - parts[i - 1]!.end;
    const nearer = Math.abs(i - parts.length / 2) < Math.abs(cut - parts.length / 2);
    if (gap > widest || (gap === widest && gap > 0 && nearer)) {
      widest = gap;
      cut = i;
    }
  }
  return [toRequest(request, parts.slice(0, cut)), toRequest(request, parts.slice(cut))];
}
