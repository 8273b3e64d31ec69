import type { EngineeringValue } from '../../simulators/modbus/register-image.ts';
import type { ValueSource } from '../../simulators/value-source.ts';
import type { ModbusDeviceConfig } from '../../src/config/schema.ts';

/**
 * Known values for every field of the demo register maps, different per device
 * (offset by the substation's number) so a mix-up between devices shows, and chosen
 * to be exact on the wire (float32 with binary fractions, scaled integers).
 */
export function expectedValues(device: ModbusDeviceConfig): Record<string, EngineeringValue> {
  const n = Number(device.substation.replace(/\D/g, ''));
  if (device.kind === 'pump') {
    return {
      frequency_hz: 40 + n * 0.25,
      frequency_setpoint_hz: 40 + n * 0.25,
      current_a: 20.5 + n,
      power_kw: 7.75 + n,
      fault_code: n,
      run_hours: 100_000 + n,
      running: n % 2 === 1,
    };
  }
  return {
    primary_supply_temp_c: 90.25 + n,
    primary_return_temp_c: 50.5 + n,
    primary_supply_pressure_mpa: 0.75,
    primary_return_pressure_mpa: 0.3125,
    primary_flow_m3h: 40.125 + n,
    secondary_supply_temp_c: 55.3 + n,
    secondary_return_temp_c: -4.7 - n,
    secondary_supply_pressure_mpa: 0.452,
    secondary_return_pressure_mpa: 0.251 + n / 1000,
    secondary_flow_m3h: 123.45 + n,
    heat_power_kw: 1500.5 + n,
    heat_energy_gj: 12345.678 + n,
    makeup_water_m3h: 0.25 * n,
    control_valve_pct: 47.5,
    overtemp_alarm: n % 2 === 0,
    low_pressure_alarm: n % 3 === 0,
    circulation_pump_running: true,
    controller_model: `HN-${n}`,
  };
}

/** A value source serving `expectedValues`, minus fields a test takes over. */
export class FixedSource implements ValueSource {
  readonly writes: { device: string; field: string; value: number }[] = [];
  /** device id → fields the source no longer sets (a test writes raw words there). */
  readonly released = new Map<string, Set<string>>();

  sample(device: ModbusDeviceConfig): Record<string, EngineeringValue> {
    const values = expectedValues(device);
    for (const field of this.released.get(device.id) ?? []) delete values[field];
    return values;
  }

  write(device: ModbusDeviceConfig, field: string, value: number): void {
    this.writes.push({ device: device.id, field, value });
  }

  release(deviceId: string, field: string): void {
    const set = this.released.get(deviceId) ?? new Set<string>();
    set.add(field);
    this.released.set(deviceId, set);
  }
}
