import type { ModbusDeviceConfig } from '../src/config/schema.ts';
import type { EngineeringValue } from './modbus/register-image.ts';

/**
 * Where a simulated device's values come from. The Modbus servers only encode what
 * a source says, so the physical model and test fixtures plug in alike.
 */
export interface ValueSource {
  /** Engineering values of a device's fields now; a field left out keeps its last value. */
  sample(device: ModbusDeviceConfig, at: number): Record<string, EngineeringValue>;
  /** A write of a writable field arrived (a VFD frequency setpoint, say). */
  write(device: ModbusDeviceConfig, field: string, value: number, at: number): void;
}
