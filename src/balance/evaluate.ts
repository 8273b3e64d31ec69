import type { BalanceConfig } from '../config/schema.ts';
import { detectAnomaly } from './anomaly.ts';
import { type Indicators, type IndoorStandard, persist, rawStatus } from './classify.ts';
import { gradient } from './gradient.ts';
import { positions } from './position.ts';
import { recommendPump } from './recommend.ts';
import {
  equilibriumIndoorC,
  heatIndex,
  type NetworkDesign,
  type Reference,
  referenceAt,
} from './reference.ts';
import type {
  BalanceInput,
  BalanceMemory,
  BalanceResult,
  BalanceStatus,
  NetworkAdvice,
  Position,
  StationMemory,
  SubstationBalance,
  SubstationInput,
} from './types.ts';

export interface EngineSettings {
  balance: BalanceConfig;
  indoor: IndoorStandard;
  design: NetworkDesign;
}

const STATUSES: readonly BalanceStatus[] = ['overheating', 'underheating', 'normal', 'no-data'];

/**
 * One evaluation of the whole network: indicators per station against the heating
 * curve, statuses with hysteresis and persistence, near/far flags, anomalies kept
 * out of the gradient, the gradient itself, pump recommendations and network-level
 * advice. Pure: the same input and memory give the same result.
 */
