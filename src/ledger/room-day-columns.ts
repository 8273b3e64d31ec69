import type { RoomDayAggregate } from '../service/ledger-data-days.ts';

/**
 * A room-day aggregate as six numbers of a Float64Array, from offset `at`: the layout the
 * households' rows (room-day-rows.ts) and the other days' pages (room-day-page.ts) share, so
 * a reading changes numbers in place instead of the boxed fields of an object (issue 14).
 */
export const AGGREGATE_WIDTH = 6;
const SUM = 0;
const SAMPLES = 1;
const MIN = 2;
const MAX = 3;
const FIRST = 4;
const LAST = 5;

/** Starts the aggregate at `at` with one sample. */
export function startAt(r: Float64Array, at: number, tempC: number, atMs: number): void {
  r[at + SUM] = tempC;
  r[at + SAMPLES] = 1;
  r[at + MIN] = tempC;
  r[at + MAX] = tempC;
  r[at + FIRST] = atMs;
  r[at + LAST] = atMs;
}

/** Adds one sample to the aggregate at `at` (as `addSample` does to an object). */
export function addSampleAt(r: Float64Array, at: number, tempC: number, atMs: number): void {
  r[at + SUM]! += tempC;
  r[at + SAMPLES]!++;
  if (tempC < r[at + MIN]!) r[at + MIN] = tempC;
  if (tempC > r[at + MAX]!) r[at + MAX] = tempC;
  if (atMs < r[at + FIRST]!) r[at + FIRST] = atMs;
  if (atMs > r[at + LAST]!) r[at + LAST] = atMs;
}

/** Writes `a` over the aggregate at `at`. */
export function writeAt(r: Float64Array, at: number, a: RoomDayAggregate): void {
  r[at + SUM] = a.sumC;
  r[at + SAMPLES] = a.samples;
  r[at + MIN] = a.minC;
  r[at + MAX] = a.maxC;
  r[at + FIRST] = a.firstMs;
  r[at + LAST] = a.lastMs;
}

/** Adds `a` to the aggregate at `at` (as `mergeAggregates` does, in the same order). */
export function mergeAt(r: Float64Array, at: number, a: RoomDayAggregate): void {
  r[at + SUM]! += a.sumC;
  r[at + SAMPLES]! += a.samples;
  r[at + MIN] = Math.min(r[at + MIN]!, a.minC);
  r[at + MAX] = Math.max(r[at + MAX]!, a.maxC);
  r[at + FIRST] = Math.min(r[at + FIRST]!, a.firstMs);
  r[at + LAST] = Math.max(r[at + LAST]!, a.lastMs);
}

/** The aggregate at `at`, as an object. */
export function aggregateAt(r: Float64Array, at: number): RoomDayAggregate {
  return {
    sumC: r[at + SUM]!,
    samples: r[at + SAMPLES]!,
    minC: r[at + MIN]!,
    maxC: r[at + MAX]!,
    firstMs: r[at + FIRST]!,
    lastMs: r[at + LAST]!,
  };
}
