import { createHash, createHmac } from 'node:crypto';
import { ChannelError, type Receipt } from './channel.ts';
import { parseJson, request } from './http.ts';
import type { SmsProvider, SmsRequest, SmsSettings } from './sms.ts';

export const TENCENT_ENDPOINT = 'https://sms.tencentcloudapi.com/';
const SERVICE = 'sms';
const CONTENT_TYPE = 'application/json; charset=utf-8';

const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s).digest();

/**
 * TC3-HMAC-SHA256 as Tencent Cloud documents: a canonical request over the signed headers
 * (content-type;host) and the body's hash, signed with a key derived from the secret,
 * the UTC date, the service and "tc3_request".
 */
export function tc3Authorization(a: {
  secretId: string;
  secretKey: string;
  host: string;
  timestamp: number;
  body: string;
}): string {
  const date = new Date(a.timestamp * 1000).toISOString().slice(0, 10);
  const canonicalRequest = [
    'POST',
    '/',
    '',
    `content-type:${CONTENT_TYPE}\nhost:${a.host}\n`,
    'content-type;host',
    sha256hex(a.body),
  ].join('\n');
  const scope = `${date}/${SERVICE}/tc3_request`;
  const toSign = ['TC3-HMAC-SHA256', String(a.timestamp), scope, sha256hex(canonicalRequest)].join(
    '\n',
  );
  const signing = hmac(hmac(hmac(`TC3${a.secretKey}`, date), SERVICE), 'tc3_request');
  const signature = createHmac('sha256', signing).update(toSign).digest('hex');
  return `TC3-HMAC-SHA256 Credential=${a.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`;
}

/** Codes worth another try: limits and Tencent's own trouble, not a bad request. */
const TENCENT_RETRYABLE =
  /^(RequestLimitExceeded|InternalError|LimitExceeded\.(PhoneNumberThirtySecondLimit|PhoneNumberOneHourLimit)|FailedOperation\.InsufficientBalanceInSmsPackage)/;

/** SMS `SendSms` (version 2021-01-11); the outbox key travels as `SessionContext`. */
export class TencentSms implements SmsProvider {
  constructor(
    private readonly settings: SmsSettings & { sdkAppId: string },
    private readonly wallClock: () => number = Date.now,
  ) {}

  async send(req: SmsRequest): Promise<Receipt> {
    const s = this.settings;
    const url = new URL(s.endpoint ?? TENCENT_ENDPOINT);
    const body = JSON.stringify({
      PhoneNumberSet: req.phones,
      SmsSdkAppId: s.sdkAppId,
      SignName: s.signName,
      TemplateId: s.template,
      TemplateParamSet: req.paramList,
      SessionContext: req.outId.slice(0, 512),
    });
    const timestamp = Math.floor(this.wallClock() / 1000);
    const authorization = tc3Authorization({
      secretId: s.keyId,
      secretKey: s.keySecret,
      host: url.host,
      timestamp,
      body,
    });
    const headers = {
      authorization,
      'content-type': CONTENT_TYPE,
      host: url.host,
      'x-tc-action': 'SendSms',
      'x-tc-timestamp': String(timestamp),
      'x-tc-version': '2021-01-11',
      'x-tc-region': s.region ?? 'ap-guangzhou',
    };
    const answer = await request(url.toString(), { method: 'POST', headers, body }, s.timeoutMs);
    return tencentReceipt(parseJson(answer, 'Tencent SMS'));
  }
}

/** Tencent answers 200 with either `Response.Error` or a status per number. */
function tencentReceipt(json: Record<string, unknown>): Receipt {
  const response = (json.Response ?? {}) as {
    Error?: { Code?: string; Message?: string };
    SendStatusSet?: { Code?: string; Message?: string; SerialNo?: string; PhoneNumber?: string }[];
    RequestId?: string;
  };
  if (response.Error) {
    const code = response.Error.Code ?? 'unknown';
    throw new ChannelError(
      `Tencent SMS ${code}: ${response.Error.Message ?? ''}`,
      TENCENT_RETRYABLE.test(code),
    );
  }
  const statuses = response.SendStatusSet ?? [];
  const failed = statuses.filter((s) => s.Code !== 'Ok');
  if (statuses.length === 0 || failed.length === statuses.length) {
    const code = failed[0]?.Code ?? 'no status';
    throw new ChannelError(
      `Tencent SMS ${code}: ${failed[0]?.Message ?? ''}`,
      TENCENT_RETRYABLE.test(code),
    );
  }
  // Some numbers reached: sending again would repeat the message to them. Say who failed.
  const note =
    failed.length > 0
      ? `; failed: ${failed.map((f) => `${f.PhoneNumber} ${f.Code}`).join(', ')}`
      : '';
  return { id: `tencent ${statuses.map((s) => s.SerialNo).join(',')}${note}` };
}
