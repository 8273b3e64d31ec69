import fc from 'fast-check';
import type { ModbusArea, ModbusType, RegisterField } from '../../src/config/schema.ts';
import type { PlanLimits, PlannedRequest } from '../../src/ingest/modbus/plan.ts';

/** Fields, limits and arbitraries shared by the request-planning tests. */

/** Registers per type, written out here rather than taken from the code under test. */
export const WIDTH: Record<Exclude<ModbusType, 'string'>, number> = {
  bool: 1,
  int16: 1,
  uint16: 1,
  int32: 2,
  uint32: 2,
  float32: 2,
  int64: 4,
  uint64: 4,
  float64: 4,
};

export function spanOf(f: RegisterField): number {
  if (f.area === 'coil' || f.area === 'discrete') return 1;
  if (f.type === 'string') return f.length ?? 1;
  return WIDTH[f.type];
}

export const isBitArea = (a: ModbusArea) => a === 'coil' || a === 'discrete';

export function field(
  name: string,
  area: ModbusArea,
  address: number,
  type: ModbusType,
  extra: Partial<RegisterField> = {},
): RegisterField {
  return {
    field: name,
    area,
    address,
    type,
    order: 'ABCD',
    scale: 1,
    offset: 0,
    sentinels: true,
    writable: false,
    ...extra,
  };
}

export const LIMITS: PlanLimits = {
  maxRegistersPerRequest: 125,
  maxBitsPerRequest: 2000,
  maxGapRegisters: 8,
};

/** A compact view: area, address, count and each field's name@offset. */
export function shape(requests: PlannedRequest[]): string[] {
  return requests.map(
    (r) =>
      `${r.area} ${r.address}+${r.count}: ${r.fields.map((f) => `${f.spec.field}@${f.offset}`).join(' ')}`,
  );
}

/** Random register maps with valid, in-range fields (overlaps allowed, as bits share words). */
export const typeArb = fc.constantFrom<ModbusType>(
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
  'string',
  'bool',
);

export function fieldsArb(maxSpan: number): fc.Arbitrary<RegisterField[]> {
  const one = fc
    .record({
      area: fc.constantFrom<ModbusArea>('coil', 'discrete', 'holding', 'input'),
      type: typeArb,
      length: fc.integer({ min: 1, max: maxSpan }),
      address: fc.integer({ min: 0, max: 400 }),
    })
    .map(({ area, type, length, address }): RegisterField => {
      if (isBitArea(area)) return field('x', area, address, 'bool');
      return field('x', area, address, type, type === 'string' ? { length } : {});
    })
    .filter((f) => spanOf(f) <= maxSpan);
  return fc.array(one, { maxLength: 60 }).map((fs) => fs.map((f, i) => ({ ...f, field: `f${i}` })));
}

export const limitsArb = fc.record({
  maxRegistersPerRequest: fc.integer({ min: 4, max: 125 }),
  maxBitsPerRequest: fc.integer({ min: 1, max: 2000 }),
  maxGapRegisters: fc.integer({ min: 0, max: 20 }),
});
