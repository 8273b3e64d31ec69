import type { Building } from '../domain/topology.ts';
import { evidence, round } from './evidence.ts';
import { EMPTY, merge, mostlyCold, mostlyWarm, type RoomStats } from './rooms.ts';
import type { Cause } from './schemas.ts';
import { zonePlace } from './schemas.ts';
import { actionFor, summaryOf, text, type Verdict, ZONE_ZH } from './texts.ts';
import type { DiagnosisView, MeterReading } from './view.ts';

/**
 * A building and its riser zones: the heat meter against the building's share of its
 * substation (the company's "does the building branch show low flow"), then its rooms
 * by zone ("are the other households of the same zone cold too").
 */

/** Flow below this share of what the building's area asks: heat stopped, not short. */
const STOPPED_SHARE = 0.1;

function freshMeter(view: DiagnosisView, id: string): MeterReading | undefined {
  const m = view.meter(id);
  const from = view.at - view.settings.meterStaleMin * 60_000;
  return m && m.at >= from && m.flowM3h !== null ? m : undefined;
}

function verdict(
  level: 'building' | 'zone',
  cause: Cause,
  b: Building,
  zone: string | null,
  ev: Verdict['evidence'],
  strength: number,
): Verdict {
  const place = zone === null ? b.id : zonePlace(b.id, zone);
  return {
    level,
    cause,
    place,
    substation: b.substation,
    building: b.id,
    zone,
    evidence: ev,
    action: actionFor(cause, place),
    summary: summaryOf(level, cause, place),
    strength,
  };
}

/** The building's meter against its share of the substation's metered flow, or null. */
export function judgeMeter(view: DiagnosisView, b: Building): Verdict | null {
  const own = freshMeter(view, b.id);
  const sub = view.topology.substation(b.substation);
  if (!own || !sub) return null;
  let flow = 0;
  let area = 0;
  for (const o of sub.buildings) {
    const m = o.id === b.id ? own : freshMeter(view, o.id);
    if (!m) continue;
    flow += m.flowM3h ?? 0;
    area += o.areaM2;
  }
  // A building alone on its meter set, or a station with no flow at all: nothing to share.
  if (flow <= 0 || area <= b.areaM2) return null;
  const share = (own.flowM3h ?? 0) / flow / (b.areaM2 / area);
  const stopped = share < STOPPED_SHARE || (own.heatKw !== null && own.heatKw <= 0);
  if (!stopped && share >= view.settings.starvedFlowShare) return null;
  const ev = evidence(
    'building-flow-share',
    b.id,
    round(share, 2),
    undefined,
    own.at,
    text(
      `metered flow ${round(own.flowM3h ?? 0, 2)} m³/h is ${Math.round(share * 100)} % of its share by heated area`,
      `楼栋热表流量${round(own.flowM3h ?? 0, 2)} m³/h，仅为按面积应得份额的${Math.round(share * 100)}%`,
    ),
  );
  return verdict('building', stopped ? 'heat-stopped' : 'branch-restriction', b, null, [ev], 0.85);
}

/** Rooms of the building against those of its substation's other buildings, or null. */
export function judgeBuildingRooms(
  view: DiagnosisView,
  b: Building,
  own: RoomStats,
  siblings: RoomStats,
): Verdict | null {
  if (!mostlyCold(own, view) || !mostlyWarm(siblings, view)) return null;
  const ev = evidence(
    'building-cold-share',
    b.id,
    round(own.coldShare ?? 0, 2),
    undefined,
    null,
    text(
      `${own.cold} of ${own.reporting} rooms below the minimum; the substation's other buildings are warm (${siblings.cold} of ${siblings.reporting} cold)`,
      `本楼${own.reporting}户中${own.cold}户低于标准，同站其他楼栋正常（${siblings.reporting}户中${siblings.cold}户偏低）`,
    ),
  );
  return verdict('building', 'branch-restriction', b, null, [ev], 0.7);
}

/** A zone cold (or far below the rest) while the building's other zones are warm, or null. */
export function judgeZone(
  view: DiagnosisView,
  b: Building,
  zone: string,
  byZone: ReadonlyMap<string, RoomStats>,
): Verdict | null {
  if (b.zones.length < 2) return null;
  const own = byZone.get(zone) ?? EMPTY;
  let others: RoomStats = EMPTY;
  for (const [z, stats] of byZone) if (z !== zone) others = merge(others, stats);
  if (!mostlyWarm(others, view) || own.reporting < view.settings.minRooms) return null;
  const gap = (others.meanC ?? 0) - (own.meanC ?? 0);
  if (!mostlyCold(own, view) && gap < view.settings.zoneDeviationK) return null;
  const place = zonePlace(b.id, zone);
  const ev = evidence(
    'zone-cold-share',
    place,
    round(own.coldShare ?? 0, 2),
    undefined,
    null,
    text(
      `${own.cold} of ${own.reporting} rooms in the ${zone} zone below the minimum, ${round(gap)} K below the building's other zones (${others.cold} of ${others.reporting} cold)`,
      `${ZONE_ZH[zone] ?? zone}${own.reporting}户中${own.cold}户低于标准，比本楼其他分区低${round(gap)} K（其他分区${others.reporting}户中${others.cold}户偏低）`,
    ),
  );
  return verdict('zone', 'zone-circulation', b, zone, [ev], 0.75);
}
