import type { Building, Household } from '../domain/topology.ts';
import { judgeBuildingRooms, judgeMeter, judgeZone } from './building.ts';
import type { DiagnosisRequest } from './diagnoser.ts';
import { evidence, median, round } from './evidence.ts';
import {
  freshRoomsByZone,
  freshStatsByZone,
  merge,
  mostlyCold,
  mostlyWarm,
  type RoomStats,
  statsOf,
  statsPerZone,
} from './rooms.ts';
import type { Diagnosis, Evidence, LocalText } from './schemas.ts';
import { zonePlace } from './schemas.ts';
import { judgeNetwork, judgeSubstation } from './station.ts';
import { actionFor, summaryOf, text, type Verdict } from './texts.ts';
import type { DiagnosisView, RoomReading } from './view.ts';

/**
 * One complaint's diagnosis, by the company's repair checklist from the flat outwards
 * (DESIGN §2, §4.7): the flat's own sensor, its zone neighbours, the building's other
 * zones and meter, the substation, the network. The verdict is the outermost level whose
 * data show a fault — a tripped pump explains every cold flat behind it, and its PLC shows
 * it hours before the neighbours' rooms do — then the flat itself; with too little data
 * where it matters the answer is `unknown`, naming what is missing.
 */

/** A room this much above the minimum contradicts a cold call (sensor noise and rounding stay below it). */
const WARM_MARGIN_K = 0.5;

interface Surroundings {
  household: Household;
  building: Building;
  own: RoomReading | undefined;
  byZone: Map<string, RoomReading[]>;
  statsByZone: Map<string, RoomStats>;
  zone: RoomStats;
  building_: RoomStats;
  siblings: RoomStats;
}

function gather(view: DiagnosisView, household: Household, building: Building): Surroundings {
  const byZone = freshRoomsByZone(view, building);
  const own = byZone.get(household.zone)?.find((r) => r.household === household.id);
  const zone = statsOf(byZone.get(household.zone) ?? [], view.minC, household.id);
  let whole: RoomStats = statsOf([], view.minC);
  for (const list of byZone.values()) whole = merge(whole, statsOf(list, view.minC, household.id));
  let siblings: RoomStats = statsOf([], view.minC);
  for (const o of view.topology.substation(building.substation)?.buildings ?? []) {
    if (o.id === building.id) continue;
    for (const stats of freshStatsByZone(view, o).values()) siblings = merge(siblings, stats);
  }
  const statsByZone = statsPerZone(byZone, view.minC);
  return { household, building, own, byZone, statsByZone, zone, building_: whole, siblings };
}

/** Evidence in the checklist's order: the flat, its zone, its building. */
function localEvidence(view: DiagnosisView, s: Surroundings): Evidence[] {
  const out: Evidence[] = [];
  const h = s.household;
  if (s.own) {
    const cold = s.own.tempC < view.minC;
    out.push(
      evidence(
        'room-temp',
        h.id,
        s.own.tempC,
        '°C',
        s.own.at,
        text(
          cold ? 'the flat reads below the minimum' : 'the flat reads at or above the minimum',
          cold ? '该户室温低于标准' : '该户室温达标',
        ),
      ),
    );
  }
  const place = zonePlace(h.building, h.zone);
  if (s.zone.reporting > 0) {
    out.push(
      evidence(
        'zone-cold-share',
        place,
        round(s.zone.coldShare ?? 0, 2),
        undefined,
        null,
        text(
          `${s.zone.cold} of ${s.zone.reporting} neighbours in the ${h.zone} zone below the minimum (mean ${round(s.zone.meanC ?? 0)} °C)`,
          `同分区${s.zone.reporting}户邻居中${s.zone.cold}户低于标准（均温${round(s.zone.meanC ?? 0)} °C）`,
        ),
      ),
    );
  }
  return out;
}

