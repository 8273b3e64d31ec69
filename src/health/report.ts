import { type OutboxHealth, outboxProblems } from '../alerts/outbox-health.ts';
import type { AutoBalanceStatus } from '../control/auto-balancer.ts';
import type { DeviceHealth } from '../ingest/modbus/health.ts';
import type { BrokerHealth } from '../ingest/mqtt/broker.ts';
import type { MqttHealth } from '../ingest/mqtt/ingestor.ts';
import type { RefusalCounts } from '../ingest/pipeline.ts';
import type { StorageHealth } from '../storage/writer.ts';
import { type ModbusLinkSnapshots, modbusLinkProblems, modbusLinksHealth } from './modbus-links.ts';
import type { HealthReport } from './schema.ts';

/** What the components report about themselves, gathered at one moment. */
export interface HealthSnapshots {
  startedAt: number;
  modbus: { devices: readonly DeviceHealth[]; reconnects: number } & ModbusLinkSnapshots;
  mqtt: MqttHealth;
  broker: 'embedded' | 'external';
  /** The embedded broker's own counters (refused connects, publishes …), when it runs. */
  embeddedBroker?: BrokerHealth;
  refused: RefusalCounts;
  storage: StorageHealth;
  /**
   * The relational store: which engine, whether it is open (never its path or URL), and
   * why it takes no writes any more, if so.
   */
  store: { engine: 'sqlite' | 'postgres'; open: boolean; failure?: string };
  stateSeries: number;
  balance: {
    enabled: boolean;
    /** Schedule interval, and whether a cron schedule (no fixed interval) drives it. */
    intervalS: number;
    cron: boolean;
    lastEvaluatedAt: number | null;
    rejectedUnknownHouseholds: number;
  };
  control: { auditOpen: boolean; auto: AutoBalanceStatus };
  /** The alert outbox's channels (issue 12), when alerting runs. */
  alertDelivery?: OutboxHealth;
}

/**
 * The service's health from its components' snapshots at `now`: pure, so what makes the
 * service "degraded" is decided in one place and tested without starting anything.
 */
export function healthReport(s: HealthSnapshots, now: number): HealthReport {
  const balance = balanceHealth(s.balance, s.startedAt, now);
  // In the order operators have always read them: Modbus, storage, MQTT, spool, …
  const { storage } = s;
  const problems = [
    ...modbusProblems(s.modbus.devices),
    ...modbusLinkProblems(s.modbus),
    ...(storage.state !== 'ok' ? [`storage ${storage.state}: ${storage.lastError}`] : []),
    ...mqttProblems(s.mqtt),
    ...(storage.spool && storage.spool.lines > 0
      ? [`storage: ${storage.spool.lines} lines spooled to disk awaiting the database`]
      : []),
    ...(balance.stale ? [`balance: no evaluation since ${balance.evaluatedAt ?? 'start'}`] : []),
    ...(s.store.open ? [] : [`store (${s.store.engine}) is not open`]),
    ...(s.store.failure ? [`store: ${s.store.failure}`] : []),
    ...controlProblems(s.control),
    ...(s.alertDelivery ? outboxProblems(s.alertDelivery) : []),
  ];
  return {
    status: problems.length === 0 ? 'ok' : 'degraded',
    problems,
    startedAt: new Date(s.startedAt).toISOString(),
    uptimeS: Math.round((now - s.startedAt) / 1000),
    ingest: {
      modbus: {
        ...modbusHealth(s.modbus.devices, s.modbus.reconnects),
        ...modbusLinksHealth(s.modbus),
      },
      mqtt: {
        ...s.mqtt,
        broker: s.broker,
        ...(s.embeddedBroker ? { embeddedBroker: s.embeddedBroker } : {}),
      },
      refused: s.refused,
    },
    storage: s.storage,
    store: s.store,
    state: { series: s.stateSeries },
    balance,
    control: s.control,
    ...(s.alertDelivery ? { alertDelivery: s.alertDelivery } : {}),
  };
}

function modbusHealth(devices: readonly DeviceHealth[], reconnects: number) {
  const count = (state: string) => devices.filter((d) => d.state === state).length;
  return {
    devices: devices.length,
    up: count('up'),
    down: count('down'),
    unknown: count('unknown'),
    disabled: count('disabled'),
    reconnects,
    list: [...devices],
  };
}

/** When the engine last ran; stale after three schedule intervals without a run. */
function balanceHealth(b: HealthSnapshots['balance'], startedAt: number, now: number) {
  const graceMs = 3 * b.intervalS * 1000 + 60_000;
  const since = b.lastEvaluatedAt ?? startedAt;
  return {
    enabled: b.enabled,
    evaluatedAt: b.lastEvaluatedAt === null ? null : new Date(b.lastEvaluatedAt).toISOString(),
    stale: b.enabled && !b.cron && now - since > graceMs,
    windows: { rejectedUnknownHouseholds: b.rejectedUnknownHouseholds },
  };
}

function modbusProblems(devices: readonly DeviceHealth[]): string[] {
  const problems: string[] = [];
  const down = devices.filter((d) => d.state === 'down').map((d) => d.id);
  if (down.length > 0) problems.push(`modbus devices down: ${down.join(', ')}`);
  const partial = devices.filter((d) => d.badRanges > 0).map((d) => d.id);
  if (partial.length > 0) {
    problems.push(`modbus devices refusing some registers: ${partial.join(', ')}`);
  }
  return problems;
}

function mqttProblems(mqtt: MqttHealth): string[] {
  const problems: string[] = [];
  if (!mqtt.connected) problems.push(`MQTT not connected to ${mqtt.url}`);
  const stale = mqtt.subscriptions.filter((s) => s.stale).map((s) => s.topic);
  if (stale.length > 0) problems.push(`MQTT subscriptions stale: ${stale.join(', ')}`);
  return problems;
}

function controlProblems(control: HealthSnapshots['control']): string[] {
  const problems: string[] = [];
  if (!control.auditOpen) problems.push('control: audit database is not open');
  if (control.auto.state === 'paused') {
    problems.push(`auto-balancing paused: ${control.auto.paused.map((p) => p.reason).join('; ')}`);
  }
  return problems;
}
