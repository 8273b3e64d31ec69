import { randomBytes } from 'node:crypto';
import type { Config, MqttConfig } from '../../config/schema.ts';
import type { AlertSink } from '../../core/alerts.ts';
import type { Component } from '../../core/lifecycle.ts';
import { childLogger, type Logger } from '../../core/logger.ts';
import type { Topology } from '../../domain/topology.ts';
import { type BrokerCredentials, EmbeddedBroker } from './broker.ts';
import { type Accept, MqttIngestor, type StaleHooks } from './ingestor.ts';

export interface MqttDeps {
  config: Config;
  topology: Topology;
  accept: Accept;
  alerts: AlertSink;
  log: Logger;
  now: () => number;
}

export interface MqttParts {
  mqtt: MqttIngestor;
  broker: EmbeddedBroker | undefined;
  /** In start order: the embedded broker before the client that connects to it. */
  components: Component[];
}

/** The MQTT ingestor, and the embedded broker when the config asks for one. */
export function buildMqtt({ config, topology, accept, alerts, log, now }: MqttDeps): MqttParts {
  const embedded = config.ingest.mqtt.url === 'embedded';
  // The embedded broker (aedes) speaks MQTT 3.1.1 only: it refuses a v5 CONNECT with
  // "unacceptable protocol version", so on it the ingestor talks 3.1.1 whatever the
  // default says; and it signs in with a credential made for this process, which nobody
  // else can present. An external broker gets what the config asks.
  const own = { username: 'heatnet', password: randomBytes(24).toString('base64url') };
  const mqttConfig: MqttConfig = embedded
    ? { ...config.ingest.mqtt, protocolVersion: 4, ...own }
    : config.ingest.mqtt;
  const broker = embedded ? embeddedBroker(mqttConfig, own, log) : undefined;
  const mqtt = new MqttIngestor(
    mqttConfig,
    () => (broker ? broker.url : mqttConfig.url),
    topology,
    accept,
    childLogger(log, 'ingest.mqtt'),
    now,
    staleAlerts(alerts, mqttConfig.staleAfterS),
  );
  return { mqtt, broker, components: broker ? [broker, mqtt] : [mqtt] };
}

function embeddedBroker(config: MqttConfig, own: BrokerCredentials, log: Logger): EmbeddedBroker {
  const { username, password } = config.embedded;
  const publishers = username && password ? { username, password } : undefined;
  return new EmbeddedBroker(
    config.embeddedPort,
    childLogger(log, 'mqtt.broker'),
    config.embeddedHost,
    {
      ingestor: { ...own, clientId: config.clientId },
      publishers,
    },
  );
}

/** A subscription gone quiet raises an alert; its next message clears it. */
function staleAlerts(alerts: AlertSink, staleAfterS: number): StaleHooks {
  return {
    onStale: (topic) =>
      alerts.raise({
        source: `ingest.mqtt:${topic}`,
        code: 'mqtt-stale',
        severity: 'warning',
        message: `no MQTT message on ${topic} for ${staleAfterS} s`,
      }),
    onResumed: (topic) => alerts.clear(`ingest.mqtt:${topic}`, 'mqtt-stale'),
  };
}
