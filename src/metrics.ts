import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { OutboxHealth } from './alerts/outbox-health.ts';
import type { DeskStats } from './complaints/signals.ts';
import type { DeviceHealth } from './ingest/modbus/health.ts';
import type { BrokerHealth } from './ingest/mqtt/broker.ts';
import type { MqttHealth } from './ingest/mqtt/ingestor.ts';
import type { RefusalCounts } from './ingest/pipeline.ts';
import { deskFamilies } from './metrics-desk.ts';
import { type Family, family, type Labels } from './metrics-family.ts';
import { outboxFamilies } from './metrics-outbox.ts';
import { storeFamilies } from './metrics-store.ts';
import type { StorageHealth } from './storage/writer.ts';
import type { LogSyncs } from './store/sqlite-dialect.ts';

/**
 * Prometheus metrics of the service (DESIGN §4.3 `GET /metrics`). Every heatnet
 * metric is computed at scrape time from the health objects the components keep
 * anyway, so polling and ingestion pay nothing per reading for metrics; the health
 * counters only ever grow while the process runs, which is what a Prometheus counter is.
 */

/** Where the numbers come from: functions returning each component's health. */
export interface MetricsSources {
  modbus: () => readonly DeviceHealth[];
  mqtt?: () => MqttHealth;
  storage?: () => StorageHealth;
  /** Readings the ingest pipeline refused, by reason. */
  ingest?: () => RefusalCounts;
  /** The embedded broker, when heatnet runs one (undefined otherwise). */
  broker?: () => BrokerHealth | undefined;
  /** The service desk's counters (issue 10). */
  desk?: () => DeskStats;
  /** The alert outbox's channels and queue (issue 12). */
  outbox?: () => OutboxHealth;
  /** SQLite's flushes of its log (null until the store is open). */
  store?: () => LogSyncs | null;
}

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, event loop, GC); default true. */
  processMetrics?: boolean;
}

export interface Metrics {
  readonly registry: Registry;
  /** `text/plain; version=0.0.4; charset=utf-8`, the exposition format's content type. */
  readonly contentType: string;
  render(): Promise<string>;
}

/** `null` means "no sample": e.g. a latency before the first success. */
type Value<T> = (x: T) => number | null;
const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

export function createMetrics(sources: MetricsSources, options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const families = [
    ...modbusFamilies(sources.modbus),
    ...(sources.mqtt ? mqttFamilies(sources.mqtt) : []),
    ...(sources.storage ? storageFamilies(sources.storage) : []),
    ...(sources.ingest ? [ingestFamily(sources.ingest)] : []),
    ...(sources.broker ? brokerFamilies(sources.broker) : []),
    ...(sources.desk ? deskFamilies(sources.desk) : []),
    ...(sources.outbox ? outboxFamilies(sources.outbox) : []),
    ...(sources.store ? storeFamilies(sources.store) : []),
  ];
  for (const f of families) register(registry, f);
  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
  };
}

/** A metric whose samples are replaced by the family's current ones on every scrape. */
function register(registry: Registry, f: Family): void {
  const config = { name: f.name, help: f.help, labelNames: f.labels, registers: [registry] };
  if (f.type === 'gauge') {
    new Gauge({
      ...config,
      collect() {
        this.reset();
        for (const [labels, value] of f.samples()) this.set(labels, value);
      },
    });
    return;
  }
  new Counter({
    ...config,
    collect() {
      // Counters are absolute totals kept by the components: set, by reset + inc.
      this.reset();
      for (const [labels, value] of f.samples()) this.inc(labels, value);
    },
  });
}

const DEVICE_LABELS = ['device', 'substation'] as const;

/** Polled devices with their labels (disabled ones are not polled and not reported). */
function* labelled(devices: () => readonly DeviceHealth[]): Iterable<[Labels, DeviceHealth]> {
  for (const d of devices()) {
    if (d.state !== 'disabled') yield [{ device: d.id, substation: d.substation }, d];
  }
}

