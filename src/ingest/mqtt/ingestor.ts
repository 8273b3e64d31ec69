import mqtt, {
  type DoneCallback,
  type IClientOptions,
  type IConnackPacket,
  type IPublishPacket,
  type ISubscriptionGrant,
  type ISubscriptionMap,
  type MqttClient,
} from 'mqtt';
import type { MqttConfig } from '../../config/schema.ts';
import type { Component } from '../../core/lifecycle.ts';
import type { Logger } from '../../core/logger.ts';
import type { Reading } from '../../core/reading.ts';
import type { Topology } from '../../domain/topology.ts';
import { type AckSocket, AckWriter } from './ack-writer.ts';
import { backoffDelay } from './backoff.ts';
import { type Accept as DeliveryAccept, DeliverySession, type DeliveryStats } from './delivery.ts';
import type { PublishView } from './publish-frames.ts';
import { MessageRouter, type SubscriptionHealth } from './router.ts';
import { type StaleHooks, StaleWatchdog } from './watchdog.ts';
import { type PublishBatches, spliceStreams } from './wire-splice.ts';

/**
 * Where readings go (the ingest pipeline): resolves once they are durable, and tells
 * `refused` of any reading it refused, so the subscription counts it as malformed.
 */
export type Accept = (
  readings: Reading[],
  refused: (reading: Reading, reason: string) => void,
) => ReturnType<DeliveryAccept>;
export type { SubscriptionHealth } from './router.ts';
export type { StaleHooks } from './watchdog.ts';

export interface MqttHealth extends DeliveryStats {
  url: string;
  clientId: string;
  protocolVersion: 4 | 5;
  connected: boolean;
  /** The broker confirmed every subscription on the current connection. */
  subscribed: boolean;
  /** The broker still held our session (subscriptions and queued QoS 1 messages). */
  sessionPresent: boolean | null;
  reconnects: number;
  /** Messages the broker resent (DUP flag): unacknowledged when a connection dropped. */
  redelivered: number;
  /** QoS 1 messages received but not yet acknowledged (waiting for durable storage). */
  pendingAcks: number;
  lastError: string | null;
  subscriptions: SubscriptionHealth[];
}

/**
 * The broker's in-flight window towards us (MQTT 5 Receive Maximum). Acks wait for a
 * durable write, so throughput is at most window / write latency; mosquitto falls back to
 * its `max_inflight_messages` (20) when a v5 client does not state one, which at a 1 s
 * flush is 20 messages/s. 65,535 is the protocol's maximum.
 */
const RECEIVE_MAXIMUM = 65_535;
/** How long `stop()` waits for running accepts, so their acks go out before DISCONNECT. */
const STOP_DRAIN_MS = 3_000;
/** Retrying a refused accept: short, since the broker's window is filling meanwhile. */
const ACCEPT_RETRY_MIN_MS = 250;
const ACCEPT_RETRY_MAX_MS = 5_000;
/** Passed to MQTT.js's handleMessage callback to withhold its automatic PUBACK. */
const ACK_LATER = new Error('PUBACK sent by heatnet once the readings are durable');

/**
 * Subscribes to the configured topics and turns messages into readings, as a persistent
 * session (fixed client id, `clean: false`, a session expiry under MQTT 5), so QoS 1
 * messages published while heatnet is away are waiting when it returns. A QoS 1 message
 * is acknowledged only once `accept` says its readings are durable (see DeliverySession).
 *
 * Over TCP and TLS the PUBLISHes never reach MQTT.js: a WireSplice reads them off the
 * socket and hands each read's messages to the pipeline as one batch (issue 14); MQTT.js
 * keeps the connection, CONNACK, SUBSCRIBE, keepalive and our own publishes. Over
 * WebSockets, for QoS 2 or after a frame the splice does not understand, MQTT.js parses
 * and calls `onPublish`, one message at a time, as before.
 *
 * MQTT.js acknowledges from `handleMessage`'s callback, but that callback also releases
 * its packet pump: holding it until a write completes would process one message per
 * write and starve keepalive (MQTT.js #2026). So the callback is released at once with
 * an error (which MQTT.js takes as "no PUBACK") and the PUBACK is sent later by us.
 */
export class MqttIngestor implements Component {
  readonly name = 'ingest.mqtt';
  private client: MqttClient | undefined;
  private readonly router: MessageRouter;
  private readonly watchdog: StaleWatchdog;
  private session: DeliverySession;
  /** The current session's PUBACKs (assigned with it in newSession). */
  private acks!: AckWriter;
  private readonly stats: DeliveryStats = { acked: 0, acceptFailures: 0, droppedQos0: 0 };
  private readonly status = {
    connected: false,
    subscribed: false,
    sessionPresent: null as boolean | null,
    reconnects: 0,
    redelivered: 0,
    lastError: null as string | null,
  };
  private reconnectAttempt = 0;
  private stopping = false;

