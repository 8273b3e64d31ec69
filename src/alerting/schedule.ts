import type { OnCallSchedule } from '../config/schema-alerts.ts';
import { dayOf, dayStartMs, type SeasonSpec, seasonOfDay } from '../service/ledger-calendar.ts';

/**
 * Who is on call at a moment (issue 12 item 4): a rotation of shifts anchored at a day's
 * handover time in `site.timezone`, an off-season stand-in, and overrides (holidays,
 * swaps) that win over both. Pure: time and zone are passed in.
 */

const HOUR = 3_600_000;

/** `2026-12-31` or `2026-12-31T18:00` in the site's zone, as epoch ms. */
export function localToMs(local: string, timeZone: string): number {
  const [day, time] = local.split('T') as [string, string | undefined];
  const [h, m] = (time ?? '00:00').split(':').map(Number) as [number, number];
  return dayStartMs(day, timeZone) + h * HOUR + m * 60_000;
}

export interface Shift {
  person: string;
  from: number;
  to: number;
  why: 'rotation' | 'override' | 'off-season';
}

/**
 * The rotation's shift at `t`. Shifts are counted from the anchor's handover in fixed
 * lengths: exact in zones without daylight saving (China); where the clocks change, a
 * handover moves by that hour until the anchor is set again.
 */
function rotationShift(s: OnCallSchedule, t: number, timeZone: string): Shift {
  const start = localToMs(`${s.anchor}T${s.handoverAt}`, timeZone);
  const len = s.shiftHours * HOUR;
  const index = Math.floor((t - start) / len);
  const n = s.people.length;
  const person = s.people[((index % n) + n) % n]!;
  const from = start + index * len;
  return { person, from, to: from + len, why: 'rotation' };
}

export function shiftAt(s: OnCallSchedule, t: number, timeZone: string, season: SeasonSpec): Shift {
  for (const o of s.overrides) {
    const from = localToMs(o.from, timeZone);
    const to = localToMs(o.to, timeZone);
    if (t >= from && t < to) return { person: o.person, from, to, why: 'override' };
  }
  const shift = rotationShift(s, t, timeZone);
  if (s.outOfSeason && seasonOfDay(dayOf(t, timeZone), season) === null) {
    return { ...shift, person: s.outOfSeason, why: 'off-season' };
  }
  // An override starting inside this shift ends it early for whoever reads `to`.
  const cut = s.overrides
    .map((o) => localToMs(o.from, timeZone))
    .filter((f) => f > t && f < shift.to);
  return cut.length > 0 ? { ...shift, to: Math.min(...cut) } : shift;
}

/** The next `count` handovers after `t` where the person changes. */
export function nextHandovers(
  s: OnCallSchedule,
  t: number,
  timeZone: string,
  season: SeasonSpec,
  count = 3,
): Shift[] {
  const out: Shift[] = [];
  let current = shiftAt(s, t, timeZone, season);
  // Bounded: a rotation of one person never changes hands.
  for (let i = 0; i < 64 && out.length < count; i++) {
    const next = shiftAt(s, current.to, timeZone, season);
    if (next.person !== current.person) out.push(next);
    current = next;
  }
  return out;
}
