import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import type { Component } from '../../core/lifecycle.ts';
import type { Logger } from '../../core/logger.ts';
import { type BrokerAccess, BrokerGuard, type BrokerRefusals } from './broker-guard.ts';

export type { BrokerAccess, BrokerCredentials } from './broker-guard.ts';

/** What `/api/health` and `/metrics` show of the embedded broker. */
export interface BrokerHealth {
  host: string;
  port: number;
  clients: number;
  /** Publishers may connect (a credential is configured); else only heatnet's subscriber. */
  publishersAccepted: boolean;
  refused: BrokerRefusals;
  /**
   * QoS 1 messages aedes delivered to a persistent session without having queued them
   * for it; queued late instead of letting aedes close that session ("no such packet").
   */
  untrackedDeliveries: number;
}

/** The part of aedes' session store this broker wraps (not public API: checked at start). */
interface SessionStore {
  outgoingEnqueue(sub: { clientId: string }, packet: object): Promise<void>;
  outgoingUpdate(client: { id: string }, packet: { cmd?: string }): Promise<void>;
}

/**
 * The in-process MQTT broker of the embedded defaults (`ingest.mqtt.url: embedded`),
 * so the demo needs nothing installed. Production points heatnet at a real broker
 * (mosquitto, EMQX) instead. It listens on loopback unless told otherwise, accepts only
 * the credentials of `BrokerAccess`, and refuses malformed topics (see BrokerGuard).
 */
export class EmbeddedBroker implements Component {
  readonly name = 'mqtt.broker';
  private broker: Aedes | undefined;
  private server: Server | undefined;
  private readonly guard: BrokerGuard;
  private untracked = 0;
  port: number;

  constructor(
    port: number,
    private readonly log: Logger,
    private readonly host: string,
    private readonly access: BrokerAccess,
  ) {
    this.port = port;
    this.guard = new BrokerGuard(access, log);
  }

  /** Where clients on this machine reach it (a wildcard bind is reached on loopback). */
  get url(): string {
    const host = ['0.0.0.0', '::', ''].includes(this.host) ? '127.0.0.1' : this.host;
    return `mqtt://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  async start(): Promise<void> {
    const broker = await Aedes.createBroker({ id: 'heatnet-embedded', ...this.guard.hooks });
    this.keepSessionsOnUntrackedDelivery(broker);
    // A client's failure is that client's: logged at debug (refusals are counted apart).
    broker.on('clientError', (client, err) =>
      this.log.debug({ clientId: client.id?.slice(0, 64), err: err.message }, 'MQTT client error'),
    );
    const server = createServer(broker.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.broker = broker;
    this.server = server;
    const publishers = this.access.publishers !== undefined;
    this.log.info({ url: this.url, publishers }, 'embedded MQTT broker listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    const broker = this.broker;
    this.server = undefined;
    this.broker = undefined;
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  health(): BrokerHealth {
    return {
      host: this.host,
      port: this.port,
      clients: this.broker?.connectedClients ?? 0,
      publishersAccepted: this.access.publishers !== undefined,
      refused: structuredClone(this.guard.refused),
      untrackedDeliveries: this.untracked,
    };
  }

  /**
   * Second line of defence behind the topic gate. aedes delivers a QoS 1 message to a
   * persistent session through its router, then looks the message up in that session's
   * queue; if the queue's matcher disagreed with the router's (empty levels, or a
   * subscription stored a moment after it was routed), the lookup fails with "no such
   * packet" and aedes closes the *subscriber*, i.e. heatnet. Queue the message for the
   * session instead and carry on: it is then tracked, acknowledged and redelivered as any other.
   */
  private keepSessionsOnUntrackedDelivery(broker: Aedes): void {
    const store = (broker as unknown as { persistence?: Partial<SessionStore> }).persistence;
    if (
      typeof store?.outgoingUpdate !== 'function' ||
      typeof store.outgoingEnqueue !== 'function'
    ) {
      throw new Error('this aedes version has no outgoingUpdate/outgoingEnqueue to guard');
    }
    const update = store.outgoingUpdate.bind(store);
    const enqueue = store.outgoingEnqueue.bind(store);
    store.outgoingUpdate = async (client, packet) => {
      try {
        await update(client, packet);
      } catch (err) {
        if (packet.cmd !== 'publish') throw err; // QoS 2 flows keep aedes' own handling
        this.untracked++;
        this.log.warn({ clientId: client.id, err }, 'QoS 1 delivery was not queued; queued late');
        // Should that fail too: deliver it untracked (as to a clean session), never close one.
        await enqueue({ clientId: client.id }, packet)
          .then(() => update(client, packet))
          .catch(() => {});
      }
    };
  }
}
