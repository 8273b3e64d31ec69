import { afterEach, describe, expect, it } from 'vitest';
import { ChannelError } from '../../src/alerts/channels/channel.ts';
import { GO_ZERO_TIME, WebhookChannel } from '../../src/alerts/channels/webhook.ts';
import {
  channelConfig,
  notification,
  notifiedAlert,
  startWebhookReceiver,
} from '../support/alert-receivers.ts';

/*
 * The generic webhook speaks Alertmanager's v4 payload exactly (DESIGN §4.8), so tools
 * built for Alertmanager work unchanged; checked on a real HTTP receiver.
 */

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const delivery = { key: 'N-1', attempt: 1, inDoubt: false, merged: 1 };

describe('webhook channel', () => {
  it('posts the Alertmanager v4 payload with the idempotency key', async () => {
    const receiver = await startWebhookReceiver();
    closers.push(() => receiver.close());
    const channel = new WebhookChannel(
      channelConfig({
        id: 'ops-hook',
        type: 'webhook',
        url: `${receiver.url}/hook`,
        externalURL: 'http://heatnet.example:8080/',
        bearerToken: 's3cret',
      }),
    );
    const firing = notifiedAlert();
    const resolved = notifiedAlert({
      status: 'resolved',
      endsAt: Date.parse('2026-01-10T09:00:00Z'),
      labels: { alertname: 'DeviceDown', severity: 'major', substation: 'S07', device: 'S07-vfd' },
    });
    const n = notification('ops-hook', { alerts: [firing, resolved], total: 5 });
    const receipt = await channel.send(n, { ...delivery, key: n.key });
    expect(receipt.id).toBe('HTTP 200');
    const [req] = receiver.requests;
    expect(req!.url.pathname).toBe('/hook');
    expect(req!.headers['idempotency-key']).toBe(n.key);
    expect(req!.headers.authorization).toBe('Bearer s3cret');
    const body = JSON.parse(req!.body);
    expect(Object.keys(body).sort()).toEqual(
      [
        'alerts',
        'commonAnnotations',
        'commonLabels',
        'externalURL',
        'groupKey',
        'groupLabels',
        'receiver',
        'status',
        'truncatedAlerts',
        'version',
      ].sort(),
    );
    expect(body).toMatchObject({
      version: '4',
      groupKey: n.groupKey,
      status: 'firing',
      receiver: 'east-crew',
      groupLabels: { substation: 'S07' },
      commonLabels: n.commonLabels,
      commonAnnotations: {
        summary: 'PLC not answering',
        summary_zh: 'PLC 无响应',
        description_zh: '连续 3 次轮询无应答',
      },
      externalURL: 'http://heatnet.example:8080',
      truncatedAlerts: 3,
    });
    expect(body.alerts[0]).toEqual({
      status: 'firing',
      labels: firing.labels,
      annotations: {
        summary: 'PLC not answering',
        description: 'No answer to 3 polls in a row',
        summary_en: 'PLC not answering',
        description_en: 'No answer to 3 polls in a row',
        summary_zh: 'PLC 无响应',
        description_zh: '连续 3 次轮询无应答',
      },
      startsAt: '2026-01-10T08:00:00.000Z',
      endsAt: GO_ZERO_TIME,
      generatorURL: `http://heatnet.example:8080/#/alerts/${firing.id}`,
      fingerprint: firing.fingerprint,
    });
    expect(body.alerts[1]).toMatchObject({
      status: 'resolved',
      endsAt: '2026-01-10T09:00:00.000Z',
    });
  });

  it('tells a refused request (4xx) from one worth retrying (5xx, 429 with Retry-After, no answer)', async () => {
    const receiver = await startWebhookReceiver();
    closers.push(() => receiver.close());
    const channel = new WebhookChannel(
      channelConfig({ id: 'ops-hook', type: 'webhook', url: receiver.url, timeoutS: 5 }),
    );
    const n = notification('ops-hook');
    receiver.failNext(1, { status: 401, body: 'no' });
    receiver.failNext(1, { status: 429, body: 'slow down', headers: { 'retry-after': '7' } });
    receiver.failNext(1, { status: 502, body: 'gateway' });
    const errors: ChannelError[] = [];
    for (let i = 0; i < 3; i++) {
      errors.push(
        await channel.send(n, delivery).then(
          () => new ChannelError('sent', false),
          (e) => e,
        ),
      );
    }
    expect(errors.map((e) => e.retryable)).toEqual([false, true, true]);
    expect(errors[1]!.retryAfterMs).toBe(7000);
    await receiver.close();
    const down = await channel.send(n, delivery).catch((e: ChannelError) => e);
    expect(down).toBeInstanceOf(ChannelError);
    expect((down as ChannelError).retryable).toBe(true);
  });
});
