import { dayStartMs, nextDay, type Season } from '../service/ledger-calendar.ts';
import type { HeatStop } from '../service/ledger-inputs.ts';
import type { LedgerDay, LedgerHousehold, LedgerRules } from '../service/ledger-rules.ts';
import { householdStops, type SeasonSummary, seasonSummary } from '../service/ledger-season.ts';
import type { Store } from '../store/store.ts';
import { type DayFilter, dayPage } from './ledger-db.ts';
import type { LedgerSource } from './source.ts';

/**
 * Reading the ledger back a household at a time (issue 11): its stored days with the
 * season's money computed from them and the season's stops. Pages walk the rows in
 * household order, so the API and the CSV never hold more than a page and one household.
 */

export interface LedgerReadDeps {
  store: Store;
  source: LedgerSource;
  rules: LedgerRules;
  household: (id: string) => LedgerHousehold | undefined;
  now: () => number;
}

export interface HouseholdSeason {
  household: LedgerHousehold;
  days: LedgerDay[];
  summary: SeasonSummary;
}

const PAGE = 5000;

export async function seasonStops(deps: LedgerReadDeps, season: Season): Promise<HeatStop[]> {
  const tz = deps.rules.timeZone;
  return deps.source.stops(
    dayStartMs(season.firstDay, tz),
    dayStartMs(nextDay(season.lastDay), tz),
  );
}

function summarize(
  deps: LedgerReadDeps,
  season: Season,
  stops: readonly HeatStop[],
  days: LedgerDay[],
) {
  const first = days[0]!;
  const household = deps.household(first.household) ?? {
    id: first.household,
    building: first.building,
    substation: first.substation,
    areaM2: 0,
  };
  const mine = householdStops(stops, household, deps.now(), deps.rules.joinGapMs);
  return { household, days, summary: seasonSummary(deps.rules, season, household, days, mine) };
}

/** Every household matching `filter` in the season, one at a time, in id order. */
export async function* householdSeasons(
  deps: LedgerReadDeps,
  season: Season,
  filter: Omit<DayFilter, 'season'>,
): AsyncGenerator<HouseholdSeason> {
  const stops = await seasonStops(deps, season);
  let after: { household: string; day: string } | null = null;
  let current: LedgerDay[] = [];
  for (;;) {
    const page = await dayPage(deps.store.db, { ...filter, season: season.id }, after, PAGE);
    for (const day of page) {
      if (current.length > 0 && current[0]!.household !== day.household) {
        yield summarize(deps, season, stops, current);
        current = [];
      }
      current.push(day);
    }
    const last = page.at(-1);
    if (!last || page.length < PAGE) break;
    after = { household: last.household, day: last.day };
  }
  if (current.length > 0) yield summarize(deps, season, stops, current);
}