/** What is missing, in both languages: `missing` carries the English, the texts both. */
function missingData(view: DiagnosisView, s: Surroundings): LocalText[] {
  const out: LocalText[] = [];
  const zone = zonePlace(s.household.building, s.household.zone);
  if (!s.own) out.push(text(`room sensor of ${s.household.id}`, `${s.household.id}室温传感器`));
  if (s.zone.reporting < view.settings.minRooms)
    out.push(text(`room sensors in ${zone}`, `${zone}分区室温传感器`));
  if (!view.meter(s.building.id))
    out.push(text(`heat meter of ${s.building.id}`, `${s.building.id}楼栋热量表`));
  if (!view.station(s.building.substation)) {
    const id = s.building.substation;
    out.push(text(`evaluation of ${id}`, `${id}换热站平衡评估`));
  }
  return out;
}

/** The outermost fault the data show for this flat, or null. */
function outerVerdict(
  view: DiagnosisView,
  s: Surroundings,
  neighbours: ReadonlyMap<string, readonly string[]>,
): Verdict | null {
  const sub = judgeSubstation(view, s.building.substation, neighbours);
  // A leak loses water, not heat: it explains a cold flat only when its zone is cold too.
  if (sub && (sub.cause !== 'leak' || mostlyCold(s.zone, view))) return sub;
  return (
    judgeNetwork(view, s.building.substation) ??
    judgeMeter(view, s.building) ??
    judgeBuildingRooms(view, s.building, s.building_, s.siblings) ??
    judgeZone(view, s.building, s.household.zone, s.statsByZone)
  );
}

/**
 * The flat is further below its building than the building is below target: its own
 * part of the cold is the larger one (a blocked radiator, a cold corner), so the outer
 * fault, real as it may be, is not what this call is about.
 */
function flatDominates(view: DiagnosisView, s: Surroundings): boolean {
  if (!s.own || s.building_.reporting < view.settings.minRooms) return false;
  // The median flat stands for the building: cold corners and faulty flats pull a mean down.
  const temps: number[] = [];
  for (const list of s.byZone.values())
    for (const r of list) if (r.household !== s.household.id) temps.push(r.tempC);
  const buildingC = median(temps)!;
  return buildingC - s.own.tempC > Math.max(0, view.targetC - buildingC);
}

/** The outer verdict unless the flat's own shortfall outweighs it, then the flat. */
function checklist(
  view: DiagnosisView,
  s: Surroundings,
  neighbours: ReadonlyMap<string, readonly string[]>,
): Verdict | null {
  const outer = outerVerdict(view, s, neighbours);
  if (!outer) return householdVerdict(view, s);
  if (outer.level === 'zone' || !flatDominates(view, s)) return outer;
  return householdVerdict(view, s, true);
}

/** The flat's own reading is far below its zone neighbours'. */
function standsOut(view: DiagnosisView, s: Surroundings): boolean {
  const around = s.zone.reporting >= view.settings.minRooms ? s.zone : s.building_;
  if (!s.own || around.meanC === null || around.reporting < view.settings.minRooms) return false;
  return s.own.tempC < around.meanC - view.settings.zoneDeviationK;
}

function householdVerdict(view: DiagnosisView, s: Surroundings, dominant = false): Verdict | null {
  const h = s.household;
  // Cold beyond the flat with no level to pin it on is not a household fault.
  if (!dominant && mostlyCold(s.zone, view)) return null;
  const ownCold = s.own !== undefined && s.own.tempC < view.minC + WARM_MARGIN_K;
  const zoneWarm = mostlyWarm(s.zone, view);
  const buildingWarm = mostlyWarm(s.building_, view);
  if (!ownCold && !zoneWarm && !buildingWarm) return null;
  if (!ownCold && s.own !== undefined) return null;
  // The flat's own sensor reading cold is the firmest sign, firmer still far below its
  // zone; without it the warm neighbours only make the flat the likeliest place.
  const around = zoneWarm ? 0.15 : buildingWarm ? 0.05 : 0;
  const strength = ownCold ? (standsOut(view, s) ? 0.9 : 0.8) : 0.55 + around;
  return {
    level: 'household',
    cause: 'household-restriction',
    place: h.id,
    substation: h.substation,
    building: h.building,
    zone: h.zone,
    evidence: [],
    action: actionFor('household-restriction', h.id),
    summary: summaryOf('household', 'household-restriction', h.id),
    strength,
  };
}

