import type { Building } from '../domain/topology.ts';
import type { DiagnosisView, RoomReading } from './view.ts';

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
