import { createHash, timingSafeEqual } from 'node:crypto';
import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import type { Logger } from '../../core/logger.ts';
import {
  filterRefusal,
  publishTopicRefusal,
  TOPIC_REFUSALS,
  type TopicRefusal,
} from './topic-guard.ts';

/** A username and password the embedded broker accepts. */
export interface BrokerCredentials {
  username: string;
  password: string;
}

/**
 * Who may connect to the embedded broker: heatnet's own subscriber, whose client id is
 * reserved for its per-process credential (so nobody can take its session over, MQTT-3.1.4-2),
 * and the publishers (the simulator, devices) with the configured credential, if any.
 */
export interface BrokerAccess {
  ingestor: BrokerCredentials & { clientId: string };
  publishers: BrokerCredentials | undefined;
}

export type ConnectRefusal = 'bad-credentials' | 'client-id-reserved' | 'will-topic';
const CONNECT_REFUSALS: readonly ConnectRefusal[] = [
  'bad-credentials',
  'client-id-reserved',
  'will-topic',
];

/** What the broker refused, by reason: counters that only grow while the process runs. */
export interface BrokerRefusals {
  connects: Record<ConnectRefusal, number>;
  publishes: Record<TopicRefusal, number>;
  subscribes: Record<TopicRefusal, number>;
}

type Hooks = Required<
  Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>
>;

const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Compared as digests, in constant time: the length of a secret leaks nothing either. */
function same(given: string | Buffer | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (v: string | Buffer) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The broker's gate: aedes' connect and authorization hooks. A refused CONNECT gets no
 * session; a refused PUBLISH closes the publisher's connection (aedes' answer, allowed by
 * MQTT-3.3.5-2) and never reaches the router or any subscriber's session.
 */
export class BrokerGuard {
  readonly refused: BrokerRefusals = {
    connects: zeros(CONNECT_REFUSALS),
    publishes: zeros(TOPIC_REFUSALS),
    subscribes: zeros(TOPIC_REFUSALS),
  };

  constructor(
    private readonly access: BrokerAccess,
    private readonly log: Logger,
  ) {}

  readonly hooks: Hooks = {
    preConnect: (client, packet, callback) => {
      const will = packet.will?.topic;
      const problem = will === undefined ? null : publishTopicRefusal(will);
      if (!problem) return callback(null, true);
      this.count('connects', 'will-topic', client, will);
      callback(null, false);
    },
    authenticate: (client, username, password, callback) => {
      const refusal = this.connectRefusal(client.id, username, password);
      if (!refusal) return callback(null, true);
      this.count('connects', refusal, client);
      const returnCode = refusal === 'client-id-reserved' ? 2 : 4; // identifier rejected / bad credentials
      const error = Object.assign(new Error(`connection refused: ${refusal}`), { returnCode });
      callback(error as AuthenticateError, false);
    },
    authorizePublish: (client, packet, callback) => {
      const problem = publishTopicRefusal(packet.topic);
      if (!problem) return callback(null);
      this.count('publishes', problem, client, packet.topic);
      callback(new Error(`publish refused: ${problem}`));
    },
    authorizeSubscribe: (client, sub, callback) => {
      const problem = filterRefusal(sub.topic);
      if (!problem) return callback(null, sub);
      this.count('subscribes', problem, client, sub.topic);
      callback(new Error(`subscription refused: ${problem}`));
    },
  };

  private connectRefusal(
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
  ): ConnectRefusal | null {
    const { ingestor, publishers } = this.access;
    const matches = (c: BrokerCredentials | undefined) =>
      c !== undefined && same(username, c.username) && same(password, c.password);
    if (matches(ingestor)) return null;
    if (!matches(publishers)) return 'bad-credentials';
    return clientId === ingestor.clientId ? 'client-id-reserved' : null;
  }

  /** Counted always; logged once per kind and reason, then every 100th (a hostile loop is not a log flood). */
  private count<K extends keyof BrokerRefusals>(
    kind: K,
    reason: keyof BrokerRefusals[K] & string,
    client: Client | null,
    topic?: string,
  ): void {
    const counters = this.refused[kind] as Record<string, number>;
    const n = ++counters[reason]!;
    if (n !== 1 && n % 100 !== 0) return;
    // The client id and topic come from the wire: cut to a sane length for the log.
    const clientId = client?.id?.slice(0, 64);
    this.log.warn(
      { kind, reason, clientId, topic: topic?.slice(0, 128), total: n },
      'embedded broker refused a client request',
    );
  }
}