  constructor(
    private readonly config: MqttConfig,
    private readonly url: () => string,
    topology: Topology,
    private readonly accept: Accept,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    hooks: StaleHooks = {},
  ) {
    const staleMs = config.staleAfterS * 1000;
    this.watchdog = new StaleWatchdog(() => this.router.health, staleMs, now, log, hooks);
    this.router = new MessageRouter(config.subscriptions, config.sharedGroup, topology, log, (h) =>
      this.watchdog.seen(h),
    );
    this.session = this.newSession(undefined);
  }

  async start(): Promise<void> {
    this.stopping = false;
    const client = mqtt.connect(this.url(), this.clientOptions());
    if (this.config.protocolVersion === 5 && this.config.sessionExpiryS === 0) {
      this.log.warn('sessionExpiryS is 0: the broker drops our session and queue at disconnect');
    }
    this.client = client;
    this.session = this.newSession(client);
    spliceStreams(client, this.config.protocolVersion === 5, this.batches);
    client.handleMessage = this.onPublish;
    // Before MQTT.js's own 'close' listener, which arms the reconnect timer with this period.
    client.prependListener('close', () => this.onClose(client));
    client.on('connect', (connack) => this.onConnect(client, connack));
    client.on('reconnect', () => this.status.reconnects++);
    client.on('error', (err) => {
      this.status.lastError = err.message;
    });
    client.connect();
    this.watchdog.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.watchdog.stop();
    await this.session.drain(STOP_DRAIN_MS);
    this.acks.flush();
    const client = this.client;
    this.client = undefined;
    // Without a connection there is nobody to say DISCONNECT to; just drop the socket.
    if (client) await client.endAsync(!client.connected);
    this.closeSession();
  }

  /**
   * Publishes heatnet's own output (balance results, alerts) on the ingest
   * connection. Retained state is republished on every evaluation, so while the
   * broker is away a message is skipped rather than queued. False when skipped.
   */
  publish(topic: string, payload: string, options: { retain: boolean; qos: 0 | 1 }): boolean {
    const client = this.client;
    if (!client?.connected) return false;
    client.publish(topic, payload, options, (err) => {
      if (err) this.log.warn({ err, topic }, 'MQTT publish failed');
    });
    return true;
  }