function modbusFamilies(devices: () => readonly DeviceHealth[]): Family[] {
  const one = (type: Family['type'], name: string, help: string, value: Value<DeviceHealth>) =>
    family(type, `heatnet_modbus_device_${name}`, help, DEVICE_LABELS, function* () {
      for (const [labels, d] of labelled(devices)) {
        const v = value(d);
        if (v !== null) yield [labels, v];
      }
    });
  return [
    // No sample before a device's state is known: a service just started is not an outage.
    one('gauge', 'up', '1 while polls succeed, 0 once the device is down', (d) =>
      d.state === 'unknown' ? null : d.state === 'up' ? 1 : 0,
    ),
    one('counter', 'polls_total', 'Polls attempted', (d) => d.polls),
    one('counter', 'failures_total', 'Polls that failed', (d) => d.failures),
    one('counter', 'timeouts_total', 'Requests with no answer in time', (d) => d.timeouts),
    one(
      'counter',
      'late_answers_total',
      'Requests answered after their timeout (also in timeouts_total)',
      (d) => d.lateAnswers,
    ),
    one(
      'counter',
      'late_starts_total',
      'Polls that started over 100 ms after their schedule (a busy event loop)',
      (d) => d.lateStarts,
    ),
    one('gauge', 'start_late_seconds', 'How late the last poll started', (d) =>
      seconds(d.startLateMs),
    ),
    one('gauge', 'start_late_max_seconds', 'The latest any poll has started', (d) =>
      seconds(d.maxStartLateMs),
    ),
    one(
      'counter',
      'connection_errors_total',
      'Requests failed on the link',
      (d) => d.connectionErrors,
    ),
    one('counter', 'reconnects_total', 'Links reopened for this device', (d) => d.reconnects),
    one(
      'counter',
      'busy_retries_total',
      'Requests repeated after exception 6',
      (d) => d.busyRetries,
    ),
    one('gauge', 'bad_ranges', 'Address ranges the device refuses, skipped', (d) => d.badRanges),
    one('gauge', 'latency_seconds', 'Duration of the last successful poll', (d) =>
      seconds(d.latencyMs),
    ),
    one('gauge', 'last_success_timestamp_seconds', 'When a poll last succeeded', (d) =>
      seconds(d.lastSuccessAt),
    ),
    ...modbusBreakdowns(devices),
  ];
}

/** Counters broken down by one more label: exception code, rejection reason. */
function modbusBreakdowns(devices: () => readonly DeviceHealth[]): Family[] {
  return [
    family(
      'counter',
      'heatnet_modbus_device_exceptions_total',
      'Modbus exception answers by code',
      [...DEVICE_LABELS, 'code'],
      function* () {
        for (const [labels, d] of labelled(devices)) {
          for (const [code, n] of Object.entries(d.exceptions)) yield [{ ...labels, code }, n];
        }
      },
    ),
    family(
      'counter',
      'heatnet_modbus_device_rejected_values_total',
      'Values rejected as sentinels or out of range, never written',
      [...DEVICE_LABELS, 'reason'],
      function* () {
        for (const [labels, d] of labelled(devices)) {
          yield [{ ...labels, reason: 'sentinel' }, d.rejected.sentinel];
          yield [{ ...labels, reason: 'range' }, d.rejected.range];
        }
      },
    ),
  ];
}

type Subscription = MqttHealth['subscriptions'][number];

