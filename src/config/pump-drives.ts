import type { ModbusConfig, ModbusDeviceConfig } from './schema.ts';

const cache = new WeakMap<ModbusConfig, ReadonlyMap<string, ModbusDeviceConfig>>();

/**
 * Pump id → its VFD: the first `kind: pump` device naming it (DESIGN §4.1). Built
 * once per loaded config and shared by the engine, the control path and the API,
 * which all look drives up per pump across thousands of stations.
 */
export function pumpDrives(modbus: ModbusConfig): ReadonlyMap<string, ModbusDeviceConfig> {
  let drives = cache.get(modbus);
  if (!drives) {
    const map = new Map<string, ModbusDeviceConfig>();
    for (const d of modbus.devices) {
      if (d.kind === 'pump' && d.pump && !map.has(d.pump)) map.set(d.pump, d);
    }
    drives = map;
    cache.set(modbus, drives);
  }
  return drives;
}
