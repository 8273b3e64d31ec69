/**
 * The site's calendar days (`YYYY-MM-DD` in `site.timezone`) and the room-day arithmetic the
 * ledger's data rest on (issue 11 item 3). Pure: time comes in as epoch ms.
 *
 * Days are computed with Intl, never with a fixed offset: Asia/Shanghai has no DST today,
 * but a site elsewhere (or a historical date) may, and a day is then 23 or 25 hours long.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function wallParts(ms: number, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(ms)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return out;
}

/** The site day an instant falls on. */
export function siteDay(ms: number, timeZone: string): string {
  const p = wallParts(ms, timeZone);
  return `${p['year']}-${pad(p['month']!)}-${pad(p['day']!)}`;
}

/** How far the zone's wall clock is ahead of UTC at an instant, ms. */
function offsetMs(ms: number, timeZone: string): number {
  const p = wallParts(ms, timeZone);
  const wall = Date.UTC(
    p['year']!,
    p['month']! - 1,
    p['day']!,
    p['hour'],
    p['minute'],
    p['second'],
  );
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The first instant of a site day (local midnight). */
export function dayStartMs(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const wallMidnight = Date.UTC(y, m - 1, d);
  // The offset at midnight may differ from the one a guess lands on (a DST change that
  // day): correct once with the offset found at the first guess.
  const guess = wallMidnight - offsetMs(wallMidnight, timeZone);
  return wallMidnight - offsetMs(guess, timeZone);
}

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
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** Every site day an interval [fromMs, toMs] touches, in order. */
export function daysTouched(fromMs: number, toMs: number, timeZone: string): string[] {
  const last = siteDay(Math.max(fromMs, toMs), timeZone);
  const out: string[] = [];
  for (let day = siteDay(fromMs, timeZone); day <= last; day = nextDay(day)) out.push(day);
  return out;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
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
