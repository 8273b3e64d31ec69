import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../simulators/simulator.ts';
import { HeatnetApp } from '../../src/app.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { eventually, testConfig } from '../support/config.ts';
import { expectedValues, FixedSource } from '../support/fixed-source.ts';
import { startVictoriaMetrics, type VictoriaMetricsHandle } from '../support/victoria.ts';

/**
 * The InfluxDB 2.x write path (@influxdata/influxdb-client, /api/v2/write, gzip)
 * against VictoriaMetrics, a real server implementing that endpoint — no InfluxDB 2
 * server can be installed here (DESIGN §5).
 */
describe('storage.influx version 2', () => {
  let vm: VictoriaMetricsHandle;
  let config: Config;
  let simulator: Simulator;

  beforeAll(async () => {
    vm = await startVictoriaMetrics();
    config = await testConfig({
      substations: 2,
      influx: { url: vm.url, version: 2, org: 'heat', bucket: 'heatnet', token: 'test-token' },
    });
    simulator = new Simulator(config, silentLogger(), { source: new FixedSource() });
    await simulator.start();
    const app = new HeatnetApp(config, { log: silentLogger() });
    await app.start();
    await eventually(() => app.modbus.health().every((d) => d.polls >= 2), { what: 'two polls' });
    await app.stop();
    expect(app.writer.health()).toMatchObject({
      kind: 'influx-v2',
      lastError: null,
      backlogLines: 0,
    });
    await vm.flush();
  });

  afterAll(async () => {
    await simulator?.stop();
    await vm?.destroy();
  });

  it('delivers the readings with their values', async () => {
    // Under load a freshly flushed part can take a moment to become searchable, and an
    // empty answer is cached per matcher: vary the matcher on every attempt.
    let attempt = 0;
    const rows = await eventually(
      async () => {
        attempt++;
        const match = `{__name__=~"substation_.*", substation=~"S01|S02|retry${attempt}"}`;
        const res = await fetch(
          `${vm.url}/api/v1/export?${new URLSearchParams({ 'match[]': match })}`,
        );
        const text = (await res.text()).trim();
        if (text === '') return undefined;
        return text
          .split('\n')
          .map((l) => JSON.parse(l) as { metric: Record<string, string>; values: number[] });
      },
      { timeoutMs: 20_000, intervalMs: 500, what: 'exported series' },
    );
    const device = config.ingest.modbus.devices.find((d) => d.id === 'S01-plc')!;
    const want = expectedValues(device);
    const supply = rows.find(
      (r) =>
        r.metric.__name__ === 'substation_primary_supply_temp_c' && r.metric.substation === 'S01',
    );
    expect(supply?.metric.source).toBe('P1');
    expect(supply?.values.at(-1)).toBe(want.primary_supply_temp_c);
    const energy = rows.find(
      (r) => r.metric.__name__ === 'substation_heat_energy_gj' && r.metric.substation === 'S01',
    );
    expect(energy?.values.at(-1)).toBe(want.heat_energy_gj);
  });
});
