import type { Config } from '../config/schema.ts';
import type { FieldIO } from '../control/field-io.ts';
import type { AlertSink } from '../core/alerts.ts';
import type { EventBus } from '../core/events.ts';
import type { Component } from '../core/lifecycle.ts';
import { childLogger, type Logger } from '../core/logger.ts';
import type { Topology } from '../domain/topology.ts';
import type { HeatnetEvents } from '../events.ts';
import { ModbusFieldIO } from './modbus/field-io.ts';
import { ModbusIngestor } from './modbus/ingestor.ts';
import type { EmbeddedBroker } from './mqtt/broker.ts';
import { buildMqtt } from './mqtt/build.ts';
import type { MqttIngestor } from './mqtt/ingestor.ts';
import { IngestPipeline, type PipelineTargets } from './pipeline.ts';

export interface IngestDeps {
  config: Config;
  topology: Topology;
  bus: EventBus<HeatnetEvents>;
  /** Where accepted readings go besides the `readings` event. */
  targets: Omit<PipelineTargets, 'publish'>;
  alerts: AlertSink;
  log: Logger;
  now: () => number;
}

export interface IngestParts {
  pipeline: IngestPipeline;
  modbus: ModbusIngestor;
  /** Control's writes and read-backs, on the Modbus devices' connections. */
  fieldIO: FieldIO;
  mqtt: MqttIngestor;
  broker: EmbeddedBroker | undefined;
  /** In start order: broker, MQTT, then Modbus polling. */
  components: Component[];
}

/** Both ingestors feeding the one ingest pipeline. */
export function buildIngest(deps: IngestDeps): IngestParts {
  const { config, topology, bus, now, log } = deps;
  const pipeline = new IngestPipeline(
    { ...deps.targets, publish: (readings) => bus.emit('readings', readings) },
    { now, maxAheadMs: config.ingest.maxAheadS * 1000, log: childLogger(log, 'ingest') },
  );
  const modbus = new ModbusIngestor(
    config,
    // Modbus has nothing to acknowledge: its readings are written in the background.
    (readings) => void pipeline.accept(readings),
    childLogger(log, 'ingest.modbus'),
    now,
    (change) => bus.emit('device.state', change),
  );
  // MQTT acknowledges a QoS 1 message only once its readings are durable (in the
  // database or the disk spool), so it waits for the writer through the pipeline.
  const { mqtt, broker, components } = buildMqtt({
    config,
    topology,
    accept: (readings, refused) => pipeline.accept(readings, { durable: true, refused }),
    alerts: deps.alerts,
    log,
    now,
  });
  const fieldIO = new ModbusFieldIO(config, modbus);
  return { pipeline, modbus, fieldIO, mqtt, broker, components: [...components, modbus] };
}
