import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRequests } from '../../src/ingest/modbus/plan.ts';
import {
  field,
  fieldsArb,
  isBitArea,
  LIMITS,
  limitsArb,
  shape,
  spanOf,
} from './modbus-plan-fields.ts';

describe('planRequests', () => {
  it('plans nothing for no fields', () => {
    expect(planRequests([], LIMITS)).toEqual([]);
  });

  it('merges adjacent fields into one request with the right offsets', () => {
    const plan = planRequests(
      [
        field('c', 'holding', 3, 'int32'),
        field('a', 'holding', 0, 'float32'),
        field('b', 'holding', 2, 'uint16'),
      ],
      LIMITS,
    );
    expect(shape(plan)).toEqual(['holding 0+5: a@0 b@2 c@3']);
  });

  it('bridges a gap of exactly maxGapRegisters, not one more', () => {
    const fields = [field('a', 'holding', 10, 'uint16'), field('b', 'holding', 15, 'uint16')];
    // 11..14 unused: a gap of 4 registers.
    expect(shape(planRequests(fields, { ...LIMITS, maxGapRegisters: 4 }))).toEqual([
      'holding 10+6: a@0 b@5',
    ]);
    expect(shape(planRequests(fields, { ...LIMITS, maxGapRegisters: 3 }))).toEqual([
      'holding 10+1: a@0',
      'holding 15+1: b@0',
    ]);
  });

  it('with maxGapRegisters 0 still merges touching fields', () => {
    const fields = [
      field('a', 'input', 0, 'uint16'),
      field('b', 'input', 1, 'uint16'),
      field('c', 'input', 3, 'uint16'),
    ];
    expect(shape(planRequests(fields, { ...LIMITS, maxGapRegisters: 0 }))).toEqual([
      'input 0+2: a@0 b@1',
      'input 3+1: c@0',
    ]);
  });

  it('splits at the 125-register cap', () => {
    const fields = Array.from({ length: 130 }, (_, i) => field(`f${i}`, 'holding', i, 'uint16'));
    const plan = planRequests(fields, LIMITS);
    expect(plan.map((r) => [r.address, r.count, r.fields.length])).toEqual([
      [0, 125, 125],
      [125, 5, 5],
    ]);
    expect(plan[1]?.fields[0]).toMatchObject({ offset: 0, spec: { field: 'f125' } });
  });

  it('does not let a multi-register field straddle the cap', () => {
    // float32 at 124 would end at 126: it starts a new request instead.
    const fields = [field('first', 'holding', 0, 'uint16'), field('f', 'holding', 124, 'float32')];
    expect(shape(planRequests(fields, LIMITS))).toEqual([
      'holding 0+1: first@0',
      'holding 124+2: f@0',
    ]);
    const withGap = planRequests(fields, { ...LIMITS, maxGapRegisters: 124 });
    expect(shape(withGap)).toEqual(['holding 0+1: first@0', 'holding 124+2: f@0']);
    // One register lower it fits exactly.
    const fits = [field('first', 'holding', 0, 'uint16'), field('f', 'holding', 123, 'float32')];
    expect(shape(planRequests(fits, { ...LIMITS, maxGapRegisters: 124 }))).toEqual([
      'holding 0+125: first@0 f@123',
    ]);
  });

  it('honours a lower per-device register cap', () => {
    const fields = Array.from({ length: 6 }, (_, i) => field(`f${i}`, 'input', i * 2, 'int32'));
    const plan = planRequests(fields, { ...LIMITS, maxRegistersPerRequest: 4 });
    expect(shape(plan)).toEqual([
      'input 0+4: f0@0 f1@2',
      'input 4+4: f2@0 f3@2',
      'input 8+4: f4@0 f5@2',
    ]);
  });

  it('counts a 64-bit field as 4 registers and a string by its length', () => {
    const plan = planRequests(
      [
        field('energy', 'holding', 20, 'uint64'),
        field('after', 'holding', 24, 'uint16'),
        field('model', 'holding', 40, 'string', { length: 6 }),
        field('tail', 'holding', 46, 'uint16'),
      ],
      { ...LIMITS, maxGapRegisters: 0 },
    );
    expect(shape(plan)).toEqual(['holding 20+5: energy@0 after@4', 'holding 40+7: model@0 tail@6']);
    expect(planRequests([field('d', 'input', 7, 'float64')], LIMITS)[0]?.count).toBe(4);
  });

  it('plans coils and discrete inputs separately from registers at the same addresses', () => {
    const plan = planRequests(
      [
        field('reg', 'holding', 0, 'uint16'),
        field('run', 'coil', 0, 'bool'),
        field('alarm', 'discrete', 0, 'bool'),
        field('inp', 'input', 0, 'uint16'),
        field('run2', 'coil', 1, 'bool'),
      ],
      LIMITS,
    );
    expect(shape(plan)).toEqual([
      'coil 0+2: run@0 run2@1',
      'discrete 0+1: alarm@0',
      'holding 0+1: reg@0',
      'input 0+1: inp@0',
    ]);
  });

  it('bridges bit gaps in bits (16 per allowed register) and caps bits per request', () => {
    const coils = [field('a', 'coil', 0, 'bool'), field('b', 'coil', 17, 'bool')];
    // 1..16 unused: 16 bits = one register's worth with maxGapRegisters 1.
    expect(shape(planRequests(coils, { ...LIMITS, maxGapRegisters: 1 }))).toEqual([
      'coil 0+18: a@0 b@17',
    ]);
    expect(shape(planRequests(coils, { ...LIMITS, maxGapRegisters: 0 }))).toEqual([
      'coil 0+1: a@0',
      'coil 17+1: b@0',
    ]);
    const many = Array.from({ length: 2001 }, (_, i) => field(`c${i}`, 'coil', i, 'bool'));
    expect(planRequests(many, LIMITS).map((r) => [r.address, r.count])).toEqual([
      [0, 2000],
      [2000, 1],
    ]);
  });

  it('puts bits of one holding register in one request at the same offset', () => {
    const plan = planRequests(
      [
        field('low_pressure', 'input', 30, 'bool', { bit: 1 }),
        field('overtemp', 'input', 30, 'bool', { bit: 0 }),
        field('valve', 'input', 31, 'uint16'),
      ],
      LIMITS,
    );
    expect(plan).toHaveLength(1);
    expect(plan[0]?.count).toBe(2);
    expect(plan[0]?.fields.map((f) => [f.spec.field, f.offset]).sort()).toEqual([
      ['low_pressure', 0],
      ['overtemp', 0],
      ['valve', 1],
    ]);
  });
});

