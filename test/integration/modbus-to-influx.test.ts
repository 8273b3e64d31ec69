import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../simulators/simulator.ts';
import { HeatnetApp } from '../../src/app.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { eventually, testConfig } from '../support/config.ts';
import { expectedValues, FixedSource } from '../support/fixed-source.ts';
import { type InfluxdHandle, startInfluxd } from '../support/influxd.ts';

/**
 * The walking skeleton end to end over real protocols: simulated PLCs and VFDs on
 * Modbus TCP → heatnet's poller → a real InfluxDB 1.x (/write) → InfluxQL, and the
 * values that come back are the ones the devices hold.
 */
describe('simulator → Modbus poller → InfluxDB 1.x', () => {
  let influx: InfluxdHandle;
  let config: Config;
  let simulator: Simulator;
  let app: HeatnetApp;
  const source = new FixedSource();

  beforeAll(async () => {
    influx = await startInfluxd();
    await influx.createDatabase('heatnet');
    config = await testConfig({
      substations: 4,
      influx: { url: influx.url, version: 1, db: 'heatnet' },
    });
    simulator = new Simulator(config, silentLogger(), { source });
    await simulator.start();
    app = new HeatnetApp(config, { log: silentLogger() });
    await app.start();
    await eventually(() => app.modbus.health().every((d) => d.polls >= 3), {
      what: 'three polls of every device',
    });
    await app.stop();
  });

  afterAll(async () => {
    await simulator?.stop();
    await influx?.destroy();
  });

  it('stores every field of every device with the value the device holds', async () => {
    for (const device of config.ingest.modbus.devices) {
      const tag = device.kind === 'pump' ? 'pump' : 'substation';
      const id = device.kind === 'pump' ? device.pump : device.substation;
      const series = await influx.query(
        `SELECT * FROM "${device.kind}" WHERE "${tag}" = '${id}' ORDER BY time DESC LIMIT 1`,
        'heatnet',
      );
      expect(series, `${device.id} has data`).toHaveLength(1);
      const row = Object.fromEntries(
        series[0]!.columns.map((c, i) => [c, series[0]!.values[0]![i]]),
      );
      for (const [field, value] of Object.entries(expectedValues(device))) {
        expect(row[field], `${device.id}.${field}`).toEqual(value);
      }
    }
  });

  it('tags substation readings with their source and pump readings with their pump', async () => {
    const tags = await influx.query(
      'SHOW TAG VALUES FROM "substation" WITH KEY = "source"',
      'heatnet',
    );
    expect(tags[0]?.values).toEqual([['source', 'P1']]);
    const pumps = await influx.query('SHOW TAG VALUES FROM "pump" WITH KEY = "pump"', 'heatnet');
    const expected = config.network.substations.flatMap((s) => s.pumps.map((p) => p.id)).sort();
    expect(pumps[0]?.values.map((v) => v[1]).sort()).toEqual(expected);
  });

  it('writes unscaled integers as integers and scaled values as floats', async () => {
    const keys = await influx.query('SHOW FIELD KEYS FROM "pump"', 'heatnet');
    const types = Object.fromEntries(keys[0]!.values.map(([k, t]) => [k, t]));
    expect(types).toMatchObject({
      fault_code: 'integer',
      run_hours: 'integer',
      frequency_hz: 'float',
      running: 'boolean',
    });
  });

  it('keeps every poll: point count matches the polls counted in health', async () => {
    for (const h of app.modbus.health()) {
      const device = config.ingest.modbus.devices.find((d) => d.id === h.id)!;
      const [tag, id, field] =
        device.kind === 'pump'
          ? ['pump', device.pump, 'running']
          : ['substation', device.substation, 'circulation_pump_running'];
      const count = await influx.query(
        `SELECT count("${field}") FROM "${device.kind}" WHERE "${tag}" = '${id}'`,
        'heatnet',
      );
      expect(count[0]?.values[0]?.[1], h.id).toBe(h.polls - h.failures);
    }
  });

  it('records device health after every poll', async () => {
    const series = await influx.query(
      'SELECT last("ok"), last("latency_ms") FROM "device_health" GROUP BY "device"',
      'heatnet',
    );
    expect(series).toHaveLength(config.ingest.modbus.devices.length);
    for (const s of series) expect(s.values[0]?.[1]).toBe(true);
  });
});
