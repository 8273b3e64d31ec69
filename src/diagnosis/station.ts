import type { SubstationBalance } from '../balance/types.ts';
import type { Topology } from '../domain/topology.ts';
import { evidence, median, round } from './evidence.ts';
import type { Cause } from './schemas.ts';
import {
  actionFor,
  POSITION_ZH,
  raisePumpAction,
  STATUS_ZH,
  summaryOf,
  text,
  type Verdict,
} from './texts.ts';
import type { DiagnosisView } from './view.ts';

/**
 * The substation and the network around it, read from the latest evaluation and the
 * PLC: the data that change first (a tripped pump shows in seconds, the rooms in hours).
 */

/** Flow this far below the station's branch neighbours breaks the gradient: a restriction. */
const RESTRICTED_VS_NEIGHBOURS = 0.7;
/** Primary flow below this share of the required one: heat is stopped, not short. */
const STOPPED_FLOW_RATIO = 0.1;
/** Secondary temperatures this far below the neighbours' with flow as required: the exchanger. */
const EXCHANGER_DEFICIT_K = 4;

/** Up to two stations each side along the same branch: the gradient a station is judged on. */
export function stationNeighbours(topology: Topology): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const branch of topology.branches()) {
    const list = topology.branch(branch);
    list.forEach((s, i) => {
      const near = list.slice(Math.max(0, i - 2), i + 3).filter((o) => o.id !== s.id);
      out.set(
        s.id,
        near.map((o) => o.id),
      );
    });
  }
  return out;
}

const ENGINE_CAUSES: Partial<Record<string, Cause>> = {
  'pump-stopped': 'pump-fault',
  'pump-fault': 'pump-fault',
  leak: 'leak',
  'flow-restriction': 'flow-restriction',
  'heat-exchanger': 'heat-exchanger',
};

function stationEvidence(id: string, bal: SubstationBalance, at: number) {
  const ev = [
    evidence(
      'balance-status',
      id,
      bal.status,
      undefined,
      at,
      text(`the station is ${bal.status}`, `换热站状态：${STATUS_ZH[bal.status]}`),
    ),
  ];
  if (bal.flowRatio !== null) {
    const pct = Math.round(bal.flowRatio * 100);
    ev.push(
      evidence(
        'flow-ratio',
        id,
        round(bal.flowRatio, 2),
        undefined,
        at,
        text(`primary flow ${pct} % of required`, `一次网流量为需求的${pct}%`),
      ),
    );
  }
  const cause = bal.anomaly?.cause ?? null;
  for (const line of bal.anomaly?.evidence ?? []) {
    ev.push(evidence('anomaly', id, cause, undefined, at, text(line, `异常：${line}`)));
  }
  return ev;
}

function stationVerdict(id: string, cause: Cause, bal: SubstationBalance, at: number): Verdict {
  return {
    level: 'substation',
    cause,
    place: id,
    substation: id,
    building: null,
    zone: null,
    evidence: stationEvidence(id, bal, at),
    action: actionFor(cause, id),
    summary: summaryOf('substation', cause, id),
    strength: 0.9,
  };
}

/** A fault at the substation itself, or null. */
export function judgeSubstation(
  view: DiagnosisView,
  id: string,
  neighbours: ReadonlyMap<string, readonly string[]>,
): Verdict | null {
  const bal = view.station(id);
  const at = view.evaluatedAt;
  if (!bal || at === null) return null;
  const engine = bal.anomaly ? ENGINE_CAUSES[bal.anomaly.cause] : undefined;
  if (engine === 'pump-fault') return stationVerdict(id, engine, bal, at);
  const x = bal.flowRatio;
  if (x !== null && x < STOPPED_FLOW_RATIO) return stationVerdict(id, 'heat-stopped', bal, at);
  if (engine) return stationVerdict(id, engine, bal, at);
  const others = (neighbours.get(id) ?? []).flatMap((n) => view.station(n) ?? []);
  return restricted(view, bal, others, at) ?? fouled(view, bal, others, at);
}

