import { createHmac, randomUUID } from 'node:crypto';
import { ChannelError, type Receipt } from './channel.ts';
import { parseJson, request } from './http.ts';
import type { SmsProvider, SmsRequest, SmsSettings } from './sms.ts';

export const ALIYUN_ENDPOINT = 'https://dysmsapi.aliyuncs.com/';

/** Aliyun's percent-encoding: RFC 3986 unreserved kept, everything else %XX (so * → %2A). */
export function aliyunEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Signature v1 (RPC style): HMAC-SHA1 with key `AccessKeySecret&` over
 * `POST&%2F&` + the encoded canonical query (parameters sorted by name, each name=value
 * encoded), base64 — as Aliyun documents for dysmsapi.
 */
export function aliyunSignature(
  method: string,
  params: Record<string, string>,
  secret: string,
): string {
  const canonical = Object.keys(params)
    .sort()
    .map((k) => `${aliyunEncode(k)}=${aliyunEncode(params[k]!)}`)
    .join('&');
  const toSign = `${method}&${aliyunEncode('/')}&${aliyunEncode(canonical)}`;
  return createHmac('sha1', `${secret}&`).update(toSign).digest('base64');
}

/** Codes Aliyun answers when it is the rate, not the request, that is wrong. */
const ALIYUN_RETRYABLE = new Set([
  'isv.BUSINESS_LIMIT_CONTROL',
  'Throttling',
  'Throttling.User',
  'ServiceUnavailable',
  'InternalError',
]);

/** dysmsapi `SendSms` (version 2017-05-25); the outbox key travels as `OutId`. */
export class AliyunSms implements SmsProvider {
  constructor(
    private readonly settings: SmsSettings,
    private readonly wallClock: () => number = Date.now,
  ) {}

  async send(req: SmsRequest): Promise<Receipt> {
    const s = this.settings;
    const params: Record<string, string> = {
      AccessKeyId: s.keyId,
      Action: 'SendSms',
      Format: 'JSON',
      OutId: req.outId.slice(0, 256),
      PhoneNumbers: req.phones.join(','),
      RegionId: s.region ?? 'cn-hangzhou',
      SignName: s.signName,
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: randomUUID(),
      SignatureVersion: '1.0',
      TemplateCode: s.template,
      TemplateParam: JSON.stringify(req.params),
      Timestamp: new Date(this.wallClock()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Version: '2017-05-25',
    };
    params.Signature = aliyunSignature('POST', params, s.keySecret);
    const body = Object.entries(params)
      .map(([k, v]) => `${aliyunEncode(k)}=${aliyunEncode(v)}`)
      .join('&');
    const answer = await request(
      s.endpoint ?? ALIYUN_ENDPOINT,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body },
      s.timeoutMs,
    ).catch((err: unknown) => {
      throw retryableUnless4xxCode(err);
    });
    const json = parseJson(answer, 'Aliyun SMS');
    if (json.Code === 'OK') return { id: `aliyun BizId ${String(json.BizId ?? '')}` };
    const code = String(json.Code ?? 'unknown');
    throw new ChannelError(
      `Aliyun SMS ${code}: ${String(json.Message ?? '')}`,
      ALIYUN_RETRYABLE.has(code),
    );
  }
}

/** Aliyun answers a signature or parameter error with HTTP 400/404 and a JSON code. */
function retryableUnless4xxCode(err: unknown): unknown {
  if (!(err instanceof ChannelError) || err.retryable) return err;
  const code = /"Code"\s*:\s*"([^"]+)"/.exec(err.message)?.[1];
  return code && ALIYUN_RETRYABLE.has(code) ? new ChannelError(err.message, true) : err;
}
