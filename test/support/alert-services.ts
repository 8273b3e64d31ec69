// Receivers that answer as WeCom, DingTalk, Aliyun SMS and Tencent SMS do, checking keys and
// signatures with their own code (written from the providers' documents, not shared with
// src/), so a signing mistake in heatnet fails here as it would in production.
import { createHash, createHmac } from 'node:crypto';
import { type Answer, type Received, type Receiver, startReceiver } from './alert-receivers.ts';

const ok = (body: unknown): Answer => ({ status: 200, body });
const robotOk = (a: Answer) =>
  a.status === 200 && (a.body as { errcode?: number } | undefined)?.errcode === 0;

/** WeCom group robot: `key` in the query; markdown ≤ 4096 bytes, text ≤ 2048 bytes. */
export function startWecom(key: string, limitPerMinute = 20): Promise<Receiver> {
  const sent: number[] = [];
  return startReceiver((req) => {
    if (req.url.searchParams.get('key') !== key)
      return ok({ errcode: 93000, errmsg: 'invalid webhook url' });
    const now = Date.now();
    while (sent.length > 0 && sent[0]! <= now - 60_000) sent.shift();
    if (sent.length >= limitPerMinute)
      return ok({ errcode: 45009, errmsg: 'api freq out of limit' });
    const body = JSON.parse(req.body);
    const content: unknown =
      body.msgtype === 'markdown' ? body.markdown?.content : body.text?.content;
    const max = body.msgtype === 'markdown' ? 4096 : 2048;
    if (typeof content !== 'string' || Buffer.byteLength(content) > max) {
      return ok({ errcode: 40058, errmsg: 'content exceed max length or empty' });
    }
    sent.push(now);
    return ok({ errcode: 0, errmsg: 'ok' });
  }, robotOk);
}

/** DingTalk custom robot with 加签: timestamp within an hour, sign = base64 HMAC-SHA256. */
export function startDingtalk(token: string, secret: string): Promise<Receiver> {
  return startReceiver((req) => {
    if (req.url.searchParams.get('access_token') !== token) {
      return ok({ errcode: 300001, errmsg: 'token is not exist' });
    }
    const timestamp = req.url.searchParams.get('timestamp') ?? '';
    const sign = req.url.searchParams.get('sign') ?? '';
    if (Math.abs(Date.now() - Number(timestamp)) > 3_600_000) {
      return ok({ errcode: 310000, errmsg: 'invalid timestamp' });
    }
    const expected = createHmac('sha256', secret)
      .update(`${timestamp}\n${secret}`)
      .digest('base64');
    if (sign !== expected) return ok({ errcode: 310000, errmsg: 'sign not match' });
    const body = JSON.parse(req.body);
    if (body.msgtype !== 'markdown' || !body.markdown?.title || !body.markdown?.text) {
      return ok({ errcode: 40035, errmsg: 'missing markdown' });
    }
    return ok({ errcode: 0, errmsg: 'ok' });
  }, robotOk);
}

/** Java's URLEncoder with Aliyun's three replacements, as Aliyun's RPC signature uses. */
const percent = (s: string) =>
  encodeURIComponent(s)
    .replace(/!/g, '%21')
    .replace(/'/g, '%27')
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29')
    .replace(/\*/g, '%2A');

/** Aliyun dysmsapi SendSms, RPC signature v1 over the form-encoded POST body. */
export function startAliyunSms(keyId: string, keySecret: string): Promise<Receiver> {
  return startReceiver(
    (req) => {
      const params = Object.fromEntries(new URLSearchParams(req.body));
      const { Signature, ...rest } = params;
      if (rest.AccessKeyId !== keyId)
        return { status: 404, body: { Code: 'InvalidAccessKeyId.NotFound' } };
      const canonical = Object.keys(rest)
        .sort()
        .map((k) => `${percent(k)}=${percent(rest[k]!)}`)
        .join('&');
      const toSign = `${req.method}&${percent('/')}&${percent(canonical)}`;
      const expected = createHmac('sha1', `${keySecret}&`).update(toSign).digest('base64');
      if (Signature !== expected) {
        return {
          status: 400,
          body: { Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched' },
        };
      }
      const required = [
        'Action',
        'Version',
        'PhoneNumbers',
        'SignName',
        'TemplateCode',
        'Timestamp',
        'SignatureNonce',
      ];
      const missing = required.find((k) => !rest[k]);
      if (
        missing ||
        rest.Action !== 'SendSms' ||
        !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(rest.Timestamp!)
      ) {
        return { status: 400, body: { Code: 'MissingParameter', Message: missing ?? 'Timestamp' } };
      }
      return ok({ Code: 'OK', Message: 'OK', BizId: `biz-${rest.OutId}`, RequestId: 'req-1' });
    },
    (a) => (a.body as { Code?: string }).Code === 'OK',
  );
}

const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');

/** Tencent Cloud SMS SendSms (2021-01-11), TC3-HMAC-SHA256 checked from the request as received. */
export function startTencentSms(secretId: string, secretKey: string): Promise<Receiver> {
  return startReceiver(
    (req) => {
      const failure = tc3Failure(req, secretId, secretKey);
      if (failure)
        return ok({ Response: { Error: { Code: failure, Message: failure }, RequestId: 'r' } });
      const body = JSON.parse(req.body) as { PhoneNumberSet: string[]; SessionContext: string };
      return ok({
        Response: {
          SendStatusSet: body.PhoneNumberSet.map((phone, i) => ({
            SerialNo: `serial-${i}`,
            PhoneNumber: phone,
            Fee: 1,
            SessionContext: body.SessionContext,
            Code: 'Ok',
            Message: 'send success',
          })),
          RequestId: 'req-1',
        },
      });
    },
    (a) => !(a.body as { Response?: { Error?: unknown } }).Response?.Error,
  );
}

function tc3Failure(req: Received, secretId: string, secretKey: string): string | null {
  const auth = String(req.headers.authorization ?? '');
  const m =
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d\d-\d\d)\/sms\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return 'AuthFailure.InvalidAuthorization';
  const [, id, date, signedHeaders, signature] = m;
  if (id !== secretId) return 'AuthFailure.SecretIdNotFound';
  const timestamp = Number(req.headers['x-tc-timestamp']);
  if (Math.abs(Date.now() / 1000 - timestamp) > 300) return 'AuthFailure.SignatureExpire';
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date)
    return 'AuthFailure.SignatureFailure';
  if (req.headers['x-tc-action'] !== 'SendSms') return 'InvalidAction';
  const names = signedHeaders!.split(';');
  const canonicalHeaders = names
    .map(
      (h) =>
        `${h}:${String(req.headers[h] ?? '')
          .trim()
          .toLowerCase()}\n`,
    )
    .join('');
  const canonical = ['POST', '/', '', canonicalHeaders, signedHeaders, sha256hex(req.body)].join(
    '\n',
  );
  const toSign = [
    'TC3-HMAC-SHA256',
    String(timestamp),
    `${date}/sms/tc3_request`,
    sha256hex(canonical),
  ].join('\n');
  const kDate = createHmac('sha256', `TC3${secretKey}`).update(date!).digest();
  const kService = createHmac('sha256', kDate).update('sms').digest();
  const kSigning = createHmac('sha256', kService).update('tc3_request').digest();
  const expected = createHmac('sha256', kSigning).update(toSign).digest('hex');
  return expected === signature ? null : 'AuthFailure.SignatureFailure';
}
