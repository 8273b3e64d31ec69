import type { Season } from './ledger-calendar.ts';
import { dayOf, dayStartMs, nextDay } from './ledger-calendar.ts';
import type { HeatStop } from './ledger-inputs.ts';
import {
  DAY_MINUTES,
  FULL_BP,
  type Interval,
  type LedgerDay,
  type LedgerHousehold,
  type LedgerRules,
  MINUTE_MS,
} from './ledger-rules.ts';

/**
 * A household's season (issue 11; regulation art. 19): its stops joined into continuous
 * ones, which stop rules they trigger, the refund, the > 12 h notices, and the
 * below-standard rebate — all from the season's day rows and stops, so recomputing gives
 * the same figures.
 */

/** The stops that cut `household`'s heat, joined when they overlap or are `joinGapMs` apart. */
export function householdStops(
  stops: readonly HeatStop[],
  household: Pick<LedgerHousehold, 'building' | 'substation'>,
  openUntilMs: number,
  joinGapMs: number,
): Interval[] {
  const mine = stops
    .filter((s) =>
      s.level === 'building' ? s.place === household.building : s.place === household.substation,
    )
    .map((s) => ({ fromMs: s.fromMs, untilMs: s.untilMs ?? Math.max(s.fromMs, openUntilMs) }))
    .sort((a, b) => a.fromMs - b.fromMs);
  const joined: Interval[] = [];
  for (const s of mine) {
    const last = joined.at(-1);
    // A restart splits one stop in two with a short unobserved gap: the heat never came back.
    if (last && s.fromMs - last.untilMs <= joinGapMs)
      last.untilMs = Math.max(last.untilMs, s.untilMs);
    else joined.push({ ...s });
  }
  return joined;
}

export function seasonBounds(season: Season, timeZone: string): Interval {
  return {
    fromMs: dayStartMs(season.firstDay, timeZone),
    untilMs: dayStartMs(nextDay(season.lastDay), timeZone),
  };
}

function clip(stops: readonly Interval[], bounds: Interval): Interval[] {
  return stops
    .map((s) => ({
      fromMs: Math.max(s.fromMs, bounds.fromMs),
      untilMs: Math.min(s.untilMs, bounds.untilMs),
    }))
    .filter((s) => s.untilMs > s.fromMs);
}

export interface AssessedStop extends Interval {
  minutes: number;
  /** The rules it triggers; empty = no refund. */
  rules: string[];
  refundFactor: number;
  /** When residents and the authority must have been told (null: not long enough). */
  noticeDueMs: number | null;
}

/** Which stop rules each stop of the season triggers: the highest factor applies. */
export function assessStops(stops: readonly Interval[], rules: LedgerRules): AssessedStop[] {
  const totalMs = stops.reduce((sum, s) => sum + s.untilMs - s.fromMs, 0);
  return stops.map((s) => {
    const ms = s.untilMs - s.fromMs;
    const hit = rules.stopRules.filter(
      (r) =>
        (r.continuousOverMs !== undefined && ms > r.continuousOverMs) ||
        (r.totalOverMs !== undefined && totalMs > r.totalOverMs),
    );
    return {
      ...s,
      minutes: Math.round(ms / MINUTE_MS),
      rules: hit.map((r) => r.name),
      refundFactor: Math.max(0, ...hit.map((r) => r.refundFactor)),
      noticeDueMs: ms > rules.noticeOverMs ? s.fromMs + rules.noticeOverMs : null,
    };
  });
}

/** Refund-weighted minutes per day (factor × stopped minutes), company days only. */
function refundMinutesByDay(
  stops: readonly AssessedStop[],
  rules: LedgerRules,
  companyDay: (day: string) => boolean,
) {
  const byDay = new Map<string, number>();
  for (const s of stops) {
    if (s.refundFactor === 0) continue;
    for (let at = s.fromMs; at < s.untilMs; ) {
      const day = dayOf(at, rules.timeZone);
      const end = Math.min(s.untilMs, dayStartMs(nextDay(day), rules.timeZone));
      if (companyDay(day)) {
        const minutes = Math.round((end - at) / MINUTE_MS);
        byDay.set(day, (byDay.get(day) ?? 0) + s.refundFactor * minutes);
      }
      at = end;
    }
  }
  return byDay;
}

export interface SeasonSummary {
  household: string;
  season: string;
  areaM2: number;
  seasonFeeFen: number;
  stoppedMinutes: number;
  longestStopMinutes: number;
  stops: AssessedStop[];
  belowStandardDays: number;
  rebateFen: number;
  refundFen: number;
  /** Rebate plus refund: what the household is owed. */
  dueFen: number;
  notices: { fromMs: number; noticeDueMs: number }[];
  /** Each refunded day's share of the refund (rounded per day: the total is `refundFen`). */
  refundFenByDay: Record<string, number>;
}

export function seasonFeeFen(rules: LedgerRules, areaM2: number): number {
  return Math.round(rules.feeFenPerM2 * areaM2);
}

/**
 * The season's money for one household. A day whose stop is refunded is not also
 * rebated for its temperature: the stop's refund already covers that day.
 */
export function seasonSummary(
  rules: LedgerRules,
  season: Season,
  household: LedgerHousehold,
  days: readonly LedgerDay[],
  stops: readonly Interval[],
): SeasonSummary {
  const fee = seasonFeeFen(rules, household.areaM2);
  const assessed = assessStops(clip(stops, seasonBounds(season, rules.timeZone)), rules);
  const party = new Map(days.map((d) => [d.day, d.attribution]));
  const refundByDay = refundMinutesByDay(
    assessed,
    rules,
    (day) => (party.get(day) ?? 'company') === 'company',
  );
  const weighted = [...refundByDay.values()].reduce((a, b) => a + b, 0);
  const rebateBp = days
    .filter((d) => !refundByDay.has(d.day))
    .reduce((sum, d) => sum + (FULL_BP - d.billedShareBp), 0);
  const rebateFen = Math.round((fee * rebateBp) / (season.days * FULL_BP));
  const refundFen = Math.round((fee * weighted) / (season.days * DAY_MINUTES));
  return {
    household: household.id,
    season: season.id,
    areaM2: household.areaM2,
    seasonFeeFen: fee,
    stoppedMinutes: assessed.reduce((sum, s) => sum + s.minutes, 0),
    longestStopMinutes: Math.max(0, ...assessed.map((s) => s.minutes)),
    stops: assessed,
    belowStandardDays: days.filter((d) => d.billedShareBp < FULL_BP).length,
    rebateFen,
    refundFen,
    dueFen: rebateFen + refundFen,
    refundFenByDay: Object.fromEntries(
      [...refundByDay].map(([day, w]) => [
        day,
        Math.round((fee * w) / (season.days * DAY_MINUTES)),
      ]),
    ),
    notices: assessed.flatMap((s) =>
      s.noticeDueMs === null ? [] : [{ fromMs: s.fromMs, noticeDueMs: s.noticeDueMs }],
    ),
  };
}
