import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import type { AutoBalanceStatus } from '../../src/control/auto-balancer.ts';
import { type HealthSnapshots, healthReport } from '../../src/health/report.ts';
import { HealthReportSchema } from '../../src/health/schema.ts';
import { newHealth } from '../../src/ingest/modbus/health.ts';
import type { MqttHealth } from '../../src/ingest/mqtt/ingestor.ts';
import type { StorageHealth } from '../../src/storage/writer.ts';

const T0 = Date.UTC(2026, 10, 22, 6);

function snapshots(): HealthSnapshots {
  const up = { ...newHealth('S01-plc', 'S01', 'tcp://x:1', 1), state: 'up' as const };
  const mqtt = {
    url: 'mqtt://broker',
    clientId: 'heatnet',
    protocolVersion: 5,
    connected: true,
    subscribed: true,
    sessionPresent: true,
    reconnects: 0,
    redelivered: 0,
    pendingAcks: 0,
    lastError: null,
    acked: 3,
    acceptFailures: 0,
    droppedQos0: 0,
    subscriptions: [],
  } satisfies MqttHealth;
  const storage: StorageHealth = {
    kind: 'local',
    target: 'data/local',
    state: 'ok',
    authFailed: false,
    backlogLines: 0,
    writtenLines: 10,
    rejectedLines: 0,
    droppedLines: 0,
    failedAttempts: 0,
    lastWriteAt: T0,
    lastError: null,
    spool: null,
  };
  const auto: AutoBalanceStatus = {
    enabled: false,
    state: 'off',
    switchedBy: null,
    paused: [],
    lastRoundAt: null,
    lastActions: [],
  };
  return {
    startedAt: T0,
    modbus: { devices: [up], reconnects: 0 },
    mqtt,
    broker: 'external',
    refused: { 'not-finite': 0, 'bad-time': 0, 'time-ahead': 2 },
    storage,
    store: { engine: 'sqlite', open: true },
    stateSeries: 4,
    balance: {
      enabled: true,
      intervalS: 300,
      cron: false,
      lastEvaluatedAt: T0 + 60_000,
      rejectedUnknownHouseholds: 0,
    },
    control: { auditOpen: true, auto },
  };
}

describe('healthReport (pure)', () => {
  it('is ok when every component is, and matches its published schema', () => {
    const report = healthReport(snapshots(), T0 + 120_000);
    expect(report).toMatchObject({
      status: 'ok',
      problems: [],
      startedAt: new Date(T0).toISOString(),
      uptimeS: 120,
      ingest: { modbus: { devices: 1, up: 1 }, refused: { 'time-ahead': 2 } },
      balance: { stale: false, evaluatedAt: new Date(T0 + 60_000).toISOString() },
      store: { engine: 'sqlite', open: true },
    });
    expect(Value.Check(HealthReportSchema, report)).toBe(true);
  });

  it('lists every problem in one place, in the order operators read them', () => {
    const s = snapshots();
    s.modbus.devices = [{ ...s.modbus.devices[0]!, state: 'down', badRanges: 1 }];
    s.storage = { ...s.storage, state: 'retrying', lastError: 'ECONNREFUSED' };
    s.mqtt = { ...s.mqtt, connected: false };
    s.store = { engine: 'sqlite', open: true, failure: 'flushing the store’s log failed: EIO' };
    s.control = { auditOpen: false, auto: { ...s.control.auto, state: 'paused' } };
    const report = healthReport(s, T0 + 3 * 300_000 + 120_001);
    expect(report.status).toBe('degraded');
    expect(report.problems).toEqual([
      'modbus devices down: S01-plc',
      'modbus devices refusing some registers: S01-plc',
      'storage retrying: ECONNREFUSED',
      'MQTT not connected to mqtt://broker',
      `balance: no evaluation since ${new Date(T0 + 60_000).toISOString()}`,
      'store: flushing the store’s log failed: EIO',
      'control: audit database is not open',
      'auto-balancing paused: ',
    ]);
  });

  it('names a store that is not open, apart from one that refuses writes', () => {
    const s = snapshots();
    s.store = { engine: 'postgres', open: false };
    const report = healthReport(s, T0 + 120_000);
    expect(report.status).toBe('degraded');
    expect(report.problems).toEqual(['store (postgres) is not open']);
  });

  it('never calls a cron-scheduled engine stale: it has no fixed interval', () => {
    const s = snapshots();
    s.balance = { ...s.balance, cron: true, lastEvaluatedAt: null };
    expect(healthReport(s, T0 + 86_400_000).balance.stale).toBe(false);
  });
});
