import type { OutboxParts } from '../alerts/outbox-build.ts';
import type { BalanceService } from '../balance-runner/service.ts';
import type { Config } from '../config/schema.ts';
import type { ControlParts } from '../control/build.ts';
import type { ModbusIngestor } from '../ingest/modbus/ingestor.ts';
import type { EmbeddedBroker } from '../ingest/mqtt/broker.ts';
import type { MqttIngestor } from '../ingest/mqtt/ingestor.ts';
import type { IngestPipeline } from '../ingest/pipeline.ts';
import type { BalanceWindows } from '../state/balance-windows.ts';
import type { LiveState } from '../state/live-state.ts';
import type { BatchingWriter } from '../storage/writer.ts';
import type { Store } from '../store/store.ts';
import type { HealthSnapshots } from './report.ts';

/** The running components the health report reads (the composition root has them all). */
export interface HealthSources {
  config: Config;
  startedAt: number;
  modbus: Pick<ModbusIngestor, 'health' | 'connectionReconnects'> &
    Partial<Pick<ModbusIngestor, 'dtus' | 'busBudgets'>>;
  mqtt: Pick<MqttIngestor, 'health'>;
  /** The embedded broker, when heatnet runs one. */
  broker: Pick<EmbeddedBroker, 'health'> | undefined;
  pipeline: Pick<IngestPipeline, 'refused'>;
  writer: Pick<BatchingWriter, 'health'>;
  store: Pick<Store, 'engine' | 'isOpen' | 'failure'>;
  state: Pick<LiveState, 'seriesCount'>;
  windows: Pick<BalanceWindows, 'rejectedUnknown'>;
  balance: Pick<BalanceService, 'lastEvaluatedAt'>;
  control: { audit: { isOpen: boolean }; auto: Pick<ControlParts['auto'], 'status'> };
  /** The alert outbox (issue 12), when alerting runs. */
  alertOutbox?: Pick<OutboxParts, 'health'>;
}

/** Every component's snapshot, taken now, for the pure `healthReport`. */
export function collectHealth(s: HealthSources): HealthSnapshots {
  const { enabled, schedule } = s.config.balance;
  return {
    startedAt: s.startedAt,
    modbus: {
      devices: s.modbus.health(),
      reconnects: s.modbus.connectionReconnects(),
      dtus: s.modbus.dtus?.(),
      buses: s.modbus.busBudgets?.(),
    },
    mqtt: s.mqtt.health(),
    broker: s.broker ? 'embedded' : 'external',
    embeddedBroker: s.broker?.health(),
    refused: s.pipeline.refused(),
    storage: s.writer.health(),
    store: {
      engine: s.store.engine,
      open: s.store.isOpen,
      ...(s.store.failure ? { failure: s.store.failure } : {}),
    },
    stateSeries: s.state.seriesCount,
    balance: {
      enabled,
      intervalS: schedule.intervalS,
      cron: Boolean(schedule.cron),
      lastEvaluatedAt: s.balance.lastEvaluatedAt(),
      rejectedUnknownHouseholds: s.windows.rejectedUnknown,
    },
    control: { auditOpen: s.control.audit.isOpen, auto: s.control.auto.status() },
    ...(s.alertOutbox ? { alertDelivery: s.alertOutbox.health() } : {}),
  };
}
