import { designFlowM3h } from '../balance/reference.ts';
import { type RoomSample, robustIndoor } from '../balance/robust.ts';
import type { BalanceInput, PumpSignals, RoomSignals, SubstationInput } from '../balance/types.ts';
import { pumpDrives } from '../config/pump-drives.ts';
import type { Config } from '../config/schema.ts';
import type { Substation, Topology } from '../domain/topology.ts';
import type { DeviceHealth } from '../ingest/modbus/health.ts';
import type { BalanceWindows, SubstationField } from '../state/balance-windows.ts';
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
  const b = src.config.balance;
  const from = at - b.windowMin * 60_000;
  const freshFrom = at - b.staleAfterMin * 60_000;
  const meanOf = (w: RollingWindow | undefined, since = from) => {
    if (!w) return null;
    const last = w.lastAt(at);
    return last !== null && last >= freshFrom ? w.mean(since, at) : null;
  };
  const drives = pumpDrives(src.config.ingest.modbus);
  const up = new Set(src.devices().flatMap((d) => (d.state === 'up' ? [d.id] : [])));
  const outdoor = [...src.windows.weather.values()].map(meanOf).filter((v) => v !== null);
  const substations = src.topology.substations.map((s): SubstationInput => {
    const fields = src.windows.substations.get(s.id);
    // Water-side means start once the latest setpoint change has settled; while it
    // settles they keep the whole window (and the engine recommends nothing new).
    const settledAt = (src.windows.setpointChangedAt.get(s.id) ?? 0) + b.settleMin * 60_000;
    const settling = settledAt > at;
    const since = settling ? from : Math.max(from, settledAt);
    const f = (name: SubstationField) => meanOf(fields?.get(name), since);
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
      pumps: s.pumps.map((p) => pumpSignals(src, p, drives.get(p.id)?.id, up, freshFrom)),
      rooms: roomSignals(src, s, from, freshFrom, at),
      settling,
    };
  });
  return {
    at,
    outdoorC: outdoor.length > 0 ? outdoor.reduce((a, v) => a + v, 0) / outdoor.length : null,
    substations,
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
function roomSignals(
  src: InputSources,
  s: Substation,
  from: number,
  freshFrom: number,
  at: number,
): RoomSignals {
  const households = s.buildings.reduce((n, b) => n + b.households.length, 0);
  const windows = src.windows.rooms.get(s.id);
  const none = { households, reporting: 0, meanC: null, coldShare: null };
  if (!windows) return none;
  const mid = from + (at - from) / 2;
  const samples: RoomSample[] = [];
  for (const { window, areaM2, household, zone } of windows) {
    const last = window.lastAt(at);
    if (last === null || last < freshFrom) continue;
    const meanC = window.mean(from, at);
    if (meanC === null) continue;
    samples.push({
      household,
      zone,
      areaM2,
      meanC,
      halvesC: () => [window.mean(from, mid), window.mean(mid, at)],
    });
  }
  if (samples.length === 0) return none;
  const robust = robustIndoor(samples, src.config.standards.indoor.minC);
  return { households, reporting: samples.length, ...robust };
}
