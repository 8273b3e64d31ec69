import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RegisterField } from '../../src/config/schema.ts';
import {
  limitsFor,
  type PlannedRequest,
  planRequests,
  splitRequest,
} from '../../src/ingest/modbus/plan.ts';
import { field, fieldsArb, LIMITS, limitsArb, shape, spanOf } from './modbus-plan-fields.ts';

/** Splitting a request a device refused (exception 2/3), and per-device caps. */

describe('limitsFor', () => {
  it("takes a device's own caps over the defaults, each on its own", () => {
    expect(limitsFor({}, LIMITS)).toEqual(LIMITS);
    expect(limitsFor({ maxRegistersPerRequest: 16, maxGapRegisters: 0 }, LIMITS)).toEqual({
      maxRegistersPerRequest: 16,
      maxBitsPerRequest: 2000,
      maxGapRegisters: 0,
    });
    expect(limitsFor({ maxBitsPerRequest: 64 }, LIMITS).maxBitsPerRequest).toBe(64);
  });

  it("plans every field exactly once within the device's effective caps", () => {
    const override = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const caseArb = fc
      .record({
        defaults: limitsArb,
        device: fc.record({
          maxRegistersPerRequest: override(fc.integer({ min: 4, max: 125 })),
          maxBitsPerRequest: override(fc.integer({ min: 1, max: 2000 })),
          maxGapRegisters: override(fc.integer({ min: 0, max: 20 })),
        }),
      })
      .chain(({ defaults, device }) => {
        const limits = limitsFor(device, defaults);
        return fieldsArb(limits.maxRegistersPerRequest).map((fields) => ({ limits, fields }));
      });
    fc.assert(
      fc.property(caseArb, ({ limits, fields }) => {
        const plan = planRequests(fields, limits);
        const names = plan.flatMap((r) => r.fields.map((f) => f.spec.field)).sort();
        expect(names).toEqual(fields.map((f) => f.field).sort());
        for (const r of plan) {
          const bits = r.area === 'coil' || r.area === 'discrete';
          expect(r.count).toBeLessThanOrEqual(
            bits ? limits.maxBitsPerRequest : limits.maxRegistersPerRequest,
          );
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('splitRequest', () => {
  const merged = (fields: RegisterField[], gap = 8) =>
    planRequests(fields, { ...LIMITS, maxGapRegisters: gap })[0]!;

  it('cuts through the widest bridged gap, the usual unmapped culprit', () => {
    const r = merged([
      field('a', 'holding', 0, 'uint16'),
      field('b', 'holding', 1, 'uint16'),
      field('c', 'holding', 3, 'uint16'),
      field('d', 'holding', 9, 'float32'),
    ]);
    expect(shape([r])).toEqual(['holding 0+11: a@0 b@1 c@3 d@9']);
    expect(shape(splitRequest(r))).toEqual(['holding 0+4: a@0 b@1 c@3', 'holding 9+2: d@0']);
  });

  it('halves a request without gaps', () => {
    const r = merged([0, 1, 2, 3, 4].map((a) => field(`f${a}`, 'input', a, 'uint16')));
    expect(shape(splitRequest(r))).toEqual(['input 0+3: f0@0 f1@1 f2@2', 'input 3+2: f3@0 f4@1']);
  });

  it('never separates fields that share registers; a single cluster comes back alone', () => {
    const bits = merged([
      field('alarm', 'input', 30, 'bool', { bit: 0 }),
      field('low', 'input', 30, 'bool', { bit: 1 }),
    ]);
    expect(splitRequest(bits)).toEqual([bits]);
    const overlapping = merged([
      field('whole', 'holding', 10, 'uint32'),
      field('hi', 'holding', 10, 'uint16'),
      field('lo', 'holding', 11, 'uint16'),
      field('next', 'holding', 12, 'uint16'),
    ]);
    expect(shape(splitRequest(overlapping))).toEqual([
      'holding 10+2: whole@0 hi@0 lo@1',
      'holding 12+1: next@0',
    ]);
  });

  it('splits coils too, keeping bit offsets', () => {
    const r = merged([field('a', 'coil', 0, 'bool'), field('b', 'coil', 40, 'bool')], 4);
    expect(shape(splitRequest(r))).toEqual(['coil 0+1: a@0', 'coil 40+1: b@0']);
  });
});

/** Splits a request down to parts that cannot be split further, as repeated refusals would. */
function splitFully(r: PlannedRequest): PlannedRequest[] {
  const parts = splitRequest(r);
  if (parts.length === 1) {
    expect(parts[0]).toBe(r);
    return parts;
  }
  expect(parts).toHaveLength(2);
  return parts.flatMap(splitFully);
}

describe('splitRequest properties', () => {
  const planArb = limitsArb.chain((limits) =>
    fieldsArb(limits.maxRegistersPerRequest).map((fields) => ({ limits, fields })),
  );

  it('never loses or duplicates a field, and each part stays inside its parent', () => {
    fc.assert(
      fc.property(planArb, ({ limits, fields }) => {
        for (const request of planRequests(fields, limits)) {
          const parts = splitRequest(request);
          const names = (rs: PlannedRequest[]) =>
            rs.flatMap((r) => r.fields.map((f) => f.spec.field)).sort();
          expect(names(parts)).toEqual(names([request]));
          for (const part of parts) {
            expect(part.area).toBe(request.area);
            expect(part.address).toBeGreaterThanOrEqual(request.address);
            expect(part.address + part.count).toBeLessThanOrEqual(request.address + request.count);
            if (parts.length > 1) expect(part.count).toBeLessThan(request.count);
            for (const { spec, offset } of part.fields) {
              expect(part.address + offset).toBe(spec.address);
              expect(offset + spanOf(spec)).toBeLessThanOrEqual(part.count);
            }
          }
          if (parts.length === 2) {
            const [a, b] = parts as [PlannedRequest, PlannedRequest];
            expect(a.address + a.count).toBeLessThanOrEqual(b.address); // no register read twice
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('split down to the end, still covers every field exactly once; no part can be split more', () => {
    fc.assert(
      fc.property(planArb, ({ limits, fields }) => {
        const leaves = planRequests(fields, limits).flatMap(splitFully);
        const seen = leaves.flatMap((r) => r.fields.map((f) => f.spec.field));
        expect(seen.sort()).toEqual(fields.map((f) => f.field).sort());
        for (const leaf of leaves) {
          // A leaf is one cluster: its fields overlap one another end to end.
          const sorted = [...leaf.fields].sort((x, y) => x.offset - y.offset);
          let end = 0;
          for (const { spec, offset } of sorted) {
            if (end > 0) expect(offset).toBeLessThan(end);
            end = Math.max(end, offset + spanOf(spec));
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
