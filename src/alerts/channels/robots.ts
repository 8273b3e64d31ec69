import { createHmac } from 'node:crypto';
import type { Notification } from '../../alerting/model.ts';
import type { AlertChannelConfig } from '../../config/schema-alert-channels.ts';
import type { AlertChannel, Delivery, Receipt } from './channel.ts';
import { ChannelError } from './channel.ts';
import { parseJson, request } from './http.ts';
import { render } from './template.ts';

/** Lines a robot message lists before "… and N more": group chats are read on phones. */
const ROBOT_ALERTS = 10;

/** Mobiles to @: the channel's fixed ones and the notification's recipients'. */
export function mobilesOf(n: Notification, config: AlertChannelConfig): string[] {
  const phones = [
    ...(config.mention ?? []),
    ...n.recipients.flatMap((r) => (r.phone ? [r.phone] : [])),
  ];
  return [...new Set(phones)];
}

const textOptions = (config: AlertChannelConfig, timeZone: string, markdown: boolean) => ({
  language: config.language,
  timeZone,
  maxAlerts: config.maxAlerts > 0 ? config.maxAlerts : ROBOT_ALERTS,
  markdown,
});

/**
 * WeCom (企业微信) group robot. Markdown reads best, but only a text message can @ people
 * by mobile (`mentioned_mobile_list`); so a message that must ring someone's phone goes as
 * text, the rest as markdown. errcode 45009 is WeCom's "too many messages" (20 a minute):
 * retried after the minute.
 */
export class WecomChannel implements AlertChannel {
  readonly type = 'wecom';
  readonly dedupesByKey = false;
  readonly id: string;

  constructor(
    private readonly config: AlertChannelConfig,
    private readonly timeZone: string,
  ) {
    this.id = config.id;
  }

  async send(n: Notification, d: Delivery): Promise<Receipt> {
    const mobiles = mobilesOf(n, this.config);
    const markdown = mobiles.length === 0;
    const { text } = render(n, d, textOptions(this.config, this.timeZone, markdown));
    const body = markdown
      ? { msgtype: 'markdown', markdown: { content: text } }
      : { msgtype: 'text', text: { content: text, mentioned_mobile_list: mobiles } };
    const answer = await request(
      this.config.url!,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      },
      this.config.timeoutS * 1000,
    );
    const json = parseJson(answer, 'WeCom');
    return robotReceipt('WeCom', json, { rateLimited: [45009], retryable: [-1] });
  }
}

/**
 * DingTalk (钉钉) custom robot, markdown with @mobiles. With a secret (加签) every request
 * carries `timestamp` and `sign` = URL-encoded base64 of HMAC-SHA256(secret,
 * "timestamp\nsecret"), as DingTalk documents; the robot refuses a stale or wrong sign.
 * errcode 130101 is its "sending too fast" (20 a minute).
 */
export class DingtalkChannel implements AlertChannel {
  readonly type = 'dingtalk';
  readonly dedupesByKey = false;
  readonly id: string;

  constructor(
    private readonly config: AlertChannelConfig,
    private readonly timeZone: string,
    private readonly wallClock: () => number = Date.now,
  ) {
    this.id = config.id;
  }

  async send(n: Notification, d: Delivery): Promise<Receipt> {
    const mobiles = mobilesOf(n, this.config);
    const { title, text } = render(n, d, textOptions(this.config, this.timeZone, true));
    // DingTalk only rings the people whose @mobile also appears in the text.
    const mentions = mobiles.length > 0 ? `\n\n${mobiles.map((m) => `@${m}`).join(' ')}` : '';
    const body = {
      msgtype: 'markdown',
      markdown: { title, text: text + mentions },
      at: { atMobiles: mobiles, isAtAll: false },
    };
    const answer = await request(
      this.signedUrl(),
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      },
      this.config.timeoutS * 1000,
    );
    const json = parseJson(answer, 'DingTalk');
    return robotReceipt('DingTalk', json, { rateLimited: [130101], retryable: [-1] });
  }

  private signedUrl(): string {
    const url = new URL(this.config.url!);
    if (!this.config.secret) return url.toString();
    // The robot checks the time against its own clock (within an hour): real time, not the service clock.
    const timestamp = String(this.wallClock());
    url.searchParams.set('timestamp', timestamp);
    url.searchParams.set('sign', dingtalkSign(timestamp, this.config.secret));
    return url.toString();
  }
}

/** base64(HMAC-SHA256(key = secret, "timestamp\nsecret")); URLSearchParams URL-encodes it. */
export function dingtalkSign(timestamp: string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

/** Robots answer HTTP 200 with `errcode`: 0 is sent, a rate limit comes back after a minute. */
function robotReceipt(
  what: string,
  json: Record<string, unknown>,
  codes: { rateLimited: number[]; retryable: number[] },
): Receipt {
  const errcode = Number(json.errcode ?? -1);
  if (errcode === 0) return { id: `${what} errcode 0` };
  const message = `${what} errcode ${errcode}: ${String(json.errmsg ?? '')}`;
  if (codes.rateLimited.includes(errcode)) throw new ChannelError(message, true, 60_000);
  throw new ChannelError(message, codes.retryable.includes(errcode));
}
