import type { MqttSubscription } from '../../config/schema.ts';
import type { Logger } from '../../core/logger.ts';
import type { Reading } from '../../core/reading.ts';
import { SeriesRecord, seriesTags } from '../../core/series-tags.ts';
import type { Topology } from '../../domain/topology.ts';
import {
  mapPayload,
  mapPayloadAt,
  noRejections,
  type PayloadRejection,
  type PayloadResult,
} from './payload.ts';
import { type FlatPlan, flatPlan } from './payload-flat.ts';
import { type FieldRule, fieldRules } from './plausible.ts';
import type { PublishView } from './publish-frames.ts';
import { TopicBytesMap } from './topic-bytes.ts';
import { compileTopicTemplate, type TopicTemplate } from './topic-template.ts';

export interface SubscriptionHealth {
  topic: string;
  /** What we subscribe to at the broker (`$share/GROUP/…` with a shared group). */
  filter: string;
  messages: number;
  malformed: number;
  /** The malformed messages by why (sentinel and range as the Modbus side counts them). */
  rejected: Record<PayloadRejection, number>;
  lastMessageAt: number | null;
  lastError: string | null;
  /** No message for `staleAfterS`: the sensors behind it (or the broker path) went quiet. */
  stale: boolean;
}

interface ActiveSubscription {
  config: MqttSubscription;
  template: TopicTemplate;
  /** The fields with their ranges and sentinels, resolved once. */
  rules: FieldRule[];
  /** Reads the usual flat payload without JSON.parse (undefined for nested paths). */
  plan: FlatPlan | undefined;
  health: SubscriptionHealth;
}

/** A subscription a topic matches, with the topic's tags (enriched, frozen). */
interface Match {
  sub: ActiveSubscription;
  tags: Readonly<Record<string, string>>;
}

/** Topics remembered; beyond it the memory is dropped and rebuilt. */
const TOPIC_CACHE_MAX = 300_000;

/** The pipeline's refusal reasons as a subscription counts them. */
const KIND_OF_REFUSAL: Record<string, PayloadRejection> = {
  'not-finite': 'not-finite',
  'bad-time': 'time',
  'time-ahead': 'time',
};

/**
 * Subscriptions → readings: matches a topic against every configured template, maps the
 * payload and keeps per-subscription counts. Room readings are enriched from the topology
 * (zone, building, substation of the household), so a sensor needs to know only its
 * household id. Never throws: bad input is counted and logged, not raised.
 */
export class MessageRouter {
  private readonly subs: ActiveSubscription[];
  /**
   * Which subscription a reading's tags belong to: each (topic, subscription) has its own
   * frozen tags object, so this is set once per topic, not once per reading (a WeakMap
   * entry per reading was a garbage collector's cost in a burst, issue 14).
   */
  private readonly origin = new SeriesRecord<SubscriptionHealth>();
  /** Readings already counted as refused: a retried batch must not count them twice. */
  private readonly counted = new WeakSet<Reading>();
  /**
   * topic → the subscriptions it matches, with its tags. Sensors repeat their topic, so a
   * message costs one lookup instead of a split, a match and an enrichment per
   * subscription, and its readings share one tags object, which storage and state key
   * their caches on (issue 14).
   */
  private readonly matches = new Map<string, readonly Match[]>();
  /**
   * The same for frames read off the socket (WireSplice), keyed by the topic's bytes.
   * Kept apart from `matches` so a topic costs one entry, not one in each (memory with
   * 250,000 series, issue 14); a topic seen on both paths gets two tags objects, which
   * only means two cache entries downstream.
   */
  private readonly byBytes = new TopicBytesMap<readonly Match[]>(TOPIC_CACHE_MAX);

  constructor(
    subscriptions: readonly MqttSubscription[],
    sharedGroup: string | undefined,
    private readonly topology: Topology,
    private readonly log: Logger,
    /** Told about every message a subscription receives (the stale watchdog listens). */
    private readonly seen: (health: SubscriptionHealth) => void = () => {},
  ) {
    this.subs = subscriptions.map((config) => {
      const template = compileTopicTemplate(config.topic);
      // MQTT 5 §4.8.2: the broker delivers one copy per group, to one member of the group.
      const filter = sharedGroup ? `$share/${sharedGroup}/${template.filter}` : template.filter;
      const health: SubscriptionHealth = {
        topic: config.topic,
        filter,
        messages: 0,
        malformed: 0,
        rejected: noRejections(),
        lastMessageAt: null,
        lastError: null,
        stale: false,
      };
      const rules = fieldRules(config);
      const paths = rules.map((r) => r.path);
      const plan = flatPlan(config.time ? [...paths, config.time] : paths);
      return { config, template, rules, plan, health };
    });
  }

