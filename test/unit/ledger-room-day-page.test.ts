import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RoomDayPage } from '../../src/ledger/room-day-page.ts';
import type { RoomDayDelta } from '../../src/ledger/room-days-db.ts';
import {
  addSample,
  aggregateOf,
  mergeAggregates,
  type RoomDayAggregate,
} from '../../src/service/ledger-data-days.ts';

/**
 * One day's aggregates laid out as numbers by household slot (issue 14): whatever the order
 * of samples and merged aggregates, over more households than its first allocation holds,
 * it hands out what adding them up as objects gives.
 */

const households = Array.from({ length: 300 }, (_, i) => `H${i}`);

describe('RoomDayPage', () => {
  it('adds samples and aggregates per household, opening each once', () => {
    const page = new RoomDayPage('2026-11-20');
    expect(page.add(7, 20, 1000)).toBe(true);
    expect(page.add(7, 18, 900)).toBe(false);
    expect(
      page.merge(250, { sumC: 40, samples: 2, minC: 19, maxC: 21, firstMs: 5, lastMs: 9 }),
    ).toBe(true);
    expect(
      page.merge(7, { sumC: 25, samples: 1, minC: 25, maxC: 25, firstMs: 1100, lastMs: 1100 }),
    ).toBe(false);
    expect(page.size).toBe(2);
    const out: RoomDayDelta[] = [];
    page.collect(households, out);
    expect(out).toEqual([
      {
        day: '2026-11-20',
        household: 'H7',
        sumC: 63,
        samples: 3,
        minC: 18,
        maxC: 25,
        firstMs: 900,
        lastMs: 1100,
      },
      {
        day: '2026-11-20',
        household: 'H250',
        sumC: 40,
        samples: 2,
        minC: 19,
        maxC: 21,
        firstMs: 5,
        lastMs: 9,
      },
    ]);
  });

  it('keeps every household across its growth (more than its first 64 rows)', () => {
    const page = new RoomDayPage('D');
    for (let slot = households.length - 1; slot >= 0; slot--) page.add(slot, slot, slot);
    for (let slot = 0; slot < households.length; slot++) page.merge(slot, aggregateOf(1, 0));
    const out: RoomDayDelta[] = [];
    page.collect(households, out);
    expect(out).toHaveLength(households.length);
    for (const d of out) {
      const slot = Number(d.household.slice(1));
      expect(d).toEqual({ ...d, sumC: slot + 1, samples: 2, minC: Math.min(slot, 1), firstMs: 0 });
    }
  });

  it('gives what adding up objects gives, in any order, past its first sizes (property)', () => {
    const sample = fc.record({
      slot: fc.integer({ min: 0, max: households.length - 1 }),
      temp: fc.double({ min: -40, max: 60, noNaN: true }),
      at: fc.integer({ min: 0, max: 86_399_999 }),
      merge: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 200, size: 'max' }), (ops) => {
        const page = new RoomDayPage('D');
        const expected = new Map<number, RoomDayAggregate>();
        for (const o of ops) {
          const known = expected.get(o.slot);
          const a = aggregateOf(o.temp, o.at);
          const opened = o.merge ? page.merge(o.slot, a) : page.add(o.slot, o.temp, o.at);
          expect(opened).toBe(known === undefined);
          if (!known) expected.set(o.slot, a);
          else if (o.merge) expected.set(o.slot, mergeAggregates(known, a));
          else addSample(known, o.temp, o.at);
        }
        const out: RoomDayDelta[] = [];
        page.collect(households, out);
        expect(page.size).toBe(expected.size);
        expect(out.map((d) => d.household)).toEqual([...expected.keys()].map((s) => households[s]));
        for (const d of out) {
          const { sumC, ...rest } = expected.get(Number(d.household.slice(1)))!;
          expect({ ...d, sumC: 0 }).toEqual({ ...rest, sumC: 0, day: 'D', household: d.household });
          // Summed in the same order as the objects: the same double, not merely close.
          expect(d.sumC).toBe(sumC);
        }
      }),
      // Long arrays (past 64 households) make each run dearer: fewer of them.
      { numRuns: 40 },
    );
  });
});
