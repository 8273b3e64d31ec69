import type { Building } from '../domain/topology.ts';
import type { DiagnosisView, RoomReading, RoomVisitor } from './view.ts';

/** What a group of room sensors (a zone, a building, a station) says now. */
export interface RoomStats {
  reporting: number;
  cold: number;
  meanC: number | null;
  coldShare: number | null;
}

export const EMPTY: RoomStats = { reporting: 0, cold: 0, meanC: null, coldShare: null };

/** The building's fresh room readings, by zone. */
export function freshRoomsByZone(view: DiagnosisView, b: Building): Map<string, RoomReading[]> {
  const from = view.at - view.settings.roomStaleMin * 60_000;
  const out = new Map<string, RoomReading[]>();
  for (const r of view.rooms(b.id)) {
    if (r.at < from || r.at > view.at + 60_000) continue;
    const zone = r.zone ?? view.topology.household(r.household)?.zone;
    if (zone === undefined) continue;
    const list = out.get(zone);
    if (list) list.push(r);
    else out.set(zone, [r]);
  }
  return out;
}

/**
 * The building's fresh rooms counted by zone, as `freshRoomsByZone` then `statsOf` per zone
 * would (same rooms, same order, same sums), without an object per room: the desk's sweep
 * visits every household of the network after each evaluation, and its reading objects were
 * the largest allocation of the whole service (issue 10: ~80 MB per sweep at 250,000
 * households, which drove the major GC's marking on the event loop).
 */
export function freshStatsByZone(view: DiagnosisView, b: Building): Map<string, RoomStats> {
  const from = view.at - view.settings.roomStaleMin * 60_000;
  const tallies = new Map<string, ZoneTally>();
  const minC = view.minC;
  const visit: RoomVisitor = (household, zoneTag, tempC, at) => {
    if (at < from || at > view.at + 60_000) return;
    const zone = zoneTag ?? view.topology.household(household)?.zone;
    if (zone === undefined) return;
    let tally = tallies.get(zone);
    if (!tally) {
      tally = new ZoneTally();
      tallies.set(zone, tally);
    }
    tally.reporting++;
    tally.sum += tempC;
    if (tempC < minC) tally.cold++;
  };
  view.eachRoom(b.id, visit);
  const out = new Map<string, RoomStats>();
  for (const [zone, t] of tallies) out.set(zone, t.stats());
  return out;
}

class ZoneTally {
  reporting = 0;
  cold = 0;
  sum = 0;

  stats(): RoomStats {
    if (this.reporting === 0) return EMPTY;
    const { reporting, cold } = this;
    return { reporting, cold, meanC: this.sum / reporting, coldShare: cold / reporting };
  }
}

/** Each zone's statistics from its readings (the complaint's own view of its building). */
export function statsPerZone(
  byZone: ReadonlyMap<string, readonly RoomReading[]>,
  minC: number,
): Map<string, RoomStats> {
  const out = new Map<string, RoomStats>();
  for (const [zone, list] of byZone) out.set(zone, statsOf(list, minC));
  return out;
}

/** All zones' statistics together. */
export function wholeOf(byZone: ReadonlyMap<string, RoomStats>): RoomStats {
  let all = EMPTY;
  for (const stats of byZone.values()) all = merge(all, stats);
  return all;
}

export function statsOf(readings: Iterable<RoomReading>, minC: number, except?: string): RoomStats {
  let reporting = 0;
  let cold = 0;
  let sum = 0;
  for (const r of readings) {
    if (r.household === except) continue;
    reporting++;
    sum += r.tempC;
    if (r.tempC < minC) cold++;
  }
  if (reporting === 0) return EMPTY;
  return { reporting, cold, meanC: sum / reporting, coldShare: cold / reporting };
}

export function merge(a: RoomStats, b: RoomStats): RoomStats {
  const reporting = a.reporting + b.reporting;
  if (reporting === 0) return EMPTY;
  const sum = (a.meanC ?? 0) * a.reporting + (b.meanC ?? 0) * b.reporting;
  const cold = a.cold + b.cold;
  return { reporting, cold, meanC: sum / reporting, coldShare: cold / reporting };
}

/** Enough rooms to judge by, and most of them cold / most of them warm. */
export const judged = (s: RoomStats, minRooms: number) => s.reporting >= minRooms;
export const mostlyCold = (s: RoomStats, v: DiagnosisView) =>
  judged(s, v.settings.minRooms) && (s.coldShare ?? 0) >= v.settings.mostShare;
export const mostlyWarm = (s: RoomStats, v: DiagnosisView) =>
  judged(s, v.settings.minRooms) && (s.coldShare ?? 1) < v.settings.mostShare;
