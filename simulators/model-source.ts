import type { ModbusDeviceConfig } from '../src/config/schema.ts';
import type { EngineeringValue } from './modbus/register-image.ts';
import { BASE_MAKEUP_M3H, type NetworkModel } from './model/network-model.ts';
import { createRng, type Rng } from './rng.ts';
import type { ValueSource } from './value-source.ts';

/** Static pressure the plant's make-up keeps on the primary return, MPa. */
const PRIMARY_RETURN_MPA = 0.3;
/** Secondary loop pressures at a healthy substation, MPa. */
const SECONDARY_SUPPLY_MPA = 0.45;
const SECONDARY_RETURN_MPA = 0.25;
/** Pressure a secondary leak costs per m³/h of make-up beyond normal, MPa. */
const LEAK_MPA_PER_M3H = 0.06;
const PUMP_EFFICIENCY = 0.62;
const MOTOR_VOLTAGE_V = 380;

/**
 * The network model as its PLCs and VFDs report it: each map field by its name
 * (DESIGN §4.2), with a little sensor noise. Writes of `frequency_setpoint_hz`
 * reach the pump's drive, which ramps the pump and so changes the hydraulics.
 */
export class ModelSource implements ValueSource {
  private readonly rng: Rng;

  constructor(private readonly model: NetworkModel) {
    this.rng = createRng(model.config.simulation.seed ^ 0x50c);
  }

  sample(device: ModbusDeviceConfig): Record<string, EngineeringValue> {
    return device.kind === 'pump' ? this.pump(device) : this.substation(device);
  }

  write(device: ModbusDeviceConfig, field: string, value: number): void {
    if (field !== 'frequency_setpoint_hz' || !device.pump) return;
    this.model.pumps.get(device.pump)?.setSetpoint(value);
  }

  private substation(device: ModbusDeviceConfig): Record<string, EngineeringValue> {
    const s = this.model.substations.get(device.substation);
    if (!s) return {};
    const leakMpa = Math.max(0, s.makeupM3h - BASE_MAKEUP_M3H) * LEAK_MPA_PER_M3H;
    const secSupplyMpa = Math.max(0.02, SECONDARY_SUPPLY_MPA - leakMpa);
    const secReturnMpa = Math.max(0.01, SECONDARY_RETURN_MPA - leakMpa);
    return {
      primary_supply_temp_c: this.noisy(s.primarySupplyC, 0.1),
      primary_return_temp_c: this.noisy(s.primaryReturnC, 0.1),
      primary_supply_pressure_mpa: this.noisy(PRIMARY_RETURN_MPA + s.availableKpa / 1000, 0.002),
      primary_return_pressure_mpa: this.noisy(PRIMARY_RETURN_MPA, 0.002),
      primary_flow_m3h: this.noisy(s.primaryFlowM3h, s.primaryFlowM3h * 0.005),
      secondary_supply_temp_c: this.noisy(s.secondarySupplyC, 0.1),
      secondary_return_temp_c: this.noisy(s.secondaryReturnC, 0.1),
      secondary_supply_pressure_mpa: this.noisy(secSupplyMpa, 0.002),
      secondary_return_pressure_mpa: this.noisy(secReturnMpa, 0.002),
      secondary_flow_m3h: this.noisy(s.secondaryFlowM3h, s.secondaryFlowM3h * 0.005),
      heat_power_kw: this.noisy(s.heatKw, s.heatKw * 0.005),
      heat_energy_gj: s.energyGj,
      makeup_water_m3h: Math.max(0, this.noisy(s.makeupM3h, 0.01)),
      // Distributed pumping: the pump throttles, the valve stays open.
      control_valve_pct: 100,
      overtemp_alarm: s.secondarySupplyC > 75,
      low_pressure_alarm: secReturnMpa < 0.15,
      circulation_pump_running: true,
      controller_model: 'HN-PLC',
    };
  }

  private pump(device: ModbusDeviceConfig): Record<string, EngineeringValue> {
    const drive = device.pump ? this.model.pumps.get(device.pump) : undefined;
    if (!drive) return {};
    const flow = this.model.hydraulicState().flowM3h.get(device.substation) ?? 0;
    const headKpa = this.model.pumpHeadKpa(device.substation, drive.hz, flow);
    // Hydraulic power Q·H over the pump's efficiency, plus the drive's own losses.
    const powerKw = drive.running ? ((flow / 3600) * headKpa) / PUMP_EFFICIENCY + 0.3 : 0;
    return {
      frequency_hz: drive.hz,
      frequency_setpoint_hz: drive.setpointHz,
      current_a: drive.running
        ? this.noisy((powerKw * 1000) / (Math.sqrt(3) * MOTOR_VOLTAGE_V * 0.85), 0.05)
        : 0,
      power_kw: Math.max(0, this.noisy(powerKw, 0.02)),
      fault_code: drive.faultCode,
      run_hours: Math.floor(drive.runSeconds / 3600),
      running: drive.running,
    };
  }

  private noisy(value: number, sd: number): number {
    return value + this.rng.normal() * sd;
  }
}
