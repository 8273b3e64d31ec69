import { describe, expect, it } from 'vitest';
import {
  aggregateOf,
  dayStartMs,
  daysTouched,
  meanOf,
  mergeAggregates,
  nextDay,
  siteDay,
} from '../../src/service/ledger-data-days.ts';

/* Site days (issue 11 item 3): the calendar of `site.timezone`, and room-day sums that merge. */

const SH = 'Asia/Shanghai';

describe('site days', () => {
  it('puts an instant on the site zone calendar day, not the UTC one', () => {
    // 15:59:59.999Z is 23:59:59.999 in Shanghai; a millisecond later is the next day there.
    expect(siteDay(Date.parse('2026-01-10T15:59:59.999Z'), SH)).toBe('2026-01-10');
    expect(siteDay(Date.parse('2026-01-10T16:00:00.000Z'), SH)).toBe('2026-01-11');
    expect(siteDay(Date.parse('2026-01-10T16:00:00.000Z'), 'UTC')).toBe('2026-01-10');
  });

  it('starts a day at local midnight', () => {
    expect(dayStartMs('2026-01-11', SH)).toBe(Date.parse('2026-01-10T16:00:00Z'));
    expect(dayStartMs('2026-03-01', SH)).toBe(Date.parse('2026-02-28T16:00:00Z'));
  });

  it('handles a zone with daylight saving: 23- and 25-hour days', () => {
    const berlin = 'Europe/Berlin';
    // Spring forward on 2026-03-29, fall back on 2026-10-25.
    const spring = dayStartMs('2026-03-30', berlin) - dayStartMs('2026-03-29', berlin);
    const autumn = dayStartMs('2026-10-26', berlin) - dayStartMs('2026-10-25', berlin);
    expect(spring).toBe(23 * 3_600_000);
    expect(autumn).toBe(25 * 3_600_000);
    expect(siteDay(dayStartMs('2026-10-25', berlin), berlin)).toBe('2026-10-25');
    expect(siteDay(dayStartMs('2026-10-26', berlin) - 1, berlin)).toBe('2026-10-25');
  });

  it('walks days across months and years', () => {
    expect(nextDay('2026-02-28')).toBe('2026-03-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    const from = Date.parse('2026-12-30T20:00:00Z'); // 31 Dec 04:00 in Shanghai
    const to = Date.parse('2027-01-01T17:00:00Z'); // 2 Jan 01:00
    expect(daysTouched(from, to, SH)).toEqual(['2026-12-31', '2027-01-01', '2027-01-02']);
    expect(daysTouched(from, from, SH)).toEqual(['2026-12-31']);
  });
});

describe('room-day aggregates', () => {
  it('merge in any order to the same sums, min and max', () => {
    const samples = [18.4, 17.2, 19.9, 18.1, 16.95].map((t, i) => aggregateOf(t, 1000 * (i + 1)));
    const forward = samples.reduce(mergeAggregates);
    const backward = [...samples].reverse().reduce(mergeAggregates);
    const halves = mergeAggregates(
      samples.slice(0, 2).reduce(mergeAggregates),
      samples.slice(2).reduce(mergeAggregates),
    );
    for (const a of [backward, halves]) {
      expect(meanOf(a)).toBe(meanOf(forward));
      expect([a.samples, a.minC, a.maxC, a.firstMs, a.lastMs]).toEqual([
        5, 16.95, 19.9, 1000, 5000,
      ]);
    }
    expect(meanOf(forward)).toBe(18.11);
  });
});