describe('planRequests properties', () => {
  it('covers every field exactly once, in its area, inside its request, within the cap', () => {
    fc.assert(
      fc.property(
        limitsArb.chain((limits) =>
          fieldsArb(limits.maxRegistersPerRequest).map((fields) => ({ limits, fields })),
        ),
        ({ limits, fields }) => {
          const plan = planRequests(fields, limits);
          const seen = new Map<string, number>();
          for (const r of plan) {
            const cap = isBitArea(r.area)
              ? limits.maxBitsPerRequest
              : limits.maxRegistersPerRequest;
            expect(r.count).toBeGreaterThanOrEqual(1);
            expect(r.count).toBeLessThanOrEqual(cap);
            for (const { spec, offset } of r.fields) {
              seen.set(spec.field, (seen.get(spec.field) ?? 0) + 1);
              expect(spec.area).toBe(r.area);
              expect(offset).toBeGreaterThanOrEqual(0);
              expect(r.address + offset).toBe(spec.address);
              expect(offset + spanOf(spec)).toBeLessThanOrEqual(r.count);
            }
            // No register is read beyond the last field: the request ends where a field ends.
            const ends = r.fields.map(({ spec, offset }) => offset + spanOf(spec));
            expect(Math.max(...ends)).toBe(r.count);
          }
          expect(seen.size).toBe(fields.length);
          for (const n of seen.values()) expect(n).toBe(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never bridges more than maxGapRegisters and never leaves two mergeable requests apart', () => {
    fc.assert(
      fc.property(
        limitsArb.chain((limits) =>
          fieldsArb(limits.maxRegistersPerRequest).map((fields) => ({ limits, fields })),
        ),
        ({ limits, fields }) => {
          const plan = planRequests(fields, limits);
          for (const r of plan) {
            const gap = isBitArea(r.area) ? limits.maxGapRegisters * 16 : limits.maxGapRegisters;
            const sorted = [...r.fields].sort((a, b) => a.offset - b.offset);
            let end = 0;
            for (const { spec, offset } of sorted) {
              expect(offset - end).toBeLessThanOrEqual(gap);
              end = Math.max(end, offset + spanOf(spec));
            }
          }
          // Greedy: a request starts only where its first field could not join the previous one.
          for (let i = 1; i < plan.length; i++) {
            const prev = plan[i - 1]!;
            const cur = plan[i]!;
            if (prev.area !== cur.area) continue;
            const cap = isBitArea(cur.area)
              ? limits.maxBitsPerRequest
              : limits.maxRegistersPerRequest;
            const gap = isBitArea(cur.area) ? limits.maxGapRegisters * 16 : limits.maxGapRegisters;
            const firstSpan = Math.max(
              ...cur.fields.filter((f) => f.offset === 0).map((f) => spanOf(f.spec)),
            );
            const tooFar = cur.address > prev.address + prev.count + gap;
            const tooBig =
              Math.max(cur.address + firstSpan, prev.address + prev.count) - prev.address > cap;
            expect(tooFar || tooBig).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
