import { designFlowM3h } from '../balance/reference.ts';
import { type RoomSample, robustIndoor } from '../balance/robust.ts';
import type { BalanceInput, PumpSignals, RoomSignals, SubstationInput } from '../balance/types.ts';
import { pumpDrives } from '../config/pump-drives.ts';
import type { Config } from '../config/schema.ts';
import { runToEnd, type Steps } from '../core/slices.ts';
import type { Substation, Topology } from '../domain/topology.ts';
import type { DeviceHealth } from '../ingest/modbus/health.ts';
import type { BalanceWindows, RoomWindow, SubstationField } from '../state/balance-windows.ts';
import type { LiveState } from '../state/live-state.ts';
import type { RollingWindow } from '../state/rolling-window.ts';

export interface InputSources {
  config: Config;
  topology: Topology;
  windows: BalanceWindows;
  state: LiveState;
  /** Modbus devices' health (a VFD that does not answer makes its pump unhealthy). */
  devices: () => readonly Pick<DeviceHealth, 'id' | 'state'>[];
}

/**
 * Builds the engine's input at time `at` from the rolling windows: a window mean
 * only when the newest sample is fresh (within `staleAfterMin`), else null — the
 * engine then says no-data instead of judging from old values.
 */
export function gatherInputs(src: InputSources, at: number): BalanceInput {
  return runToEnd(gatherSteps(src, at));
}

/** The same gathering, yielding after each station (the schedule runs it in slices). */
export function* gatherSteps(src: InputSources, at: number): Steps<BalanceInput> {
  const stream = gatherStream(src, at);
  const substations: SubstationInput[] = [];
  for (const s of stream.stations) {
    substations.push(s);
    yield;
  }
  return { at, outdoorC: stream.outdoorC, substations };
}

/**
 * The network's input as the engine can take it one station at a time (see
 * balance/evaluate.ts `streamSteps`): the outdoor mean now, each station's input only when
 * the engine comes to it. The scheduled evaluation runs this way, so an input is garbage
 * as soon as its station is judged instead of living, with 4,999 others, through the whole
 * evaluation and into the old generation (issue 10).
 */
export function gatherStream(
  src: InputSources,
  at: number,
): { outdoorC: number | null; stations: Iterable<SubstationInput> } {
  const span = windowSpan(src.config.balance, at);
  const drives = pumpDrives(src.config.ingest.modbus);
  const up = new Set(src.devices().flatMap((d) => (d.state === 'up' ? [d.id] : [])));
  const outdoor: number[] = [];
  for (const w of src.windows.weather.values()) {
    const v = freshMean(w, span, span.from);
    if (v !== null) outdoor.push(v);
  }
  return {
    outdoorC: outdoor.length > 0 ? outdoor.reduce((a, v) => a + v, 0) / outdoor.length : null,
    stations: (function* () {
      for (const s of src.topology.substations) yield substationInput(src, s, span, drives, up);
    })(),
  };
}

/** The evaluation's window: (from, at], fresh = newest sample at or after freshFrom. */
interface WindowSpan {
  at: number;
  from: number;
  freshFrom: number;
  settleMs: number;
}

function windowSpan(b: InputSources['config']['balance'], at: number): WindowSpan {
  return {
    at,
    from: at - b.windowMin * 60_000,
    freshFrom: at - b.staleAfterMin * 60_000,
    settleMs: b.settleMin * 60_000,
  };
}

function freshMean(w: RollingWindow | undefined, span: WindowSpan, since: number): number | null {
  if (!w) return null;
  const last = w.lastAt(span.at);
  return last !== null && last >= span.freshFrom ? w.mean(since, span.at) : null;
}