function mqttFamilies(mqtt: () => MqttHealth): Family[] {
  const total = (type: Family['type'], name: string, help: string, value: Value<MqttHealth>) =>
    family(type, `heatnet_mqtt_${name}`, help, [], function* () {
      const v = value(mqtt());
      if (v !== null) yield [{}, v];
    });
  const topic = (type: Family['type'], name: string, help: string, value: Value<Subscription>) =>
    family(type, `heatnet_mqtt_${name}`, help, ['topic'], function* () {
      for (const s of mqtt().subscriptions) {
        const v = value(s);
        if (v !== null) yield [{ topic: s.topic }, v];
      }
    });
  return [
    total('gauge', 'connected', '1 while connected to the broker', (h) => (h.connected ? 1 : 0)),
    total('counter', 'reconnects_total', 'Reconnects to the broker', (h) => h.reconnects),
    topic('counter', 'messages_total', 'Messages received per subscription', (s) => s.messages),
    topic(
      'counter',
      'malformed_messages_total',
      'Messages that could not be mapped',
      (s) => s.malformed,
    ),
    family(
      'counter',
      'heatnet_mqtt_rejected_messages_total',
      'Messages refused per subscription, by reason (payload, type, not-finite, sentinel, range, time)',
      ['topic', 'reason'],
      function* () {
        for (const s of mqtt().subscriptions) {
          for (const [reason, n] of Object.entries(s.rejected))
            yield [{ topic: s.topic, reason }, n];
        }
      },
    ),
    topic(
      'gauge',
      'last_message_timestamp_seconds',
      'When a subscription last got a message',
      (s) => seconds(s.lastMessageAt),
    ),
  ];
}

const STORAGE_STATES: readonly StorageHealth['state'][] = ['ok', 'retrying', 'failing'];

function storageFamilies(storage: () => StorageHealth): Family[] {
  // Labelled by `kind` only: the target may be a URL, and URLs may carry credentials.
  const one = (type: Family['type'], name: string, help: string, value: Value<StorageHealth>) =>
    family(type, `heatnet_storage_${name}`, help, ['kind'], function* () {
      const h = storage();
      const v = value(h);
      if (v !== null) yield [{ kind: h.kind }, v];
    });
  const state = family(
    'gauge',
    'heatnet_storage_state',
    '1 for the current state of the database writer (ok, retrying, failing)',
    ['kind', 'state'],
    function* () {
      const h = storage();
      for (const s of STORAGE_STATES) yield [{ kind: h.kind, state: s }, h.state === s ? 1 : 0];
    },
  );
  return [
    state,
    one('gauge', 'backlog_lines', 'Lines waiting to be written', (h) => h.backlogLines),
    one('counter', 'written_lines_total', 'Lines the database accepted', (h) => h.writtenLines),
    one('counter', 'rejected_lines_total', 'Lines refused as invalid', (h) => h.rejectedLines),
    one('counter', 'dropped_lines_total', 'Lines dropped to bound memory', (h) => h.droppedLines),
    one('counter', 'failed_attempts_total', 'Write attempts that failed', (h) => h.failedAttempts),
    one('gauge', 'last_write_timestamp_seconds', 'When a batch was last written', (h) =>
      seconds(h.lastWriteAt),
    ),
  ];
}

function ingestFamily(refused: () => RefusalCounts): Family {
  return family(
    'counter',
    'heatnet_ingest_refused_readings_total',
    'Readings the ingest pipeline refused, by reason (not-finite, bad-time, time-ahead)',
    ['reason'],
    function* () {
      for (const [reason, n] of Object.entries(refused())) yield [{ reason }, n];
    },
  );
}

/** The embedded broker's refusals, by kind and reason: a hostile client shows here. */
function brokerFamilies(broker: () => BrokerHealth | undefined): Family[] {
  return [
    family(
      'counter',
      'heatnet_mqtt_broker_refused_total',
      'Requests the embedded broker refused, by kind (connect, publish, subscribe) and reason',
      ['kind', 'reason'],
      function* () {
        const refused = broker()?.refused;
        if (!refused) return;
        for (const [kind, counts] of Object.entries(refused)) {
          const byReason: Record<string, number> = counts;
          for (const [reason, n] of Object.entries(byReason)) yield [{ kind, reason }, n];
        }
      },
    ),
    family(
      'counter',
      'heatnet_mqtt_broker_untracked_deliveries_total',
      'QoS 1 deliveries aedes had not queued for a session, queued late instead of closing it',
      [],
      function* () {
        const h = broker();
        if (h) yield [{}, h.untrackedDeliveries];
      },
    ),
    family(
      'gauge',
      'heatnet_mqtt_broker_clients',
      'Clients connected to the embedded broker',
      [],
      function* () {
        const h = broker();
        if (h) yield [{}, h.clients];
      },
    ),
  ];
}
