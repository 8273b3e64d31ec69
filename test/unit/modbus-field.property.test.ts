import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeValue } from '../../simulators/modbus/encode.ts';
import {
  BYTE_ORDERS,
  type ByteOrder,
  MODBUS_TYPES,
  type ModbusDeviceConfig,
  type ModbusType,
  type RegisterField,
} from '../../src/config/schema.ts';
import type { FieldValue } from '../../src/core/reading.ts';
import { decodeRegisters } from '../../src/ingest/modbus/codec.ts';
import type { ModbusConnection } from '../../src/ingest/modbus/connection.ts';
import { ModbusDevice, toEngineering } from '../../src/ingest/modbus/device.ts';
import { planRequests } from '../../src/ingest/modbus/plan.ts';
import { WIDTH } from './modbus-plan-fields.ts';

/**
 * Issue 15, fuzzing: a device (or a man in the middle) can put anything in its registers.
 * modbus-codec.property.test.ts proves the decoder's types and round trips; here hostile
 * register contents go through the whole field path (decode → scale/offset → range →
 * sentinels → the Reading a poll emits) for every type × byte order × scaling the config
 * schema allows, and nothing non-finite or out of its declared range may come out.
 */

/** Words that mean something to a decoder: sentinels, NaN/Inf halves, extremes, denormals. */
const SPECIAL_WORDS = [
  0x0000, 0x0001, 0x7fff, 0x8000, 0x8001, 0xffff, 0xfffe, 0x7f80, 0xff80, 0x7fc0, 0xffc0, 0x7f7f,
  0xff7f, 0x7ff0, 0xfff0, 0x7ff8, 0xfff8, 0x7fef, 0xffef, 0x0080, 0x8080, 0x2020,
];
const wordArb = fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(...SPECIAL_WORDS));

/** Finite doubles including the huge and tiny ones that overflow or underflow when combined. */
const finiteArb = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(1e308, -1e308, 1e-308, 5e-324, 2 ** 53, 0.1, -40, 273.15),
);
const scaleArb = finiteArb.filter((s) => s !== 0); // the config check refuses 0
const rangeArb = fc
  .tuple(finiteArb, finiteArb)
  .filter(([a, b]) => a < b) // the config check refuses low ≥ high
  .map(([a, b]) => [a, b] as [number, number]);

function needs(spec: RegisterField): number {
  return spec.type === 'string' ? (spec.length ?? 1) : WIDTH[spec.type];
}

/** Any field the config accepts (crosscheck: bits on 16-bit types, strings unscaled). */
const fieldArb: fc.Arbitrary<RegisterField> = fc
  .record({
    type: fc.constantFrom<ModbusType>(...MODBUS_TYPES),
    order: fc.constantFrom<ByteOrder>(...BYTE_ORDERS),
    bit: fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }),
    length: fc.integer({ min: 1, max: 8 }),
    scale: fc.oneof(fc.constant(1), scaleArb),
    offset: fc.oneof(fc.constant(0), finiteArb),
    range: fc.option(rangeArb, { nil: undefined }),
    sentinels: fc.boolean(),
  })
  .map(({ type, bit, length, scale, offset, range, ...rest }) => {
    const sixteen = type === 'bool' || type === 'int16' || type === 'uint16';
    const text = type === 'string';
    return {
      field: 'x',
      area: 'holding',
      address: 0,
      type,
      ...rest,
      ...(sixteen && bit !== undefined ? { bit } : {}),
      ...(text ? { length } : {}),
      scale: text ? 1 : scale,
      offset: text ? 0 : offset,
      ...(text || range === undefined ? {} : { range }),
      writable: false,
    } satisfies RegisterField;
  });

/** What may be emitted for `spec`: a finite number inside its range, or a bool/string. */
function isSound(spec: RegisterField, value: FieldValue): boolean {
  if (typeof value !== 'number') return true;
  if (!Number.isFinite(value)) return false;
  return !spec.range || (value >= spec.range[0] && value <= spec.range[1]);
}

function expectSound(spec: RegisterField, value: FieldValue): void {
  expect(
    isSound(spec, value),
    `${spec.type} ${spec.order} ${JSON.stringify(spec)} → ${value}`,
  ).toBe(true);
}

