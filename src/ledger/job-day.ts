import { dayStartMs, nextDay, type Season } from '../service/ledger-calendar.ts';
import type { Attribution, HeatStop, RoomDay, RoomMeasurement } from '../service/ledger-inputs.ts';
import {
  computeDay,
  type Interval,
  type LedgerDay,
  type LedgerHousehold,
  type LedgerRules,
} from '../service/ledger-rules.ts';
import { householdStops } from '../service/ledger-season.ts';
import type { Store } from '../store/store.ts';
import { attributionsOver, measurementsBetween, upsertDays } from './ledger-db.ts';
import type { LedgerSource } from './source.ts';

/**
 * Computes one site day of the ledger for every household (issue 11 item 3): the room days
 * come from the source in batches ordered by household and are merged with the sorted
 * household list, so 250 000 households stream through without being held at once.
 */

export interface DayRun {
  day: string;
  households: number;
  written: number;
  measured: number;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Each building's stops joined with its substation's, computed once per building. */
function stopsByBuilding(stops: readonly HeatStop[], openUntilMs: number, rules: LedgerRules) {
  const cache = new Map<string, Interval[]>();
  return (h: LedgerHousehold): Interval[] => {
    let found = cache.get(h.building);
    if (!found) {
      found = householdStops(stops, h, openUntilMs, rules.joinGapMs);
      cache.set(h.building, found);
    }
    return found;
  };
}

interface DayContext {
  rules: LedgerRules;
  day: string;
  stopsOf: (h: LedgerHousehold) => Interval[];
  measurements: Map<string, RoomMeasurement[]>;
  attributions: Map<string, Attribution[]>;
}

function dayFor(ctx: DayContext, h: LedgerHousehold, room: RoomDay | null): LedgerDay {
  return computeDay(ctx.rules, {
    household: h,
    day: ctx.day,
    room,
    measurements: ctx.measurements.get(h.id) ?? [],
    stops: ctx.stopsOf(h),
    attributions: ctx.attributions.get(h.id) ?? [],
  });
}

export interface DayDeps {
  source: LedgerSource;
  store: Store;
  rules: LedgerRules;
  /** Sorted by id, as the source orders its room days. */
  households: readonly LedgerHousehold[];
  batchSize: number;
  onBatch?: (done: number) => void;
}

async function contextFor(
  deps: DayDeps,
  season: Season,
  day: string,
  nowMs: number,
): Promise<DayContext> {
  const tz = deps.rules.timeZone;
  const from = dayStartMs(day, tz);
  const until = dayStartMs(nextDay(day), tz);
  // Stops from the season's start: one that began days ago and still runs is still one stop.
  const stops = await deps.source.stops(dayStartMs(season.firstDay, tz), until);
  const measured = await measurementsBetween(deps.store.db, from, until);
  const attributed = await attributionsOver(deps.store.db, day, day);
  return {
    rules: deps.rules,
    day,
    stopsOf: stopsByBuilding(stops, Math.min(nowMs, until), deps.rules),
    measurements: groupBy(measured, (m) => m.household),
    attributions: groupBy(attributed, (a) => a.household),
  };
}

/** Computes and writes `day`; households without a room day are still judged (stops, visits). */
export async function computeLedgerDay(
  deps: DayDeps,
  season: Season,
  day: string,
  nowMs: number,
): Promise<DayRun> {
  const ctx = await contextFor(deps, season, day, nowMs);
  const run: DayRun = { day, households: deps.households.length, written: 0, measured: 0 };
  let pending: LedgerDay[] = [];
  const flush = async () => {
    await upsertDays(deps.store.db, season.id, pending, nowMs);
    run.written += pending.length;
    pending = [];
    deps.onBatch?.(run.written);
  };
  let next = 0;
  const emitUpTo = async (id: string | null, room: RoomDay | null) => {
    while (next < deps.households.length) {
      const h = deps.households[next]!;
      if (id !== null && h.id > id) break;
      next += 1;
      pending.push(dayFor(ctx, h, h.id === id ? room : null));
      if (pending.length >= deps.batchSize) await flush();
    }
  };
  for await (const batch of deps.source.roomDays(day)) {
    for (const room of batch) {
      run.measured += 1;
      await emitUpTo(room.household, room);
    }
  }
  await emitUpTo(null, null);
  if (pending.length > 0) await flush();
  return run;
}
