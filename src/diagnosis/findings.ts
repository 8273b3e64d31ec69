import type { Building, Substation } from '../domain/topology.ts';
import { judgeBuildingRooms, judgeMeter, judgeZone } from './building.ts';
import { EMPTY, freshStatsByZone, merge, type RoomStats, wholeOf } from './rooms.ts';
import type { Finding } from './schemas.ts';
import { judgeNetwork, judgeSubstation } from './station.ts';
import type { Verdict } from './texts.ts';
import type { DiagnosisView } from './view.ts';

/**
 * The network-wide sweep for faults nobody has called about (issue 10 item 3), one per
 * place. It starts from the data that change first — the evaluation and the PLCs, then
 * the building meters — and reads rooms only for stations and buildings those leave
 * unexplained: a station fault covers its buildings, a starved building its zones.
 */
export function findings(
  view: DiagnosisView,
  neighbours: ReadonlyMap<string, readonly string[]>,
): Finding[] {
  const steps = findingSteps(view, neighbours);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/**
 * The same sweep, yielding after each station: the desk may hand the event loop back
 * between stations (src/core/slices.ts) instead of holding it for the whole network.
 */
export function* findingSteps(
  view: DiagnosisView,
  neighbours: ReadonlyMap<string, readonly string[]>,
): Generator<void, Finding[], void> {
  const out: Finding[] = [];
  for (const s of view.topology.substations) {
    stationFindings(view, s, neighbours, out);
    yield;
  }
  return out;
}

function stationFindings(
  view: DiagnosisView,
  s: Substation,
  neighbours: ReadonlyMap<string, readonly string[]>,
  out: Finding[],
): void {
  const station = judgeSubstation(view, s.id, neighbours) ?? judgeNetwork(view, s.id);
  if (station) {
    out.push(toFinding(station));
    return;
  }
  const rooms = s.buildings.map((b) => freshStatsByZone(view, b));
  const stats = rooms.map(wholeOf);
  const total = stats.reduce(merge, EMPTY);
  s.buildings.forEach((b, i) => {
    const found = sweepBuilding(view, b, rooms[i]!, stats[i]!, total);
    for (const v of found) out.push(toFinding(v));
  });
}

function sweepBuilding(
  view: DiagnosisView,
  b: Building,
  byZone: ReadonlyMap<string, RoomStats>,
  own: RoomStats,
  station: RoomStats,
): Verdict[] {
  const meter = judgeMeter(view, b);
  if (meter) return [meter];
  const siblings = subtract(station, own);
  const rooms = judgeBuildingRooms(view, b, own, siblings);
  if (rooms) return [rooms];
  return b.zones.flatMap((z) => judgeZone(view, b, z.id, byZone) ?? []);
}

function subtract(all: RoomStats, part: RoomStats): RoomStats {
  const reporting = all.reporting - part.reporting;
  if (reporting <= 0) return EMPTY;
  const sum = (all.meanC ?? 0) * all.reporting - (part.meanC ?? 0) * part.reporting;
  const cold = all.cold - part.cold;
  return { reporting, cold, meanC: sum / reporting, coldShare: cold / reporting };
}

function toFinding(v: Verdict): Finding {
  return {
    level: v.level as Finding['level'],
    cause: v.cause,
    place: v.place ?? v.substation,
    substation: v.substation,
    building: v.building,
    zone: v.zone,
    confidence: v.strength,
    evidence: v.evidence,
    action: v.action,
    summary: v.summary,
  };
}