describe('hostile registers through decode, scaling and checks', () => {
  it('never throws and never yields a non-finite or out-of-range value', () => {
    const caseArb = fieldArb.chain((spec) =>
      fc.tuple(fc.constant(spec), fc.array(wordArb, { minLength: needs(spec), maxLength: 8 })),
    );
    fc.assert(
      fc.property(caseArb, ([spec, words]) => {
        const checked = toEngineering(spec, decodeRegisters(words, 0, spec));
        if ('value' in checked) expectSound(spec, checked.value);
        else expect(['sentinel', 'range']).toContain(checked.reject);
      }),
      { numRuns: 3000 },
    );
  });

  it('holds for every 16-bit word, type and byte order', () => {
    const specs: Partial<RegisterField>[] = [
      { scale: 0.1, offset: -40, range: [-30, 130], sentinels: false },
      { scale: 1e308, offset: -1e308, sentinels: false }, // overflows for most words
    ];
    const unsound: string[] = [];
    for (const type of ['bool', 'int16', 'uint16'] as const) {
      for (const order of BYTE_ORDERS) {
        for (const extra of specs) {
          const spec = {
            field: 'x',
            area: 'holding',
            address: 0,
            type,
            order,
            writable: false,
            ...extra,
          } as RegisterField;
          for (let w = 0; w <= 0xffff; w++) {
            const checked = toEngineering(spec, decodeRegisters([w], 0, spec));
            if ('value' in checked && !isSound(spec, checked.value)) {
              unsound.push(`${type} ${order} ${JSON.stringify(extra)} 0x${w.toString(16)}`);
            }
          }
        }
      }
    }
    expect(unsound.slice(0, 5)).toEqual([]);
    // Measured: 2–4 s here under load (3 × 4 × 2 × 65,536 words).
  }, 60_000);

  it('rejects NaN and ±Inf in every float order, sentinels on or off, however scaled', () => {
    const hostile = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (const type of ['float32', 'float64'] as const) {
      for (const order of BYTE_ORDERS) {
        for (const sentinels of [true, false]) {
          for (const v of hostile) {
            const spec = {
              ...{ field: 'x', area: 'holding', address: 0, writable: false },
              ...{ type, order, sentinels, scale: 0.1, offset: 5, range: [-1e9, 1e9] },
            } as RegisterField;
            // The device's own byte layout of the value, as the simulator writes it.
            const raw = decodeRegisters(encodeValue(type, order, v), 0, spec);
            expect(Number.isFinite(raw)).toBe(false);
            expect(toEngineering(spec, raw)).toEqual({ reject: 'sentinel' });
          }
        }
      }
    }
  });
});

describe('a poll of hostile registers emits only sound readings', () => {
  const device: ModbusDeviceConfig = {
    id: 'S01-plc',
    substation: 'S01',
    kind: 'substation',
    url: 'tcp://127.0.0.1:1',
    unitId: 1,
    map: 'm',
    enabled: true,
  } as ModbusDeviceConfig;

  it('holds for any map of fields and any register contents', async () => {
    const mapArb = fc.array(fieldArb, { minLength: 1, maxLength: 6 }).map((fields) => {
      let address = 0;
      return fields.map((f, i) => {
        const placed = { ...f, field: `f${i}`, address };
        address += needs(placed);
        return placed;
      });
    });
    await fc.assert(
      fc.asyncProperty(
        mapArb,
        fc.array(wordArb, { minLength: 64, maxLength: 64 }),
        async (fields, words) => {
          const requests = planRequests(fields, {
            maxRegistersPerRequest: 125,
            maxBitsPerRequest: 2000,
            maxGapRegisters: 0,
          });
          const connection = {
            read: async (_u: number, _a: string, address: number, count: number) => ({
              registers: words.slice(address, address + count),
            }),
          } as unknown as ModbusConnection;
          const outcome = await new ModbusDevice(device, requests, connection, 'P1').poll(
            500,
            () => 1,
          );
          const byName = new Map(fields.map((f) => [f.field, f]));
          for (const [name, value] of Object.entries(outcome.reading?.fields ?? {})) {
            const spec = byName.get(name)!;
            expectSound(spec, value);
            if (outcome.reading?.intFields?.has(name)) expect(Number.isInteger(value)).toBe(true);
          }
          const emitted = Object.keys(outcome.reading?.fields ?? {}).length;
          expect(emitted + outcome.rejected.length).toBe(fields.length);
        },
      ),
      { numRuns: 500 },
    );
  });
});