function substationInput(
  src: InputSources,
  s: Substation,
  span: WindowSpan,
  drives: ReturnType<typeof pumpDrives>,
  up: ReadonlySet<string>,
): SubstationInput {
  const fields = src.windows.substations.get(s.id);
  // Water-side means start once the latest setpoint change has settled; while it
  // settles they keep the whole window (and the engine recommends nothing new).
  const settledAt = (src.windows.setpointChangedAt.get(s.id) ?? 0) + span.settleMs;
  const settling = settledAt > span.at;
  const since = settling ? span.from : Math.max(span.from, settledAt);
  const f = (name: SubstationField) => freshMean(fields?.get(name), span, since);
  const supplyP = f('primary_supply_pressure_mpa');
  const returnP = f('primary_return_pressure_mpa');
  return {
    id: s.id,
    source: s.source,
    branch: s.branch,
    distanceM: s.distanceM,
    heatedAreaM2: s.heatedAreaM2,
    designFlowM3h: designFlowM3h(src.config.network.design, s),
    signals: {
      primarySupplyC: f('primary_supply_temp_c'),
      primaryReturnC: f('primary_return_temp_c'),
      primaryFlowM3h: f('primary_flow_m3h'),
      primaryDpMpa: supplyP !== null && returnP !== null ? supplyP - returnP : null,
      secondarySupplyC: f('secondary_supply_temp_c'),
      secondaryReturnC: f('secondary_return_temp_c'),
      heatPowerKw: f('heat_power_kw'),
      makeupM3h: f('makeup_water_m3h'),
    },
    pumps: s.pumps.map((p) => pumpSignals(src, p, drives.get(p.id)?.id, up, span.freshFrom)),
    rooms: roomSignals(src, s, span),
    settling,
  };
}

function pumpSignals(
  src: InputSources,
  p: Substation['pumps'][number],
  vfd: string | undefined,
  up: ReadonlySet<string>,
  freshFrom: number,
): PumpSignals {
  const latest = src.state.latest('pump', 'pump', p.id);
  const value = (field: string) => {
    const sample = latest.get(field);
    return sample && sample.time >= freshFrom ? sample.value : null;
  };
  const num = (field: string) => {
    const v = value(field);
    return typeof v === 'number' ? v : null;
  };
  const running = value('running');
  return {
    id: p.id,
    minHz: p.minHz,
    maxHz: p.maxHz,
    maxStepHz: p.maxStepHz,
    ratedHz: p.ratedHz,
    hz: num('frequency_hz'),
    setpointHz: num(src.config.control.setpointField),
    running: typeof running === 'boolean' ? running : null,
    faultCode: num('fault_code'),
    healthy: vfd !== undefined && up.has(vfd),
  };
}

/**
 * Indoor mean and cold share over the households that report, robust to a few bad
 * sensors (balance/robust.ts): each household's window mean, its zone for the
 * neighbour check, and its half-window means on demand.
 */
function roomSignals(src: InputSources, s: Substation, span: WindowSpan): RoomSignals {
  const households = s.buildings.reduce((n, b) => n + b.households.length, 0);
  const windows = src.windows.rooms.get(s.id);
  const none = { households, reporting: 0, meanC: null, coldShare: null };
  if (!windows) return none;
  const samples = FRESH;
  samples.length = 0;
  for (const room of windows.values()) {
    const last = room.lastAt(span.at);
    if (last === null || last < span.freshFrom) continue;
    const meanC = room.mean(span.from, span.at);
    if (meanC === null) continue;
    if (samples.length === POOL.length) POOL.push(new WindowSample());
    const sample = POOL[samples.length]!;
    sample.set(room, meanC, span);
    samples.push(sample);
  }
  if (samples.length === 0) return none;
  const robust = robustIndoor(samples, src.config.standards.indoor.minC);
  const reporting = samples.length;
  samples.length = 0;
  return { households, reporting, ...robust };
}

/**
 * A household's sample, its halves computed only when asked. A class rather than an
 * object with a closure: 250,000 of them per evaluation at scale, and a closure each
 * (named by the loader, one defineProperty per closure) cost a tenth of the gathering.
 * Reused from station to station and evaluation to evaluation (POOL): a station's samples
 * live only while `roomSignals` runs — synchronously, and `robustIndoor` keeps none — and
 * new ones each time were a quarter of everything the service allocated at scale, which
 * paces the major GC's marking on the event loop (issue 10).
 */
class WindowSample implements RoomSample {
  household = '';
  zone = '';
  areaM2 = 0;
  meanC = 0;
  private room: RoomWindow | undefined;
  private span: WindowSpan | undefined;

  set(room: RoomWindow, meanC: number, span: WindowSpan): void {
    this.room = room;
    this.household = room.household;
    this.zone = room.zone;
    this.areaM2 = room.areaM2;
    this.meanC = meanC;
    this.span = span;
  }

  halvesC(): readonly [number | null, number | null] {
    const { from, at } = this.span!;
    const mid = from + (at - from) / 2;
    return [this.room!.mean(from, mid), this.room!.mean(mid, at)];
  }
}

/** The samples of every station's rooms, reused (see WindowSample). */
const POOL: WindowSample[] = [];
/** The station being gathered's fresh samples, in the order of its windows. */
const FRESH: WindowSample[] = [];
