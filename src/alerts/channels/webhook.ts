import type { Notification, NotifiedAlert } from '../../alerting/model.ts';
import type { AlertChannelConfig } from '../../config/schema-alert-channels.ts';
import type { AlertChannel, Delivery, Receipt } from './channel.ts';
import { request } from './http.ts';

/** Go's zero time: what Alertmanager puts in `endsAt` of a firing alert. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** Alertmanager's webhook payload, version 4 (what existing bridges and tools parse). */
export interface AlertmanagerPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: {
    status: 'firing' | 'resolved';
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    endsAt: string;
    generatorURL: string;
    fingerprint: string;
  }[];
}

/**
 * A generic webhook with Alertmanager's v4 payload. Annotations carry the texts in both
 * languages (`summary`/`description` in the channel's language, English for `both`, plus
 * `summary_zh`, `description_zh`); the outbox key goes in an `Idempotency-Key` header.
 */
export class WebhookChannel implements AlertChannel {
  readonly type = 'webhook';
  readonly dedupesByKey = true;
  readonly id: string;

  constructor(private readonly config: AlertChannelConfig) {
    this.id = config.id;
  }

  async send(n: Notification, d: Delivery): Promise<Receipt> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'heatnet-alerts',
      'idempotency-key': d.key,
      ...(this.config.headers ?? {}),
    };
    if (this.config.bearerToken) headers.authorization = `Bearer ${this.config.bearerToken}`;
    const body = JSON.stringify(alertmanagerPayload(n, this.config));
    const answer = await request(
      this.config.url!,
      { method: 'POST', headers, body },
      this.config.timeoutS * 1000,
    );
    return { id: `HTTP ${answer.status}` };
  }
}

export function alertmanagerPayload(
  n: Notification,
  config: Pick<AlertChannelConfig, 'externalURL' | 'maxAlerts' | 'language'>,
): AlertmanagerPayload {
  const externalURL = (config.externalURL ?? '').replace(/\/$/, '');
  const limit = config.maxAlerts > 0 ? config.maxAlerts : n.alerts.length;
  const alerts = n.alerts.slice(0, limit).map((a) => ({
    status: a.status,
    labels: a.labels,
    annotations: annotations(a, config.language),
    startsAt: new Date(a.startsAt).toISOString(),
    endsAt: a.endsAt === null ? GO_ZERO_TIME : new Date(a.endsAt).toISOString(),
    generatorURL: externalURL ? `${externalURL}/#/alerts/${encodeURIComponent(a.id)}` : '',
    fingerprint: a.fingerprint,
  }));
  return {
    version: '4',
    groupKey: n.groupKey,
    // Alerts the group holds beyond those listed (Alertmanager: max_alerts).
    truncatedAlerts: Math.max(0, n.total - alerts.length),
    status: n.status,
    receiver: n.receiver,
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL,
    alerts,
  };
}

function annotations(a: NotifiedAlert, language: AlertChannelConfig['language']) {
  const main = language === 'zh' ? 'zh' : 'en';
  return {
    summary: a.summary[main],
    description: a.description[main],
    summary_zh: a.summary.zh,
    description_zh: a.description.zh,
    summary_en: a.summary.en,
    description_en: a.description.en,
  };
}

function common(all: readonly Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = all;
  if (!first) return {};
  return Object.fromEntries(
    Object.entries(first).filter(([k, v]) => rest.every((x) => x[k] === v)),
  );
}
