// Real HTTP receivers on free loopback ports standing in for the services alert channels
// reach (issue 12): a generic webhook, WeCom and DingTalk robots, the Aliyun and Tencent
// SMS APIs. Each checks what the real service checks (shape, signature) and answers as
// it does; each can be told to fail a number of times first.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Value from 'typebox/value';
import type { Notification, NotifiedAlert } from '../../src/alerting/model.ts';
import {
  type AlertChannelConfig,
  AlertChannelSchema,
} from '../../src/config/schema-alert-channels.ts';
import type { Alert, AlertSink } from '../../src/core/alerts.ts';

export interface Received {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: Received) => Answer;

export interface Receiver {
  url: string;
  /** Every request, accepted or not, in arrival order. */
  requests: Received[];
  /** Requests the handler accepted (answered 2xx with no error code in the body). */
  accepted: Received[];
  /** The next `n` requests get `answer` instead of the handler's. */
  failNext(n: number, answer: Answer): void;
  /** Stop answering (connections refused) until `start()`. */
  close(): Promise<void>;
  start(): Promise<void>;
}

const ok = (body: unknown): Answer => ({ status: 200, body });

export async function startReceiver(
  handler: Handler,
  isAccepted: (a: Answer) => boolean = (a) => a.status < 300,
  port = 0,
): Promise<Receiver> {
  const requests: Received[] = [];
  const accepted: Received[] = [];
  const failures: Answer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: Received = {
        method: req.method ?? '',
        url: new URL(req.url ?? '/', 'http://receiver'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      const answer = failures.shift() ?? handler(received);
      if (isAccepted(answer)) accepted.push(received);
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(text);
    });
  });
  let bound = port;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(bound, '127.0.0.1', () => {
        bound = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    url: `http://127.0.0.1:${bound}`,
    requests,
    accepted,
    failNext: (n, answer) => failures.push(...Array.from({ length: n }, () => answer)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    start: listen,
  };
}

/** A generic webhook receiver (Alertmanager bridges): any JSON POST is fine. */
export const startWebhookReceiver = () =>
  startReceiver((req) =>
    req.method === 'POST' && req.headers['content-type']?.startsWith('application/json')
      ? ok({ status: 'ok' })
      : { status: 400, body: { error: 'expected a JSON POST' } },
  );

let sequence = 0;

/** An alert as the runtime would list it. */
export function notifiedAlert(over: Partial<NotifiedAlert> = {}): NotifiedAlert {
  const n = ++sequence;
  return {
    id: `A-260110-${String(n).padStart(6, '0')}`,
    fingerprint: `fp${n.toString(16).padStart(15, '0')}`,
    status: 'firing',
    labels: { alertname: 'DeviceDown', severity: 'major', substation: 'S07', device: `S07-plc` },
    summary: { en: 'PLC not answering', zh: 'PLC 无响应' },
    description: { en: 'No answer to 3 polls in a row', zh: '连续 3 次轮询无应答' },
    startsAt: Date.parse('2026-01-10T08:00:00Z'),
    endsAt: null,
    ...over,
  };
}

/** A notification for `channel` carrying `alerts` (one fresh alert by default). */
export function notification(channel: string, over: Partial<Notification> = {}): Notification {
  const alerts = over.alerts ?? [notifiedAlert()];
  return {
    key: `N-${++sequence}-${channel}`,
    channel,
    reason: 'firing',
    status: 'firing',
    groupKey: '{}:{substation="S07"}',
    receiver: 'east-crew',
    groupLabels: { substation: 'S07' },
    commonLabels: { alertname: 'DeviceDown', severity: 'major', substation: 'S07' },
    alerts,
    total: alerts.length,
    counts: { major: alerts.length },
    recipients: [{ person: 'wang', name: '王工', phone: '13800000001', email: 'wang@example.cn' }],
    createdAt: Date.parse('2026-01-10T08:00:30Z'),
    ...over,
  };
}

/** A channel's config with the schema's defaults filled in. */
export function channelConfig(raw: Record<string, unknown>): AlertChannelConfig {
  return Value.Default(AlertChannelSchema, structuredClone(raw)) as AlertChannelConfig;
}

/** An AlertSink that remembers what it was told. */
export class RecordingSink implements AlertSink {
  readonly raised: Alert[] = [];
  readonly cleared: string[] = [];
  raise(alert: Alert): void {
    this.raised.push(alert);
  }
  clear(source: string, code: string): void {
    this.cleared.push(`${source} ${code}`);
  }
}
