import { pumpDrives } from '../config/pump-drives.ts';
import type { Config, ModbusDeviceConfig, RegisterField } from '../config/schema.ts';
import type { Pump, Topology } from '../domain/topology.ts';
import type { Refusal } from './types.ts';

/** What a frequency change of one pump writes to: its drive and the setpoint field. */
export interface ControlTarget {
  pump: Pump;
  device: ModbusDeviceConfig;
  field: RegisterField;
}

/** The VFD device of a pump: the `kind: pump` device naming it (DESIGN §4.1). */
export function vfdOf(config: Config, pumpId: string): ModbusDeviceConfig | undefined {
  return pumpDrives(config.ingest.modbus).get(pumpId);
}

/**
 * Pump → drive → writable setpoint field, or why the pump cannot be controlled: an
 * unknown pump is a 404, a pump without a drive or a map without a writable setpoint
 * is a configuration gap (409), said plainly so the integrator knows what to add.
 */
export function resolveTarget(
  config: Config,
  topology: Topology,
  pumpId: string,
): ControlTarget | Refusal {
  const pump = topology.pump(pumpId);
  if (!pump) return { code: 'PUMP_NOT_FOUND', message: `unknown pump "${pumpId}"`, field: 'id' };
  const device = vfdOf(config, pumpId);
  if (!device) {
    return {
      code: 'NOT_CONTROLLABLE',
      message: `${pumpId} has no VFD device (ingest.modbus.devices needs kind: pump, pump: ${pumpId})`,
      field: 'id',
    };
  }
  const name = config.control.setpointField;
  const field = config.ingest.modbus.maps[device.map]?.find((f) => f.field === name);
  if (!field?.writable || field.area !== 'holding' || field.bit !== undefined) {
    return {
      code: 'NOT_CONTROLLABLE',
      message: `map "${device.map}" of ${device.id} has no writable holding field ${name}`,
      field: 'id',
    };
  }
  return { pump, device, field };
}

export const isRefusal = (x: ControlTarget | Refusal): x is Refusal => 'code' in x;
