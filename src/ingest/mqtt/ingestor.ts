import mqtt, { type MqttClient } from 'mqtt';
import type { MqttConfig, MqttSubscription } from '../../config/schema.ts';
import type { Component } from '../../core/lifecycle.ts';
import type { Logger } from '../../core/logger.ts';
import type { Topology } from '../../domain/topology.ts';
import type { Reading } from '../reading.ts';
import { mapPayload } from './payload.ts';
import { compileTopicTemplate, type TopicTemplate } from './topic-template.ts';

export interface SubscriptionHealth {
  topic: string;
  messages: number;
  malformed: number;
  lastMessageAt: number | null;
  lastError: string | null;
}

export interface MqttHealth {
  url: string;
  connected: boolean;
  reconnects: number;
  lastError: string | null;
  subscriptions: SubscriptionHealth[];
}

interface ActiveSubscription {
  config: MqttSubscription;
  template: TopicTemplate;
  health: SubscriptionHealth;
}

/**
 * Subscribes to the configured topics and turns messages into readings. Room
 * readings are enriched from the topology (zone, building, substation of the
 * household), so a sensor needs to know only its household id.
 */
export class MqttIngestor implements Component {
  readonly name = 'ingest.mqtt';
  private client: MqttClient | undefined;
  private readonly subs: ActiveSubscription[];
  private readonly status = { connected: false, reconnects: 0, lastError: null as string | null };
  private stopping = false;

  constructor(
    private readonly config: MqttConfig,
    private readonly url: () => string,
    private readonly topology: Topology,
    private readonly onReadings: (readings: Reading[]) => void,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.subs = config.subscriptions.map((s) => ({
      config: s,
      template: compileTopicTemplate(s.topic),
      health: { topic: s.topic, messages: 0, malformed: 0, lastMessageAt: null, lastError: null },
    }));
  }

  async start(): Promise<void> {
    const client = mqtt.connect(this.url(), {
      clientId: this.config.clientId,
      username: this.config.username,
      password: this.config.password,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
    });
    this.client = client;
    client.on('connect', () => {
      this.status.connected = true;
      this.log.info({ url: this.url() }, 'MQTT connected');
      const filters = Object.fromEntries(
        this.subs.map((s) => [s.template.filter, { qos: s.config.qos }] as const),
      );
      if (this.subs.length > 0) client.subscribe(filters);
    });
    client.on('reconnect', () => {
      this.status.reconnects++;
    });
    client.on('close', () => {
      if (this.status.connected && !this.stopping)
        this.log.warn('MQTT connection lost; reconnecting');
      this.status.connected = false;
    });
    client.on('error', (err) => {
      this.status.lastError = err.message;
    });
    client.on('message', (topic, payload) => this.handle(topic, payload));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync();
  }

  health(): MqttHealth {
    return { url: this.url(), ...this.status, subscriptions: this.subs.map((s) => s.health) };
  }

  private handle(topic: string, payload: Buffer): void {
    for (const sub of this.subs) {
      const tags = sub.template.match(topic);
      if (!tags) continue;
      const now = this.now();
      const result = mapPayload(sub.config, payload, { now });
      const h = sub.health;
      h.lastMessageAt = now;
      if (!result.ok) {
        h.malformed++;
        // Logged once per subscription and reason change; counts live in health.
        if (h.lastError !== result.reason) {
          this.log.warn({ topic, reason: result.reason }, 'malformed MQTT payload');
        }
        h.lastError = result.reason;
        continue;
      }
      h.messages++;
      this.onReadings([
        {
          measurement: sub.config.measurement,
          tags: this.enrich(sub.config.measurement, tags),
          fields: result.fields,
          time: result.time ?? now,
        },
      ]);
    }
  }

  private enrich(measurement: string, tags: Record<string, string>): Record<string, string> {
    if (measurement !== 'room' || !tags.household) return tags;
    const h = this.topology.household(tags.household);
    if (!h) return tags;
    return { ...tags, substation: h.substation, building: h.building, zone: h.zone };
  }
}