  get health(): SubscriptionHealth[] {
    return this.subs.map((s) => s.health);
  }

  /** Broker filters with their QoS, for one SUBSCRIBE. */
  filters(): { filter: string; qos: 0 | 1 }[] {
    return this.subs.map((s) => ({ filter: s.health.filter, qos: s.config.qos }));
  }

  route(topic: string, payload: Buffer, now: number): Reading[] {
    const readings: Reading[] = [];
    this.routeInto(readings, topic, payload, now);
    return readings;
  }

  /** As `route`, adding the readings to `out` (a batch); how many it added. */
  routeInto(out: Reading[], topic: string, payload: Buffer, now: number): number {
    let added = 0;
    for (const { sub, tags } of this.matchesOf(topic)) {
      const result = mapPayload(sub.config, payload, sub.rules, sub.plan);
      added += this.take(out, sub, tags, result, topic, now);
    }
    return added;
  }

  /** As `routeInto`, for a frame read off the socket: topic and payload stay bytes. */
  routeView(out: Reading[], view: PublishView, now: number): number {
    let added = 0;
    for (const { sub, tags } of this.matchesOfView(view)) {
      const { config, rules, plan } = sub;
      const result = mapPayloadAt(
        config,
        view.data,
        view.payloadStart,
        view.payloadEnd,
        rules,
        plan,
      );
      // The topic as a string only to log a malformed payload.
      added += this.take(out, sub, tags, result, result.ok ? '' : view.topic, now);
    }
    return added;
  }

  /** One subscription's result: a reading onto `out` (1), or counted as malformed (0). */
  private take(
    out: Reading[],
    sub: ActiveSubscription,
    tags: Readonly<Record<string, string>>,
    result: PayloadResult,
    topic: string,
    now: number,
  ): number {
    const h = sub.health;
    h.lastMessageAt = now;
    this.seen(h);
    if (!result.ok) {
      h.malformed++;
      h.rejected[result.kind]++;
      // Logged once per subscription and reason change; counts live in health.
      if (h.lastError !== result.reason) {
        this.log.warn({ topic, reason: result.reason }, 'malformed MQTT payload');
      }
      h.lastError = result.reason;
      return 0;
    }
    h.messages++;
    const { measurement } = sub.config;
    out.push({ measurement, tags, fields: result.fields, time: result.time ?? now });
    return 1;
  }

  private matchesOfView(view: PublishView): readonly Match[] {
    if (view.aliasTopic !== undefined) return this.matchesOf(view.aliasTopic);
    const { data, topicStart, topicEnd } = view;
    const known = this.byBytes.get(data, topicStart, topicEnd);
    if (known) return known;
    const topic = view.topic;
    const found = this.match(topic);
    this.byBytes.set(data, topicStart, topicEnd, topic, found);
    return found;
  }

  /**
   * The ingest pipeline refused a reading this router made (say, a time too far ahead):
   * its message counts as malformed after all, once, however often it is retried.
   */
  refused(reading: Reading, reason: string): void {
    const h = this.origin.get(reading.tags);
    if (!h || this.counted.has(reading)) return;
    this.counted.add(reading);
    h.messages--;
    h.malformed++;
    h.rejected[KIND_OF_REFUSAL[reason] ?? 'payload']++;
    if (h.lastError !== reason) {
      this.log.warn({ topic: h.topic, reason }, 'MQTT reading refused by the ingest pipeline');
    }
    h.lastError = reason;
  }

  private matchesOf(topic: string): readonly Match[] {
    const cached = this.matches.get(topic);
    if (cached) return cached;
    const found = this.match(topic);
    if (this.matches.size >= TOPIC_CACHE_MAX) this.matches.clear();
    this.matches.set(topic, found);
    return found;
  }

  /** Every subscription `topic` matches, with its tags (enriched, frozen). */
  private match(topic: string): Match[] {
    const found: Match[] = [];
    for (const sub of this.subs) {
      const matched = sub.template.match(topic);
      if (!matched) continue;
      // Frozen: shared by every reading of the topic, and the key of storage's line prefix.
      const tags = seriesTags(this.enrich(sub, matched));
      this.origin.set(tags, sub.health);
      found.push({ sub, tags });
    }
    return found;
  }

  /** The topology's substation, building and zone of a household (its own tags are fresh). */
  private enrich(sub: ActiveSubscription, tags: Record<string, string>): Record<string, string> {
    if (sub.config.measurement !== 'room' || !tags.household) return tags;
    const h = this.topology.household(tags.household);
    if (!h) return tags;
    tags.substation = h.substation;
    tags.building = h.building;
    tags.zone = h.zone;
    return tags;
  }
}