/** Flow far below the branch neighbours' where the gradient says it should not be. */
function restricted(
  view: DiagnosisView,
  bal: SubstationBalance,
  others: readonly SubstationBalance[],
  at: number,
): Verdict | null {
  const x = bal.flowRatio;
  const around = median(others.flatMap((o) => o.flowRatio ?? []));
  if (x === null || around === null || x >= view.flowRatioLow) return null;
  if (x >= RESTRICTED_VS_NEIGHBOURS * around) return null;
  const v = stationVerdict(bal.id, 'flow-restriction', bal, at);
  v.evidence.push(neighbourEvidence(bal.id, 'neighbour-flow-ratio', round(around, 2), at));
  return v;
}

/** Secondary temperatures far below the neighbours' with the flow as required: the exchanger. */
function fouled(
  view: DiagnosisView,
  bal: SubstationBalance,
  others: readonly SubstationBalance[],
  at: number,
): Verdict | null {
  const around = median(others.flatMap((o) => o.deviationC ?? []));
  const dev = bal.deviationC;
  const flowOk = bal.flowRatio !== null && bal.flowRatio >= view.flowRatioLow;
  if (!flowOk || dev === null || around === null || dev >= around - EXCHANGER_DEFICIT_K)
    return null;
  const v = stationVerdict(bal.id, 'heat-exchanger', bal, at);
  v.evidence.push(
    evidence(
      'secondary-deviation',
      bal.id,
      round(dev),
      'K',
      at,
      text(
        `secondary ${round(dev)} K from the heating curve, neighbours ${round(around)} K, flow as required`,
        `二次网温度偏离供热曲线${round(dev)} K（相邻站${round(around)} K），流量正常`,
      ),
    ),
  );
  return v;
}

function neighbourEvidence(id: string, what: string, value: number, at: number) {
  return evidence(
    what,
    id,
    value,
    undefined,
    at,
    text(
      `its branch neighbours run at ${Math.round(value * 100)} % of required flow`,
      `同一支线相邻换热站流量为需求的${Math.round(value * 100)}%`,
    ),
  );
}

/** The network's share of a station's cold: the gradient or the plant's supply temperature. */
export function judgeNetwork(view: DiagnosisView, id: string): Verdict | null {
  const bal = view.station(id);
  const at = view.evaluatedAt;
  if (!bal || at === null) return null;
  const plantLow = view.network.some(
    (a) => a.action === 'raise-supply-temperature' && a.substations.includes(id),
  );
  const starved = bal.flowRatio !== null && bal.flowRatio < view.flowRatioLow;
  // Short of flow with no fault at the station itself: the network did not bring it
  // enough (far from the plant, or its pump set too low for where it sits). The engine
  // asking for more flow says the same before the flow falls below the threshold.
  const wantsMore = bal.recommendation?.action === 'raise';
  const gradient =
    bal.flag === 'far-end-underheating' || bal.status === 'underheating' || starved || wantsMore;
  if (!plantLow && !gradient) return null;
  const cause: Cause = plantLow ? 'supply-temperature-low' : 'hydraulic-imbalance';
  return {
    level: 'network',
    cause,
    place: id,
    substation: id,
    building: null,
    zone: null,
    evidence: [networkEvidence(bal, gradient, at)],
    action: networkAction(plantLow, bal.recommendation, id),
    summary: summaryOf('network', cause, id),
    strength: 0.8,
  };
}

function networkEvidence(bal: SubstationBalance, gradient: boolean, at: number) {
  const x = bal.flowRatio === null ? '—' : String(round(bal.flowRatio, 2));
  return evidence(
    gradient ? 'far-end-underheating' : 'supply-below-curve',
    bal.id,
    bal.deviationC === null ? null : round(bal.deviationC),
    'K',
    at,
    text(
      `${bal.position} station ${bal.status}, flow ratio ${x}`,
      `${POSITION_ZH[bal.position]}换热站${STATUS_ZH[bal.status]}，流量比${x}`,
    ),
  );
}

/** The plant's supply temperature, or the engine's pump change for this station. */
function networkAction(plantLow: boolean, rec: SubstationBalance['recommendation'], id: string) {
  if (plantLow) return actionFor('supply-temperature-low', id);
  if (rec?.action === 'raise') return raisePumpAction(rec, id);
  return raiseDefault(id);
}

function raiseDefault(id: string) {
  return {
    who: 'dispatcher' as const,
    code: 'raise-pump' as const,
    target: id,
    what: text(`raise ${id}'s pump toward its required flow`, `提高${id}水泵频率至需求流量`),
  };
}
