// Proves the real-server helpers work: each server starts on loopback, does its basic job and,
// where the handle supports it, survives a restart with its data.
import { afterAll, describe, expect, it } from 'vitest';
import { startInfluxd } from '../support/influxd.ts';
import { startMosquitto } from '../support/mosquitto.ts';
import { acceptsTcp } from '../support/process.ts';
import { startVictoriaMetrics } from '../support/victoria.ts';

const TIMEOUT_MS = 60_000;

describe('test support servers', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    await Promise.allSettled(cleanups.map((cleanup) => cleanup()));
  });

  it(
    'influxd stores points and keeps them across a restart',
    async () => {
      const influx = await startInfluxd();
      cleanups.push(() => influx.destroy());
      await influx.createDatabase('heatnet_test');

      const t0 = Date.UTC(2024, 0, 15, 6, 0, 0);
      const lines = [
        `supply,substation=s1 temp_c=71.5 ${t0}`,
        `supply,substation=s1 temp_c=72.25 ${t0 + 60_000}`,
      ];
      const res = await fetch(`${influx.url}/write?db=heatnet_test&precision=ms`, {
        method: 'POST',
        body: lines.join('\n'),
      });
      expect(res.status, await res.text()).toBe(204);

      const q = "SELECT temp_c FROM supply WHERE substation = 's1'";
      const expected = [
        [t0, 71.5],
        [t0 + 60_000, 72.25],
      ];
      const before = await influx.query(q, 'heatnet_test');
      expect(before).toHaveLength(1);
      expect(before[0]?.name).toBe('supply');
      expect(before[0]?.columns).toEqual(['time', 'temp_c']);
      expect(before[0]?.values).toEqual(expected);

      await influx.restart();
      const after = await influx.query(q, 'heatnet_test');
      expect(after[0]?.values).toEqual(expected);

      await expect(influx.query('SELECT FROM', 'heatnet_test')).rejects.toThrow(/error parsing/);
    },
    TIMEOUT_MS,
  );

  it(
    'mosquitto accepts TCP connections, also after a restart with persistence',
    async () => {
      const broker = await startMosquitto({ persistence: true });
      cleanups.push(() => broker.destroy());
      expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
      expect(await acceptsTcp(broker.port)).toBe(true);

      await broker.restart();
      expect(await acceptsTcp(broker.port)).toBe(true);

      // Stopping saves the persistence database; as root this used to fail (see mosquitto.ts).
      await broker.stop();
      expect(broker.logs()).toContain('Saving in-memory database');
      expect(broker.logs()).not.toMatch(/Error saving/);
    },
    TIMEOUT_MS,
  );

  it(
    'victoria-metrics accepts InfluxDB v2 writes and exports them',
    async () => {
      const vm = await startVictoriaMetrics();
      cleanups.push(() => vm.destroy());

      // v2 line protocol defaults to nanoseconds; a string keeps them exact.
      const tMs = Date.UTC(2024, 0, 15, 6, 0, 0);
      const res = await fetch(`${vm.url}/api/v2/write?bucket=x&org=y`, {
        method: 'POST',
        body: `heat_meter,substation=s1 power_kw=120.5 ${tMs}000000`,
      });
      expect(res.status, await res.text()).toBe(204);

      await vm.flush();
      const params = new URLSearchParams({ 'match[]': '{__name__!=""}' });
      const exported = await fetch(`${vm.url}/api/v1/export?${params}`);
      expect(exported.status).toBe(200);
      const rows = (await exported.text())
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as unknown);
      expect(rows).toEqual([
        {
          metric: expect.objectContaining({ __name__: 'heat_meter_power_kw', substation: 's1' }),
          values: [120.5],
          timestamps: [tMs],
        },
      ]);
    },
    TIMEOUT_MS,
  );
});
