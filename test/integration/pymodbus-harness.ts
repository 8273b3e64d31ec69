import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { ModbusIngestor } from '../../src/ingest/modbus/ingestor.ts';
import { eventually, type RawConfig, testConfig } from '../support/config.ts';
import { plcExpected, plcRegisterMap } from '../support/pymodbus.ts';

/**
 * heatnet's Modbus ingestor, configured through the real loader, reading the pymodbus
 * PLC (test/support/pymodbus_plc.py) over whatever transport the devices name.
 */
export const PLC_MAP = 'pymodbus-plc';
export const PLC_MAP_WITH_HOLE = 'pymodbus-plc-with-hole';

export async function plcConfig(
  devices: RawConfig[],
  listeners: RawConfig[] = [],
): Promise<Config> {
  return testConfig({
    // One substation per device: a reading names its substation, so that tells them apart.
    substations: Math.max(1, devices.length),
    patch(raw) {
      const substations = (raw.network.substations as RawConfig[]).map((s) => s.id as string);
      raw.ingest.modbus.maps[PLC_MAP] = plcRegisterMap();
      // The same, plus a register the PLC does not have: it answers exception 2 for it.
      raw.ingest.modbus.maps[PLC_MAP_WITH_HOLE] = [
        ...plcRegisterMap(),
        { field: 'unmapped', area: 'holding', address: 1000, type: 'uint16', sentinels: false },
      ];
      raw.ingest.modbus.devices = devices.map((d, i) => ({
        substation: substations[i],
        kind: 'substation',
        map: PLC_MAP,
        intervalMs: 300,
        timeoutMs: 1500,
        ...d,
      }));
      raw.ingest.modbus.listeners = listeners;
    },
  });
}

export class PlcReader {
  readonly ingestor: ModbusIngestor;
  /** Each device's last reading (not health), by device id. */
  readonly latest = new Map<string, Reading>();

  constructor(config: Config) {
    const byTags = new Map(config.ingest.modbus.devices.map((d) => [d.substation, d.id] as const));
    this.ingestor = new ModbusIngestor(
      config,
      (readings) => {
        for (const r of readings) {
          const id = byTags.get(r.tags.substation ?? '');
          if (r.measurement !== 'device_health' && id) this.latest.set(id, r);
        }
      },
      silentLogger(),
    );
  }

  /** Waits for a reading of `device` newer than `after` that decodes every field exactly. */
  async exact(device: string, after = 0, timeoutMs = 20_000): Promise<Reading> {
    const expected = plcExpected();
    let last: Reading | undefined;
    return eventually(
      () => {
        last = this.latest.get(device);
        if (!last || last.time <= after) return undefined;
        return JSON.stringify(last.fields) === JSON.stringify(sorted(last.fields, expected))
          ? last
          : undefined;
      },
      {
        timeoutMs,
        what: () =>
          `${device} to decode every field (last: ${JSON.stringify(last?.fields)}, health: ${JSON.stringify(
            this.ingestor.health().find((h) => h.id === device)?.lastError,
          )})`,
      },
    );
  }
}

/** `expected` in the key order of `actual`, so a JSON comparison is exact but order-blind. */
function sorted(
  actual: Readonly<Record<string, unknown>>,
  expected: Record<string, unknown>,
): Record<string, unknown> {
  const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
  return Object.fromEntries([...keys].map((k) => [k, expected[k]]));
}
