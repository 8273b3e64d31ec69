import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultBook } from '../../simulators/faults.ts';
import { SimulatedModbusServers } from '../../simulators/modbus/server.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { ModbusIngestor } from '../../src/ingest/modbus/ingestor.ts';
import { testConfig } from '../support/config.ts';
import { FixedSource } from '../support/fixed-source.ts';
import { freePort } from '../support/ports.ts';
import { WireServer } from './modbus-wire-server.ts';

/**
 * Isolation over real Modbus TCP: a dead device costs only its own time. Three
 * simulated gateways (a PLC and a VFD each) plus two dead endpoints — a port nobody
 * listens on and a server that accepts but never answers. On the first gateway the
 * PLC is offline while its VFD answers. Healthy devices on the other gateways must
 * keep their cadence, measured as the intervals between their successful polls.
 */
const INTERVAL_MS = 300;
const TIMEOUT_MS = 250;
const RUN_MS = 4500;

describe('a dead device costs only its own time', () => {
  let config: Config;
  let servers: SimulatedModbusServers;
  let silent: WireServer;
  let ingestor: ModbusIngestor;
  /** device id → times of its successful and failed polls. */
  const polls = new Map<string, { ok: number[]; failed: number[] }>();

  beforeAll(async () => {
    config = await testConfig({ substations: 3 });
    const book = new FaultBook(Date.now());
    book.add({ type: 'device-offline', device: 'S01-plc' });
    servers = new SimulatedModbusServers(config, new FixedSource(), Date.now, book);
    await servers.start();
    silent = new WireServer(() => ({ kind: 'silence' }));
    const silentPort = await silent.listen();
    const refusedPort = await freePort();
    const template = config.ingest.modbus.devices.find((d) => d.id === 'S02-plc')!;
    config.ingest.modbus.devices.push(
      { ...template, id: 'S02-dead-refused', url: `tcp://127.0.0.1:${refusedPort}` },
      { ...template, id: 'S02-dead-silent', url: `tcp://127.0.0.1:${silentPort}` },
    );
    config.ingest.modbus.defaults = {
      ...config.ingest.modbus.defaults,
      intervalMs: INTERVAL_MS,
      timeoutMs: TIMEOUT_MS,
    };
    const record = (readings: Reading[]) => {
      for (const r of readings) {
        if (r.measurement !== 'device_health') continue;
        const entry = polls.get(r.tags.device!) ?? { ok: [], failed: [] };
        polls.set(r.tags.device!, entry);
        (r.fields.ok ? entry.ok : entry.failed).push(r.time);
      }
    };
    ingestor = new ModbusIngestor(config, record, silentLogger());
    await ingestor.start();
    await new Promise((r) => setTimeout(r, RUN_MS));
  });

  afterAll(async () => {
    await ingestor?.stop();
    await servers?.stop();
    await silent?.close();
  });

  const healthy = () =>
    config.ingest.modbus.devices
      .map((d) => d.id)
      .filter((id) => !id.startsWith('S01') && !id.includes('dead'));

  it('healthy devices on other endpoints keep their cadence', () => {
    expect(healthy()).toHaveLength(4);
    for (const id of healthy()) {
      const { ok, failed } = polls.get(id) ?? { ok: [], failed: [] };
      expect(failed, id).toEqual([]);
      // Every interval: ~300 ms; allow scheduling noise, never a timeout's worth more.
      const gaps = ok.slice(1).map((t, i) => t - ok[i]!);
      expect(Math.max(...gaps), `${id}: ${gaps.join(' ')}`).toBeLessThan(INTERVAL_MS + 150);
      const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      expect(Math.abs(mean - INTERVAL_MS), `${id} mean ${mean}`).toBeLessThan(30);
      expect(ok.length, id).toBeGreaterThanOrEqual(Math.floor(RUN_MS / INTERVAL_MS) - 2);
    }
  });

  it('dead devices go down and back off instead of polling at full rate', () => {
    const health = new Map(ingestor.health().map((h) => [h.id, h]));
    for (const id of ['S01-plc', 'S02-dead-refused', 'S02-dead-silent']) {
      const h = health.get(id)!;
      expect(h.state, id).toBe('down');
      expect(h.polls, id).toBeLessThan(Math.floor(RUN_MS / INTERVAL_MS) - 4);
      expect(polls.get(id)?.ok ?? [], id).toEqual([]);
    }
    expect(health.get('S02-dead-refused')).toMatchObject({ timeouts: 0 });
    expect(health.get('S02-dead-refused')!.connectionErrors).toBeGreaterThan(0);
    expect(health.get('S02-dead-silent')!.timeouts).toBeGreaterThan(0);
    expect(health.get('S01-plc')!.lastError).toMatch(/no answer in 250 ms/);
  });

  it('the unit sharing a gateway with a dead one keeps polling, delayed at most by its timeouts', () => {
    const { ok, failed } = polls.get('S01-P1-vfd')!;
    expect(failed).toEqual([]);
    const gaps = ok.slice(1).map((t, i) => t - ok[i]!);
    // One request in flight per gateway: the offline PLC's timeout can hold it once per cycle.
    expect(Math.max(...gaps), gaps.join(' ')).toBeLessThan(INTERVAL_MS + TIMEOUT_MS + 150);
    expect(ok.length).toBeGreaterThanOrEqual(Math.floor(RUN_MS / INTERVAL_MS) - 4);
  });

  it('stops promptly although dead devices are mid-timeout', async () => {
    const started = performance.now();
    await ingestor.stop();
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 500);
  });
});
