import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultBook } from '../../simulators/faults.ts';
import { SimulatedModbusServers } from '../../simulators/modbus/server.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { LATE_START_MS } from '../../src/ingest/modbus/health.ts';
import { ModbusIngestor } from '../../src/ingest/modbus/ingestor.ts';
import { createMetrics } from '../../src/metrics.ts';
import { testConfig } from '../support/config.ts';
import { FixedSource } from '../support/fixed-source.ts';

/**
 * Issue 15 defect 6: work on the event loop (there, 50 clients reading the substation
 * list) delays the poller's timers, and nothing showed it. Over real Modbus TCP, the
 * test holds the event loop as a burst of API requests would, then reads what health,
 * the device_health point and /metrics say. Lateness is asserted to be reported, never
 * how large it is beyond the block the test itself made.
 */
const INTERVAL_MS = 200;
const BLOCK_MS = 3 * INTERVAL_MS;

/** Keeps the event loop busy, as synchronous request handling does. */
function holdEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin: timers cannot fire meanwhile
  }
}

describe('poll lateness under event-loop load', () => {
  let config: Config;
  let servers: SimulatedModbusServers;
  let ingestor: ModbusIngestor;
  const healthPoints: Reading[] = [];

  beforeAll(async () => {
    config = await testConfig({ substations: 1 });
    servers = new SimulatedModbusServers(config, new FixedSource(), Date.now, new FaultBook(0));
    await servers.start();
    config.ingest.modbus.defaults = {
      ...config.ingest.modbus.defaults,
      intervalMs: INTERVAL_MS,
      timeoutMs: 1000,
    };
    ingestor = new ModbusIngestor(
      config,
      (readings) => healthPoints.push(...readings.filter((r) => r.measurement === 'device_health')),
      silentLogger(),
    );
    await ingestor.start();
    const deadline = Date.now() + 10_000;
    while (!ingestor.health().every((h) => h.state === 'up') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    holdEventLoop(BLOCK_MS);
    // Let every device run the poll that was due during the block, and report it.
    const seen = healthPoints.length;
    while (healthPoints.length < seen + 2 * ingestor.health().length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }, 20_000);

  afterAll(async () => {
    await ingestor?.stop();
    await servers?.stop();
  });

  it('counts a poll that started late in the device health', () => {
    for (const h of ingestor.health()) {
      expect(h.lateStarts, h.id).toBeGreaterThanOrEqual(1);
      // Due during the block, so it started at least the rest of the block late.
      expect(h.maxStartLateMs, h.id).toBeGreaterThan(LATE_START_MS);
      expect(h.startLateMs, h.id).not.toBeNull();
    }
  });

  it('writes the lateness into the device_health point', () => {
    const late = healthPoints.filter((p) => Number(p.fields.late_starts) >= 1);
    expect(late.length).toBeGreaterThan(0);
    expect(late[0]!.fields.start_late_ms).toEqual(expect.any(Number));
    expect(late[0]!.fields.late_answers).toEqual(expect.any(Number));
  });

  it('exports it per device in /metrics', async () => {
    const text = await createMetrics({ modbus: () => ingestor.health() }).render();
    for (const h of ingestor.health()) {
      const labels = `{device="${h.id}",substation="${h.substation}"}`;
      const starts = new RegExp(`heatnet_modbus_device_late_starts_total${labels} (\\d+)`);
      expect(Number(starts.exec(text)?.[1]), h.id).toBeGreaterThanOrEqual(1);
      expect(text).toContain(`heatnet_modbus_device_start_late_max_seconds${labels}`);
      expect(text).toContain(`heatnet_modbus_device_late_answers_total${labels}`);
    }
  });
});