function warmVerdict(view: DiagnosisView, s: Surroundings): Verdict | null {
  if (!s.own || s.own.tempC < view.minC + WARM_MARGIN_K || mostlyCold(s.zone, view)) return null;
  const h = s.household;
  return {
    level: 'none',
    cause: 'room-warm',
    place: h.id,
    substation: h.substation,
    building: h.building,
    zone: h.zone,
    evidence: [],
    action: actionFor('room-warm', h.id),
    summary: text(
      `${h.id} reads ${s.own.tempC} °C and its neighbours are warm: send someone to measure`,
      `${h.id}室温读数${s.own.tempC} °C，邻居正常：派人上门测温`,
    ),
    strength: mostlyWarm(s.zone, view) ? 0.85 : 0.65,
  };
}

/** Confidence: how directly the verdict's data show it, scaled by how much data was there. */
function confidenceOf(view: DiagnosisView, v: Verdict, s: Surroundings): number {
  const present = [
    s.own !== undefined,
    s.zone.reporting >= view.settings.minRooms,
    view.meter(s.building.id) !== undefined,
    view.station(s.building.substation) !== undefined,
  ].filter(Boolean).length;
  const c = v.strength * (0.7 + (0.3 * present) / 4);
  return round(Math.min(0.99, Math.max(0.05, c)), 2);
}

function toDiagnosis(view: DiagnosisView, v: Verdict, s: Surroundings): Diagnosis {
  return {
    level: v.level,
    cause: v.cause,
    confidence: confidenceOf(view, v, s),
    place: v.place,
    evidence: [...localEvidence(view, s), ...v.evidence],
    missing: missingData(view, s).map((m) => m.en),
    action: v.action,
    summary: v.summary,
  };
}

export function unknownDiagnosis(
  target: string,
  missingTexts: LocalText[],
  ev: Evidence[] = [],
): Diagnosis {
  const missing = missingTexts.map((m) => m.en);
  const missingZh = missingTexts.map((m) => m.zh).join('，');
  return {
    level: 'unknown',
    cause: 'insufficient-data',
    confidence: 0,
    place: null,
    evidence: ev,
    missing,
    action: {
      who: 'service',
      code: 'measure-room',
      target,
      what: text(
        `send someone to measure at ${target}; missing: ${missing.join(', ')}`,
        `数据不足（${missingZh}），派人上门测量${target}`,
      ),
    },
    summary: text(`not enough data: ${missing.join(', ')}`, `数据不足：${missingZh}`),
  };
}

/** A call about something other than heat: answered by the desk, or a crew for a leak. */
function otherCall(request: DiagnosisRequest, h: Household): Diagnosis {
  const leak = request.category === 'leak';
  const cause = leak ? 'leak' : 'not-a-heating-fault';
  const level = leak ? 'household' : 'none';
  return {
    level,
    cause,
    confidence: 0.9,
    place: h.id,
    evidence: [],
    missing: [],
    action: actionFor(cause, h.id),
    summary: summaryOf(level, cause, h.id),
  };
}

export function diagnose(
  view: DiagnosisView,
  request: DiagnosisRequest,
  neighbours: ReadonlyMap<string, readonly string[]>,
): Diagnosis {
  const loc = view.topology.locate(request.household);
  if (!loc)
    return unknownDiagnosis(request.household, [
      text(`household ${request.household}`, `住户${request.household}`),
    ]);
  if (request.category !== 'low-temperature' && request.category !== 'no-heat') {
    return otherCall(request, loc.household);
  }
  const s = gather(view, loc.household, loc.building);
  const v = warmVerdict(view, s) ?? checklist(view, s, neighbours);
  const d = v
    ? toDiagnosis(view, v, s)
    : unknownDiagnosis(loc.household.id, missingData(view, s), localEvidence(view, s));
  if (request.reportedTempC !== undefined) d.evidence.unshift(reported(request, loc.household.id));
  return d;
}

/** What the caller's own thermometer says: recorded, never weighed against the sensors. */
function reported(request: DiagnosisRequest, household: string): Evidence {
  const t = request.reportedTempC!;
  return evidence(
    'reported-temp',
    household,
    t,
    '°C',
    request.at,
    text(`the caller reports ${t} °C`, `来电用户自述室温${t} °C`),
  );
}
