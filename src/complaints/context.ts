import type { BalanceResult, SubstationBalance } from '../balance/types.ts';
import type { Config } from '../config/schema.ts';
import type {
  DiagnosisView,
  MeterReading,
  PlcReading,
  RoomReading,
  RoomVisitor,
} from '../diagnosis/view.ts';
import type { Topology } from '../domain/topology.ts';
import type { FieldSample, LiveState } from '../state/live-state.ts';

/**
 * The pure diagnosis's inputs gathered from the live state (latest room, building-meter
 * and PLC readings) and the latest balance evaluation, as lookups: a complaint reads a
 * few dozen series, the sweep each building's once. Nothing is copied up front.
 */
export interface ContextSources {
  config: Config;
  topology: Topology;
  state: LiveState;
  balance: () => BalanceResult;
}

const num = (s: FieldSample | undefined): number | null =>
  s !== undefined && typeof s.value === 'number' && Number.isFinite(s.value) ? s.value : null;

/** Each room of the building with a finite temperature, in the live state's order. */
function eachRoom(state: LiveState, building: string, visit: RoomVisitor): void {
  for (const s of state.find('room', 'building', building)) {
    const tempC = s.fields.valueAt('temp_c');
    const household = s.tags.household;
    if (typeof tempC !== 'number' || !Number.isFinite(tempC) || household === undefined) continue;
    visit(household, s.tags.zone, tempC, s.fields.timeAt('temp_c'));
  }
}

function rooms(state: LiveState, building: string): RoomReading[] {
  const out: RoomReading[] = [];
  eachRoom(state, building, (household, zone, tempC, at) => {
    out.push(zone === undefined ? { household, tempC, at } : { household, zone, tempC, at });
  });
  return out;
}

function meter(state: LiveState, building: string): MeterReading | undefined {
  const f = state.latest('building', 'building', building);
  const flow = f.get('flow_m3h');
  if (!flow) return undefined;
  return {
    supplyC: num(f.get('supply_temp_c')),
    returnC: num(f.get('return_temp_c')),
    flowM3h: num(flow),
    heatKw: num(f.get('heat_power_kw')),
    at: flow.time,
  };
}

function plc(state: LiveState, substation: string): PlcReading | undefined {
  const f = state.latest('substation', 'substation', substation);
  const flow = f.get('primary_flow_m3h');
  if (!flow) return undefined;
  return { primaryFlowM3h: num(flow), heatPowerKw: num(f.get('heat_power_kw')), at: flow.time };
}

/** One answer per key for the life of a view: the sweep reads each meter once per sibling. */
function memo<T>(read: (key: string) => T): (key: string) => T {
  const seen = new Map<string, T>();
  return (key) => {
    if (seen.has(key)) return seen.get(key) as T;
    const value = read(key);
    seen.set(key, value);
    return value;
  };
}

/**
 * Each evaluation's stations by id, built once per evaluation: built per call it cost 4–14 ms
 * of every complaint at 5,000 stations (issue 10's intake bench), growing with the network.
 */
const stationIndex = new WeakMap<BalanceResult, Map<string, SubstationBalance>>();

function stationsOf(result: BalanceResult): Map<string, SubstationBalance> {
  let index = stationIndex.get(result);
  if (!index) {
    index = new Map(result.substations.map((s) => [s.id, s]));
    stationIndex.set(result, index);
  }
  return index;
}

/** The view of the network at `at`, over the current live state and evaluation. */
export function diagnosisView(src: ContextSources, at: number): DiagnosisView {
  const result = src.balance();
  const stations = stationsOf(result);
  const evaluated = result.substations.length > 0 || result.evaluatedAt > 0;
  return {
    at,
    topology: src.topology,
    settings: src.config.service.diagnosis,
    minC: src.config.standards.indoor.minC,
    targetC: src.config.standards.indoor.targetC,
    flowRatioLow: src.config.balance.thresholds.flowRatioLow,
    rooms: (b) => rooms(src.state, b),
    eachRoom: (b, visit) => eachRoom(src.state, b, visit),
    meter: memo((b) => meter(src.state, b)),
    plc: (s) => plc(src.state, s),
    station: (s) => stations.get(s),
    evaluatedAt: evaluated ? result.evaluatedAt : null,
    network: result.network,
  };
}
