import type { Notification } from '../../alerting/model.ts';
import type { AlertChannelConfig } from '../../config/schema-alert-channels.ts';
import type { AlertChannel, Delivery, Receipt } from './channel.ts';
import { ChannelError } from './channel.ts';
import { render, topSeverity } from './template.ts';

/** The MQTT ingestor's confirmed publish (src/ingest/mqtt): only it speaks MQTT. */
export type ConfirmedPublish = (topic: string, payload: string) => Promise<void>;

/**
 * `heatnet/alerts/{severity}` (DESIGN §4.4): the message as JSON at QoS 1, not retained,
 * sent once the broker acknowledged it. The payload carries the key, so a subscriber
 * can drop a repeat after a restart.
 */
export class MqttChannel implements AlertChannel {
  readonly type = 'mqtt';
  readonly dedupesByKey = true;
  readonly id: string;

  constructor(
    private readonly config: AlertChannelConfig,
    private readonly publish: ConfirmedPublish | undefined,
    private readonly timeZone: string,
  ) {
    this.id = config.id;
  }

  async send(n: Notification, d: Delivery): Promise<Receipt> {
    if (!this.publish) throw new ChannelError('no MQTT connection is configured', true);
    const severity = topSeverity(n);
    const topic = `${this.config.topicPrefix ?? 'heatnet/alerts'}/${severity}`;
    const maxAlerts = this.config.maxAlerts > 0 ? this.config.maxAlerts : n.alerts.length;
    const text = (language: 'zh' | 'en') =>
      render(n, d, { language, timeZone: this.timeZone, maxAlerts, markdown: false });
    const payload = {
      key: d.key,
      severity,
      status: n.status,
      reason: n.reason,
      groupKey: n.groupKey,
      receiver: n.receiver,
      total: n.total,
      counts: n.counts,
      merged: d.merged,
      inDoubt: d.inDoubt,
      groupLabels: n.groupLabels,
      alerts: n.alerts.slice(0, maxAlerts).map((a) => ({
        ...a,
        startsAt: new Date(a.startsAt).toISOString(),
        endsAt: a.endsAt === null ? null : new Date(a.endsAt).toISOString(),
      })),
      text: { zh: text('zh').text, en: text('en').text },
      createdAt: new Date(n.createdAt).toISOString(),
    };
    try {
      await withTimeout(this.publish(topic, JSON.stringify(payload)), this.config.timeoutS * 1000);
    } catch (err) {
      throw new ChannelError(
        `MQTT publish: ${err instanceof Error ? err.message : String(err)}`,
        true,
      );
    }
    return { id: `${topic} puback` };
  }
}

/**
 * A QoS 1 publish in flight when the connection drops waits for the reconnect; the
 * outbox must not wait with it. If the PUBACK comes after all, the retry repeats the
 * message with the same key, which subscribers can drop.
 */
function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no PUBACK within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
