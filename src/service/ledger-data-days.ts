/**
 * The site's calendar days (`YYYY-MM-DD` in `site.timezone`) and the room-day arithmetic the
 * ledger's data rest on (issue 11 item 3). Pure: time comes in as epoch ms.
 *
 * Days are computed with Intl, never with a fixed offset: Asia/Shanghai has no DST today,
 * but a site elsewhere (or a historical date) may, and a day is then 23 or 25 hours long.
 */

import { dayOf, dayStartMs, nextDay } from './ledger-calendar.ts';

// One calendar for the whole ledger: the data side's days are the rules' days.
export { dayStartMs, nextDay };

/** The site day an instant falls on. */
export const siteDay = dayOf;

export interface DayWindow {
  day: string;
  startMs: number;
  /** Exclusive: the next day's start. */
  endMs: number;
}

/**
 * The site day an instant falls on with its bounds, so a caller placing many instants (a
 * stream of readings) can test the bounds instead of asking Intl for each one.
 */
export function dayWindow(ms: number, timeZone: string): DayWindow {
  const day = siteDay(ms, timeZone);
  return { day, startMs: dayStartMs(day, timeZone), endMs: dayStartMs(nextDay(day), timeZone) };
}

/** The calendar day after `day` (zone-free: days are labels). */

/** Every site day an interval [fromMs, toMs] touches, in order. */
export function daysTouched(fromMs: number, toMs: number, timeZone: string): string[] {
  const last = siteDay(Math.max(fromMs, toMs), timeZone);
  const out: string[] = [];
  for (let day = siteDay(fromMs, timeZone); day <= last; day = nextDay(day)) out.push(day);
  return out;
}

/**
 * A household's readings on one day, kept as a sum so partial aggregates merge by adding:
 * the samples a flush writes add to what the store already holds, in any order, which is
 * what lets a late reading update its day and a restart resume without reloading anything.
 * That is why the mean is the sample mean, not time-weighted: sensors report on a fixed
 * period (10 min), so the two agree, and a time-weighted mean would need every reading of
 * the day in order to insert a late one.
 */
export interface RoomDayAggregate {
  sumC: number;
  samples: number;
  minC: number;
  maxC: number;
  firstMs: number;
  lastMs: number;
}

export function aggregateOf(tempC: number, atMs: number): RoomDayAggregate {
  return { sumC: tempC, samples: 1, minC: tempC, maxC: tempC, firstMs: atMs, lastMs: atMs };
}

/** Adds one sample to an aggregate in place (a late reading's day, issue 14). */
export function addSample(a: RoomDayAggregate, tempC: number, atMs: number): void {
  a.sumC += tempC;
  a.samples++;
  if (tempC < a.minC) a.minC = tempC;
  if (tempC > a.maxC) a.maxC = tempC;
  if (atMs < a.firstMs) a.firstMs = atMs;
  if (atMs > a.lastMs) a.lastMs = atMs;
}

/** Adds one aggregate to another (commutative and associative). */
export function mergeAggregates(a: RoomDayAggregate, b: RoomDayAggregate): RoomDayAggregate {
  return {
    sumC: a.sumC + b.sumC,
    samples: a.samples + b.samples,
    minC: Math.min(a.minC, b.minC),
    maxC: Math.max(a.maxC, b.maxC),
    firstMs: Math.min(a.firstMs, b.firstMs),
    lastMs: Math.max(a.lastMs, b.lastMs),
  };
}

/** The day's mean, rounded to 0.01 °C so a sum merged in another order gives the same figure. */
export function meanOf(a: Pick<RoomDayAggregate, 'sumC' | 'samples'>): number {
  return Math.round((a.sumC / a.samples) * 100) / 100;
}
