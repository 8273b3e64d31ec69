import type { Config, ModbusDeviceConfig } from '../src/config/schema.ts';
import { Topology } from '../src/domain/topology.ts';
import type { EngineeringValue } from './modbus/register-image.ts';
import { createRng, type Rng } from './rng.ts';

/**
 * Where a simulated device's values come from. The Modbus servers only encode what
 * a source says, so the physical network model can replace this placeholder
 * without touching the protocol side.
 */
export interface ValueSource {
  /** Engineering values of a device's fields at simulated time `at` (ms). */
  sample(device: ModbusDeviceConfig, at: number): Record<string, EngineeringValue>;
  /** A write of a writable field arrived (a VFD frequency setpoint, say). */
  write(device: ModbusDeviceConfig, field: string, value: number, at: number): void;
}

const WATER_KJ_PER_M3K = 4184 * 0.98; // c_p · ρ at ~70 °C, kJ/(m³·K)
const RAMP_HZ_PER_S = 1;

/**
 * Plausible, seeded, season-typical values with the classic tilt built in by hand
 * (near end warmer and over-supplied, far end colder). Not a physical model.
 */
export class PlaceholderSource implements ValueSource {
  private readonly topology: Topology;
  private readonly rng: Rng;
  private readonly pumps = new Map<string, { setpointHz: number; hz: number; at: number }>();
  private readonly energyGj = new Map<string, number>();
  private lastAt = new Map<string, number>();

  constructor(private readonly config: Config) {
    this.topology = new Topology(config.network);
    this.rng = createRng(config.simulation.seed);
  }

  sample(device: ModbusDeviceConfig, at: number): Record<string, EngineeringValue> {
    return device.kind === 'pump' ? this.pump(device, at) : this.substation(device, at);
  }

  write(device: ModbusDeviceConfig, field: string, value: number, at: number): void {
    if (field !== 'frequency_setpoint_hz') return;
    const state = this.pumpState(device, at);
    state.setpointHz = value;
  }

  private substation(device: ModbusDeviceConfig, at: number): Record<string, EngineeringValue> {
    const s = this.topology.substation(device.substation);
    const km = (s?.distanceM ?? 0) / 1000;
    const design = this.config.network.design;
    const outdoor = this.config.simulation.weather.meanC;
    const load = (design.indoorC - outdoor) / (design.indoorC - design.outdoorC);
    const tilt = 1.25 - 0.07 * km; // supply share: over near the plant, under far out
    const kw = ((s?.heatedAreaM2 ?? 10000) * design.heatLoadWPerM2 * load) / 1000;
    const supply = 70 + 40 * load - 0.4 * km;
    const ret =
      supply - (design.primary.supplyC - design.primary.returnC) * load * (2 - tilt) * 0.9;
    const flow = ((kw * 3600) / (WATER_KJ_PER_M3K * Math.max(5, supply - ret))) * tilt;
    const secSupply = 38 + 20 * load * tilt;
    const energy = this.accumulate(device.id, kw, at);
    return {
      primary_supply_temp_c: this.noisy(supply, 0.2),
      primary_return_temp_c: this.noisy(ret, 0.2),
      primary_supply_pressure_mpa: this.noisy(0.85 - 0.035 * km, 0.002),
      primary_return_pressure_mpa: this.noisy(0.3 + 0.012 * km, 0.002),
      primary_flow_m3h: this.noisy(flow, flow * 0.01),
      secondary_supply_temp_c: this.noisy(secSupply, 0.2),
      secondary_return_temp_c: this.noisy(secSupply - 12 * load, 0.2),
      secondary_supply_pressure_mpa: this.noisy(0.45, 0.003),
      secondary_return_pressure_mpa: this.noisy(0.25, 0.003),
      secondary_flow_m3h: this.noisy(flow * 3.2, flow * 0.02),
      heat_power_kw: this.noisy(kw * tilt, kw * 0.01),
      heat_energy_gj: energy,
      makeup_water_m3h: this.noisy(0.15, 0.02),
      control_valve_pct: Math.min(100, 45 + 6 * km),
      overtemp_alarm: false,
      low_pressure_alarm: false,
      circulation_pump_running: true,
      controller_model: 'HN-PLC',
    };
  }

  private pump(device: ModbusDeviceConfig, at: number): Record<string, EngineeringValue> {
    const state = this.pumpState(device, at);
    const dt = Math.max(0, (at - state.at) / 1000);
    const step = Math.min(Math.abs(state.setpointHz - state.hz), RAMP_HZ_PER_S * dt);
    state.hz += Math.sign(state.setpointHz - state.hz) * step;
    state.at = at;
    const ratio = state.hz / 50;
    return {
      frequency_hz: state.hz,
      frequency_setpoint_hz: state.setpointHz,
      current_a: this.noisy(4 + 26 * ratio ** 3, 0.1),
      power_kw: this.noisy(15 * ratio ** 3, 0.05),
      fault_code: 0,
      run_hours: 1200 + (Math.floor(at / 3_600_000) % 100000),
      running: state.hz > 0,
    };
  }

  private pumpState(device: ModbusDeviceConfig, at: number) {
    const id = device.pump ?? device.id;
    let state = this.pumps.get(id);
    if (!state) {
      state = { setpointHz: 40, hz: 40, at };
      this.pumps.set(id, state);
    }
    return state;
  }

  private accumulate(id: string, kw: number, at: number): number {
    const last = this.lastAt.get(id) ?? at;
    this.lastAt.set(id, at);
    const total =
      (this.energyGj.get(id) ?? 5000 + this.rng.next() * 1000) + (kw * (at - last)) / 1e9;
    this.energyGj.set(id, total);
    return total;
  }

  private noisy(value: number, sd: number): number {
    return value + this.rng.normal() * sd;
  }
}