  /**
   * Publishes at QoS 1 and resolves once the broker has acknowledged it (PUBACK): the
   * alert outbox counts a message sent only then. Rejects while disconnected.
   */
  publishAcked(topic: string, payload: string): Promise<void> {
    const client = this.client;
    if (!client?.connected) return Promise.reject(new Error('MQTT not connected'));
    return new Promise((resolve, reject) => {
      client.publish(topic, payload, { qos: 1, retain: false }, (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }

  health(): MqttHealth {
    return {
      url: this.url(),
      clientId: this.config.clientId,
      protocolVersion: this.config.protocolVersion,
      ...this.status,
      ...this.stats,
      pendingAcks: this.session.pending,
      subscriptions: this.router.health,
    };
  }

  /** MQTT.js's `handleMessage`: every PUBLISH, one at a time. Public for tests. */
  readonly onPublish = (packet: IPublishPacket, done: DoneCallback): void => {
    // Stopping: leave it unacknowledged for our next session rather than half-handle it.
    if (this.stopping) {
      done(ACK_LATER);
      return;
    }
    if (packet.dup) this.status.redelivered++;
    const session = this.session;
    const readings = this.route(packet);
    if (packet.qos === 1 && packet.messageId !== undefined) {
      this.acks.bind();
      session.deliver(readings, packet.messageId);
      done(ACK_LATER);
    } else {
      session.deliver(readings);
      done();
    }
  };

  /**
   * PUBLISHes read off the socket by WireSplice (the usual path): routed as they are
   * parsed, handed to the pipeline together once the read is done.
   */
  private readonly batches: PublishBatches = {
    publish: (view, from) => {
      // Stopping: leave it unacknowledged for our next session rather than half-handle it.
      if (this.stopping) return;
      if (view.dup) this.status.redelivered++;
      const session = this.session;
      const count = this.routeInto(session.batchReadings(), view);
      if (view.qos === 1) {
        this.acks.bind(from);
        session.added(count, view.messageId);
      } else session.added(count);
    },
    endOfRead: () => this.session.flush(),
  };

  private readonly refused = (reading: Reading, reason: string) =>
    this.router.refused(reading, reason);

  /** Routing never throws by design; if it ever did, one message must not end the process. */
  private route(packet: IPublishPacket): Reading[] {
    try {
      const payload =
        typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
      return this.router.route(packet.topic, payload, this.now());
    } catch (err) {
      this.log.error({ err, topic: packet.topic }, 'MQTT message handling failed');
      return [];
    }
  }

  /**
   * As `route`, onto the batch `out`: how many readings it added. What a failing message
   * added before it failed is taken back off.
   */
  private routeInto(out: Reading[], view: PublishView): number {
    const before = out.length;
    try {
      return this.router.routeView(out, view, this.now());
    } catch (err) {
      out.length = before;
      this.log.error({ err, topic: view.topic }, 'MQTT message handling failed');
      return 0;
    }
  }

  private clientOptions(): IClientOptions {
    const c = this.config;
    return {
      clientId: c.clientId,
      username: c.username,
      password: c.password,
      protocolVersion: c.protocolVersion,
      clean: false,
      reconnectPeriod: c.reconnectMinMs,
      connectTimeout: 10_000,
      // MQTT.js traces every packet through `debug` unless given a logger; even disabled,
      // those calls cost a few per cent of a burst (issue 14). Our own logs say what matters.
      log: () => {},
      // We subscribe on every connect (the config may have changed since the session began).
      resubscribe: false,
      // handleMessage must be in place before the first CONNACK: a resumed session
      // delivers its queued messages right after it.
      manualConnect: true,
      ...(c.protocolVersion === 5
        ? {
            properties: {
              // MQTT 5 §3.1.2.11.2: without it the session ends with the connection.
              sessionExpiryInterval: c.sessionExpiryS,
              receiveMaximum: RECEIVE_MAXIMUM,
            },
          }
        : {}),
    };
  }

  /** A session for the next connection, with its own PUBACK writer. */
  private newSession(client: MqttClient | undefined): DeliverySession {
    const acks = new AckWriter(() =>
      client?.connected ? (client.stream as unknown as AckSocket) : undefined,
    );
    this.acks = acks;
    const session: DeliverySession = new DeliverySession({
      // A refused reading is retried as itself: the router counts it as malformed once.
      accept: (readings) =>
        this.accept(readings, (reading, reason) => {
          this.refused(reading, reason);
          session.keepAsIs(reading);
        }),
      sendAck: (messageId) => acks.send(messageId),
      stats: this.stats,
      log: this.log,
      retryMinMs: ACCEPT_RETRY_MIN_MS,
      retryMaxMs: ACCEPT_RETRY_MAX_MS,
    });
    return session;
  }

  private closeSession(): void {
    this.session.close();
    this.acks.close();
  }

  private onConnect(client: MqttClient, connack: IConnackPacket): void {
    this.status.connected = true;
    this.status.sessionPresent = connack.sessionPresent;
    this.reconnectAttempt = 0;
    client.options.reconnectPeriod = this.config.reconnectMinMs;
    this.log.info({ url: this.url(), sessionPresent: connack.sessionPresent }, 'MQTT connected');
    this.subscribe(client);
  }

  /** Every closed connection or failed attempt: drop its acks, pick the next delay. */
  private onClose(client: MqttClient): void {
    this.closeSession();
    this.session = this.newSession(client);
    const { reconnectMinMs, reconnectMaxMs } = this.config;
    const delay = backoffDelay(this.reconnectAttempt++, reconnectMinMs, reconnectMaxMs);
    client.options.reconnectPeriod = delay;
    if (this.status.connected && !this.stopping) {
      this.log.warn({ retryInMs: delay }, 'MQTT connection lost; reconnecting');
    }
    this.status.connected = false;
    this.status.subscribed = false;
  }

  private subscribe(client: MqttClient): void {
    const v5 = this.config.protocolVersion === 5;
    const map: ISubscriptionMap = {};
    for (const { filter, qos } of this.router.filters()) {
      const prev = map[filter]?.qos ?? 0;
      // rh 1 (MQTT 5): retained messages only for a new subscription, not on every reconnect.
      map[filter] = v5
        ? { qos: Math.max(prev, qos) as 0 | 1, rh: 1 }
        : { qos: Math.max(prev, qos) as 0 | 1 };
    }
    if (Object.keys(map).length === 0) {
      this.status.subscribed = true;
      return;
    }
    client.subscribe(map, (err, granted) => this.onSuback(err, granted));
  }

  /** MQTT.js reports a refusal (no ACL, shared subscriptions unsupported …) as an error. */
  private onSuback(err: Error | null, granted: ISubscriptionGrant[] | undefined): void {
    if (!this.status.connected) return; // the connection it belonged to is gone
    const refused = (granted ?? []).filter((g) => g.qos >= 0x80).map((g) => g.topic);
    if (!err && refused.length === 0) {
      this.status.subscribed = true;
      return;
    }
    this.status.lastError = err?.message ?? 'subscription refused';
    this.log.error({ err, refused }, 'MQTT subscribe failed; those topics will not arrive');
  }
}
