/**
 * The ledger's calendar (issue 11): site days (`YYYY-MM-DD` in `site.timezone`) and the
 * heating season (`site.heatingSeason`, month-days such as 11-01 … 03-31). Pure: the
 * time zone arithmetic goes through Intl, which reads no clock.
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
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

/** How far the zone's wall clock is ahead of UTC at `ms`. */
function offsetMs(ms: number, timeZone: string): number {
  const p = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(ms)
      .map((x) => [x.type, x.value]),
  );
  const wall = Date.UTC(
    +p['year']!,
    +p['month']! - 1,
    +p['day']!,
    +p['hour']!,
    +p['minute']!,
    +p['second']!,
  );
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The site day `ms` falls on. */
export function dayOf(ms: number, timeZone: string): string {
  return new Date(ms + offsetMs(ms, timeZone)).toISOString().slice(0, 10);
}

/** Day starts already worked out: the nightly job asks for the same day 250 000 times. */
const starts = new Map<string, number>();

/** When a site day starts (local midnight), as epoch ms. */
export function dayStartMs(day: string, timeZone: string): number {
  const key = `${timeZone}|${day}`;
  let found = starts.get(key);
  if (found === undefined) {
    found = computeDayStart(day, timeZone);
    // A cache of a pure function: bounded so a long-running service does not grow it forever.
    if (starts.size > 10_000) starts.clear();
    starts.set(key, found);
  }
  return found;
}

function computeDayStart(day: string, timeZone: string): number {
  const asUtc = Date.parse(`${day}T00:00:00Z`);
  // Two passes settle a day whose offset differs from the previous evening's (DST).
  const first = asUtc - offsetMs(asUtc, timeZone);
  return asUtc - offsetMs(first, timeZone);
}

export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

export interface Season {
  /** `2026-2027`: the year it starts and the year it ends. */
  id: string;
  firstDay: string;
  lastDay: string;
  days: number;
}

export interface SeasonSpec {
  start: string;
  end: string;
}

/** The season starting in `year` (11-01 … 03-31 ends the next year). */
export function seasonOf(year: number, spec: SeasonSpec): Season {
  const endYear = spec.end < spec.start ? year + 1 : year;
  const firstDay = `${year}-${spec.start}`;
  const lastDay = `${endYear}-${spec.end}`;
  const days =
    (Date.parse(`${lastDay}T00:00:00Z`) - Date.parse(`${firstDay}T00:00:00Z`)) / DAY_MS + 1;
  return { id: `${year}-${endYear}`, firstDay, lastDay, days };
}

/** The season a site day belongs to, or null outside every season. */
export function seasonOfDay(day: string, spec: SeasonSpec): Season | null {
  const year = Number(day.slice(0, 4));
  for (const s of [seasonOf(year, spec), seasonOf(year - 1, spec)]) {
    if (day >= s.firstDay && day <= s.lastDay) return s;
  }
  return null;
}

/** `2026-2027` → the season; null when the id does not name one. */
export function seasonById(id: string, spec: SeasonSpec): Season | null {
  const m = /^(\d{4})-(\d{4})$/.exec(id);
  if (!m) return null;
  const s = seasonOf(Number(m[1]), spec);
  return s.id === id ? s : null;
}

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = nextDay(d)) out.push(d);
  return out;
}