export function evaluateBalance(
  input: BalanceInput,
  memory: BalanceMemory,
  settings: EngineSettings,
): BalanceEvaluation {
  const steps = evaluationSteps(input, memory, settings);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

export interface BalanceEvaluation {
  result: BalanceResult;
  memory: Map<string, StationMemory>;
}

/**
 * The same evaluation, yielding after each station: the runner may hand the event loop
 * back between stations (src/core/slices.ts) instead of holding it for the whole network.
 */
export function* evaluationSteps(
  input: BalanceInput,
  memory: BalanceMemory,
  settings: EngineSettings,
): Generator<void, BalanceEvaluation, void> {
  return yield* streamSteps({ ...input, places: input.substations }, memory, settings);
}

/**
 * The network as a stream: where each station sits (for near/far) known up front, each
 * station's input taken when its turn comes, in `places` order. The same result as
 * evaluationSteps over the same inputs.
 */
export interface BalanceStream {
  at: number;
  outdoorC: number | null;
  places: readonly StationPlace[];
  substations: Iterable<SubstationInput>;
}

export type StationPlace = Pick<SubstationInput, 'id' | 'source' | 'branch' | 'distanceM'>;

export function* streamSteps(
  input: BalanceStream,
  memory: BalanceMemory,
  settings: EngineSettings,
): Generator<void, BalanceEvaluation, void> {
  const reference = input.outdoorC === null ? null : referenceAt(settings.design, input.outdoorC);
  const where = positions(input.places, settings.balance.position);
  const nextMemory = new Map<string, StationMemory>();
  const stations: SubstationBalance[] = [];
  for (const s of input.substations) {
    const position = where.get(s.id) ?? 'middle';
    const station = evaluateStation(
      s,
      position,
      reference,
      input.outdoorC,
      memory.get(s.id),
      settings,
    );
    nextMemory.set(s.id, station.memory);
    stations.push(station.balance);
    yield;
  }
  const counts = Object.fromEntries(STATUSES.map((k) => [k, 0])) as Record<BalanceStatus, number>;
  for (const s of stations) counts[s.status]++;
  const fitted = stations.flatMap((s) =>
    s.anomaly === null && s.deviationC !== null && s.status !== 'no-data'
      ? [{ distanceM: s.distanceM, deviationC: s.deviationC }]
      : [],
  );
  return {
    result: {
      evaluatedAt: input.at,
      outdoorTempC: input.outdoorC,
      gradient: gradient(fitted),
      counts,
      substations: stations,
      network: networkAdvice(stations),
    },
    memory: nextMemory,
  };
}

/** A station's indicators against the heating curve and the design flow. */
function indicatorsOf(
  s: SubstationInput,
  reference: Reference | null,
  outdoorC: number | null,
  settings: EngineSettings,
): Indicators {
  const sig = s.signals;
  const rooms = settings.balance.rooms;
  const secondaryMean =
    sig.secondarySupplyC !== null && sig.secondaryReturnC !== null
      ? (sig.secondarySupplyC + sig.secondaryReturnC) / 2
      : null;
  const required = reference ? s.designFlowM3h * reference.flowFactor : 0;
  return {
    deviationC:
      reference && secondaryMean !== null
        ? secondaryMean - (reference.secondarySupplyC + reference.secondaryReturnC) / 2
        : null,
    equilibriumIndoorC:
      outdoorC !== null && secondaryMean !== null
        ? equilibriumIndoorC(settings.design, secondaryMean, outdoorC)
        : null,
    flowRatio: sig.primaryFlowM3h !== null && required > 0 ? sig.primaryFlowM3h / required : null,
    indoorMeanC: s.rooms.meanC,
    coldShare: s.rooms.coldShare,
    roomsDecide:
      s.rooms.reporting >= rooms.minCount &&
      s.rooms.households > 0 &&
      s.rooms.reporting / s.rooms.households >= rooms.minShare,
  };
}

function evaluateStation(
  s: SubstationInput,
  position: Position,
  reference: Reference | null,
  outdoorC: number | null,
  previous: StationMemory | undefined,
  settings: EngineSettings,
): { balance: SubstationBalance; memory: StationMemory } {
  const { balance } = settings;
  const sig = s.signals;
  const indicators = indicatorsOf(s, reference, outdoorC, settings);
  const { deviationC, flowRatio, equilibriumIndoorC: equilibrium } = indicators;
  const raw = rawStatus(indicators, previous?.status, balance.thresholds, settings.indoor);
  const mem = persist(raw.status, previous, balance.persistence);
  const status = mem.status;
  // Fault signals (pump fault, stopped pump, make-up water) count even when the
  // temperatures are missing: they are exactly what a dispatcher needs then.
  const anomaly = detectAnomaly({
    input: s,
    position,
    status,
    deviationC,
    flowRatio,
    reference,
    thresholds: balance.thresholds,
  });
  const flag =
    anomaly !== null
      ? null
      : position === 'near' && status === 'overheating'
        ? 'near-end-overheating'
        : position === 'far' && status === 'underheating'
          ? 'far-end-underheating'
          : null;
  const pump = s.pumps.find((p) => p.healthy && p.running !== false) ?? null;
  const recommendation =
    anomaly === null && status !== 'no-data' && !s.settling && pump && flowRatio !== null
      ? recommendPump(pump, flowRatio, status, balance.recommend)
      : null;
  return {
    memory: mem,
    balance: {
      id: s.id,
      branch: s.branch,
      distanceM: s.distanceM,
      position,
      status,
      rawStatus: raw.status,
      basis: raw.basis,
      flag,
      anomaly,
      deviationC,
      referenceSupplyC: reference?.secondarySupplyC ?? null,
      referenceReturnC: reference?.secondaryReturnC ?? null,
      flowRatio,
      equilibriumIndoorC: equilibrium,
      indoorMeanC: s.rooms.meanC,
      coldShare: s.rooms.coldShare,
      roomsReporting: s.rooms.reporting,
      roomsOutliers: s.rooms.outliers ?? 0,
      suspectSensors: s.rooms.suspect ?? [],
      heatIndex:
        outdoorC === null
          ? null
          : heatIndex(settings.design, sig.heatPowerKw, s.heatedAreaM2, outdoorC),
      recommendation,
    },
  };
}

/**
 * What the pumps cannot fix: stations (in practice at the far end) still short of
 * flow with their pump at its maximum need more plant differential pressure; most of the network cold
 * means the plant's supply temperature is too low for the weather.
 */
function networkAdvice(stations: readonly SubstationBalance[]): NetworkAdvice[] {
  const advice: NetworkAdvice[] = [];
  const capped = stations.filter(
    (s) => s.anomaly === null && s.recommendation?.limitedBy === 'maxHz' && (s.flowRatio ?? 1) < 1,
  );
  if (capped.length > 0) {
    advice.push({
      action: 'raise-plant-differential-pressure',
      substations: capped.map((s) => s.id),
      reason: `${capped.length} station(s) short of flow with their pump at maximum speed: ${capped
        .map((s) => `${s.id} ${Math.round((s.flowRatio ?? 0) * 100)} %`)
        .join(', ')}`,
    });
  }
  const judged = stations.filter((s) => s.anomaly === null && s.status !== 'no-data');
  const cold = judged.filter((s) => s.status === 'underheating');
  if (judged.length >= 3 && cold.length * 2 > judged.length) {
    advice.push({
      action: 'raise-supply-temperature',
      substations: cold.map((s) => s.id),
      reason: `${cold.length} of ${judged.length} stations underheating across the network`,
    });
  }
  return advice;
}
