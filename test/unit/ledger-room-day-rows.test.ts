import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RoomDayRows } from '../../src/ledger/room-day-rows.ts';
import type { RoomDayDelta } from '../../src/ledger/room-days-db.ts';
import { mergeAggregates } from '../../src/service/ledger-data-days.ts';

/**
 * The room days' in-memory rows (issue 14): one row of numbers per household for its current
 * day, other days aside. Whatever the order of days, flushes and failed flushes put back,
 * what they hand out adds up to the plain sum per household and day.
 */

const DAY = 86_400_000;
const label = (start: number) => `D${start / DAY}`;

function sumUp(deltas: readonly RoomDayDelta[]): Map<string, RoomDayDelta> {
  const out = new Map<string, RoomDayDelta>();
  for (const d of deltas) {
    const key = `${d.household}/${d.day}`;
    const known = out.get(key);
    out.set(key, known ? { ...mergeAggregates(known, d), day: d.day, household: d.household } : d);
  }
  return out;
}

describe('RoomDayRows', () => {
  it('keeps a day per row, moves on with the newest day and keeps late days aside', () => {
    const rows = new RoomDayRows();
    expect(rows.add('H1', 20, 1 * DAY + 5, DAY, 'D1')).toBe(true);
    expect(rows.add('H1', 20, 1 * DAY + 5, DAY, 'D1')).toBe(false); // redelivered
    rows.add('H1', 22, 1 * DAY + 9, DAY, 'D1');
    rows.add('H1', 18, 2 * DAY + 1, 2 * DAY, 'D2'); // a new day: the row moves on
    rows.add('H1', 30, 1 * DAY + 2, DAY, 'D1'); // late
    rows.add('H2', 19, 2 * DAY + 3, 2 * DAY, 'D2');
    expect(rows.size).toBe(3);
    const taken = sumUp(rows.takeAll());
    expect(rows.size).toBe(0);
    expect(taken.get('H1/D1')).toEqual({
      day: 'D1',
      household: 'H1',
      sumC: 72,
      samples: 3,
      minC: 20,
      maxC: 30,
      firstMs: DAY + 2,
      lastMs: DAY + 9,
    });
    expect(taken.get('H1/D2')?.samples).toBe(1);
    expect(taken.get('H2/D2')?.sumC).toBe(19);
    // The last sample's time outlives the flush.
    expect(rows.add('H2', 19, 2 * DAY + 3, 2 * DAY, 'D2')).toBe(false);
  });

  it('adds up to the plain sum per household and day, through failed flushes (property)', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('add' as const),
        household: fc.constantFrom('H1', 'H2', 'H3'),
        day: fc.integer({ min: 1, max: 4 }),
        offset: fc.integer({ min: 0, max: 5 }),
        temp: fc.integer({ min: 10, max: 30 }),
      }),
      fc.record({ kind: fc.constantFrom('flush' as const, 'fail' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const rows = new RoomDayRows();
        const flushed: RoomDayDelta[] = [];
        const expected: RoomDayDelta[] = [];
        const lastAt = new Map<string, number>();
        for (const o of ops) {
          if (o.kind !== 'add') {
            if (o.kind === 'flush') flushed.push(...rows.takeAll());
            else rows.putBack(rows.takeAll());
          } else {
            const at = o.day * DAY + o.offset;
            const counted = rows.add(o.household, o.temp, at, o.day * DAY, label(o.day * DAY));
            expect(counted).toBe(lastAt.get(o.household) !== at);
            lastAt.set(o.household, at);
            if (!counted) continue;
            const t = o.temp;
            expected.push({
              day: label(o.day * DAY),
              household: o.household,
              sumC: t,
              samples: 1,
              minC: t,
              maxC: t,
              firstMs: at,
              lastMs: at,
            });
          }
        }
        const pending = rows.size;
        const rest = rows.takeAll();
        expect(rest.length).toBe(pending);
        expect(sumUp([...flushed, ...rest])).toEqual(sumUp(expected));
      }),
      { numRuns: 500 },
    );
  });

  it('sums a backfill into rows that hold a newer day, and never changes what it handed out', () => {
    // A running service (rows on D9) takes a gateway's buffer of days 1–2 (issue 14).
    const rows = new RoomDayRows();
    rows.add('H1', 20, 9 * DAY, 9 * DAY, 'D9');
    rows.add('H2', 20, 9 * DAY, 9 * DAY, 'D9');
    for (let k = 0; k < 4; k++) {
      rows.add('H1', 10 + k, DAY + k, DAY, 'D1');
      rows.add('H2', 30 - k, 2 * DAY + k, 2 * DAY, 'D2');
    }
    expect(rows.size).toBe(4);
    const failed = rows.takeAll();
    const before = JSON.stringify(failed);
    rows.putBack(failed);
    rows.add('H1', 5, DAY + 9, DAY, 'D1');
    expect(JSON.stringify(failed)).toBe(before);
    const taken = sumUp(rows.takeAll());
    expect(taken.get('H1/D1')).toEqual({
      day: 'D1',
      household: 'H1',
      sumC: 51,
      samples: 5,
      minC: 5,
      maxC: 13,
      firstMs: DAY,
      lastMs: DAY + 9,
    });
    expect(taken.get('H2/D2')).toMatchObject({ sumC: 114, samples: 4, minC: 27, maxC: 30 });
    expect(taken.get('H1/D9')?.samples).toBe(1);
  });

  it('grows past its first thousand households', () => {
    const rows = new RoomDayRows();
    for (let i = 0; i < 5000; i++) rows.add(`H${i}`, i, DAY, DAY, 'D1');
    const taken = rows.takeAll();
    expect(taken).toHaveLength(5000);
    expect(taken[4999]).toMatchObject({ household: 'H4999', sumC: 4999, samples: 1 });
  });
});
