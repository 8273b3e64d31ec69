/**
 * A station's indoor figures, robust to a few bad room sensors (issue 15, defect 2).
 *
 * The estimator is a Hampel filter: households whose window mean lies further than
 * `band` from the station's median are outliers, left out of the area-weighted mean
 * and the cold share and counted; `band` is K · 1.4826 · MAD (the MAD scaled to a
 * normal σ), never narrower than `FLOOR_K`. Median and MAD both have a breakdown
 * point of 50 %: as long as fewer than half of a station's sensors are wrong, however
 * wrong, the band stays put and a kept value is at most `band` from the median, so
 * one household can move the mean by at most band / n. The floor keeps a station whose
 * rooms all read alike from dropping an honest cold flat over a kelvin or two.
 */

/** Band half-width in robust σ: 3.5 is the usual Hampel choice (Iglewicz & Hoaglin). */
const K = 3.5;
/** The narrowest band, K: real rooms of one station spread a few kelvin (zones, floors). */
const FLOOR_K = 6;
/** Neighbours a sensor needs in its zone before it can be called suspect. */
const MIN_ZONE_NEIGHBOURS = 3;

export interface RoomSample {
  household: string;
  /** Building and zone: the neighbours a repair crew compares a flat with (DESIGN §2). */
  zone: string;
  areaM2: number;
  /** Window mean. */
  meanC: number;
  /**
   * Means of the window's first and second halves (null = no samples there); asked
   * only of the few households already far from their zone, so it may be lazy.
   */
  halvesC: () => readonly [number | null, number | null];
}

export interface RobustIndoor {
  meanC: number | null;
  coldShare: number | null;
  /** Households left out as outliers of the station. */
  outliers: number;
  /** Sensors far from their zone neighbours over both halves of the window. */
  suspect: string[];
}

/** The middle of a sorted array. */
function middle(sorted: Float64Array): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * No value can lie further than max − min from the median, so values spread less
 * than the floor have no outlier: the common case, decided without sorting.
 */
function tight(values: Float64Array): boolean {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return max - min <= FLOOR_K;
}

/**
 * The Hampel band around the median of `values` (overwritten: this runs per station
 * per evaluation, so it sorts a typed array in place, numerically and without a comparator).
 */
function band(values: Float64Array): { center: number; band: number } {
  values.sort();
  const center = middle(values);
  for (let i = 0; i < values.length; i++) values[i] = Math.abs(values[i]! - center);
  const mad = middle(values.sort());
  return { center, band: Math.max(K * 1.4826 * mad, FLOOR_K) };
}

export function hampelBand(values: readonly number[]): { center: number; band: number } {
  return band(Float64Array.from(values));
}

const meansOf = (rooms: readonly RoomSample[]) => {
  const out = new Float64Array(rooms.length);
  for (let i = 0; i < rooms.length; i++) out[i] = rooms[i]!.meanC;
  return out;
};

/** Area-weighted mean and cold share of the households within the station's band. */
export function robustIndoor(rooms: readonly RoomSample[], minC: number): RobustIndoor {
  if (rooms.length === 0) return { meanC: null, coldShare: null, outliers: 0, suspect: [] };
  const means = meansOf(rooms);
  const { center, band: width } = tight(means)
    ? { center: 0, band: Number.POSITIVE_INFINITY }
    : band(means);
  let weighted = 0;
  let area = 0;
  let cold = 0;
  let kept = 0;
  for (const r of rooms) {
    if (Math.abs(r.meanC - center) > width) continue;
    kept++;
    if (r.meanC < minC) cold++;
    weighted += r.meanC * r.areaM2;
    area += r.areaM2;
  }
  return {
    meanC: area > 0 ? weighted / area : null,
    coldShare: kept > 0 ? cold / kept : null,
    outliers: rooms.length - kept,
    // A station spread less than the floor has no zone spread wider either.
    suspect: width === Number.POSITIVE_INFINITY ? [] : suspectSensors(rooms),
  };
}

/**
 * Sensors far from their zone neighbours for long: outside the zone's band over the
 * window and in each of its halves, so a brief spike or a flat cooling for a few
 * minutes after a window was left open is not enough. Sorted, so the list reads the
 * same from run to run.
 */
export function suspectSensors(rooms: readonly RoomSample[]): string[] {
  const zones = new Map<string, RoomSample[]>();
  for (const r of rooms) {
    const members = zones.get(r.zone);
    if (members) members.push(r);
    else zones.set(r.zone, [r]);
  }
  const suspect: string[] = [];
  for (const members of zones.values()) {
    if (members.length < MIN_ZONE_NEIGHBOURS + 1) continue;
    const means = meansOf(members);
    if (tight(means)) continue;
    const { center, band: width } = band(means);
    const far = (v: number | null) => v !== null && Math.abs(v - center) > width;
    for (const r of members) {
      if (far(r.meanC) && r.halvesC().every(far)) suspect.push(r.household);
    }
  }
  return suspect.sort();
}
