import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from '../../src/alerting/model.ts';
import { createChannel } from '../../src/alerts/channels/build.ts';
import type { ChannelError, Delivery } from '../../src/alerts/channels/channel.ts';
import { messageIdOf } from '../../src/alerts/channels/email.ts';
import {
  channelConfig,
  notification,
  notifiedAlert,
  type Receiver,
} from '../support/alert-receivers.ts';
import {
  startAliyunSms,
  startDingtalk,
  startTencentSms,
  startWecom,
} from '../support/alert-services.ts';
import { type SmtpHandle, startSmtp } from '../support/smtp.ts';

/*
 * Each channel against a receiver that checks what the real service checks (issue 12
 * item 6): WeCom and DingTalk robots, Aliyun and Tencent SMS signatures, a real SMTP
 * server. Texts in both languages, times in site.timezone (Asia/Shanghai: 08:00Z → 16:00).
 */

const TZ = { timeZone: 'Asia/Shanghai' };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const delivery = (n: Notification, over: Partial<Delivery> = {}): Delivery => ({
  key: n.key,
  attempt: 1,
  inDoubt: false,
  merged: 1,
  ...over,
});

async function track(receiver: Promise<Receiver>): Promise<Receiver> {
  const r = await receiver;
  closers.push(() => r.close());
  return r;
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the send to fail');
    },
    (err: unknown) => err as ChannelError,
  );

describe('WeCom robot', () => {
  it('sends markdown, or text with mentioned_mobile_list when someone must be @-mentioned', async () => {
    const robot = await track(startWecom('k-123'));
    const channel = createChannel(
      channelConfig({
        id: 'east',
        type: 'wecom',
        url: `${robot.url}/cgi-bin/webhook/send?key=k-123`,
      }),
      TZ,
    );
    const quiet = notification('east', { recipients: [] });
    expect((await channel.send(quiet, delivery(quiet))).id).toBe('WeCom errcode 0');
    const md = JSON.parse(robot.accepted[0]!.body);
    expect(md.msgtype).toBe('markdown');
    expect(md.markdown.content).toContain('**【热网告警·重要】换热站 S07：1 条告警**');
    expect(md.markdown.content).toContain('- PLC 无响应 · 设备 S07-plc · 2026-01-10 16:00 起');
    expect(md.markdown.content).toContain('**[Heat network · MAJOR] substation S07: 1 alert**');
    expect(md.markdown.content).toContain('since 2026-01-10 16:00');
    const paging = notification('east');
    await channel.send(paging, delivery(paging));
    const text = JSON.parse(robot.accepted[1]!.body);
    expect(text).toMatchObject({
      msgtype: 'text',
      text: { mentioned_mobile_list: ['13800000001'] },
    });
  });

  it('takes errcode 45009 as a rate limit to retry after a minute, a bad key as final', async () => {
    const robot = await track(startWecom('k-123', 1));
    const good = createChannel(
      channelConfig({
        id: 'east',
        type: 'wecom',
        url: `${robot.url}/cgi-bin/webhook/send?key=k-123`,
      }),
      TZ,
    );
    const n = notification('east');
    await good.send(n, delivery(n));
    const limited = await failure(good.send(n, delivery(n)));
    expect(limited).toMatchObject({ retryable: true, retryAfterMs: 60_000 });
    expect(limited.message).toContain('45009');
    const wrong = createChannel(
      channelConfig({
        id: 'east',
        type: 'wecom',
        url: `${robot.url}/cgi-bin/webhook/send?key=nope`,
      }),
      TZ,
    );
    expect(await failure(wrong.send(n, delivery(n)))).toMatchObject({ retryable: false });
  });
});

describe('DingTalk robot', () => {
  it('signs each request as DingTalk checks it, and @-mentions by mobile', async () => {
    const robot = await track(startDingtalk('tok', 'SEC-abc+/='));
    const url = `${robot.url}/robot/send?access_token=tok`;
    const channel = createChannel(
      channelConfig({
        id: 'duty',
        type: 'dingtalk',
        url,
        secret: 'SEC-abc+/=',
        mention: ['13900000009'],
      }),
      TZ,
    );
    const n = notification('duty');
    expect((await channel.send(n, delivery(n))).id).toBe('DingTalk errcode 0');
    const body = JSON.parse(robot.accepted[0]!.body);
    expect(body.at).toEqual({ atMobiles: ['13900000009', '13800000001'], isAtAll: false });
    expect(body.markdown.title).toBe(
      '【热网告警·重要】换热站 S07：1 条告警 / [Heat network · MAJOR] substation S07: 1 alert',
    );
    expect(body.markdown.text).toContain('@13900000009 @13800000001');
    const forged = createChannel(
      channelConfig({ id: 'duty', type: 'dingtalk', url, secret: 'wrong' }),
      TZ,
    );
    const refused = await failure(forged.send(n, delivery(n)));
    expect(refused).toMatchObject({ retryable: false });
    expect(refused.message).toContain('310000');
    expect(robot.accepted).toHaveLength(1);
  });
});

describe('SMS providers', () => {
  const sms = (over: Record<string, unknown>) =>
    channelConfig({
      id: 'duty-phone',
      type: 'sms',
      signName: '热网',
      template: 'SMS_1',
      to: ['+8613700000007'],
      ...over,
    });

  it('Aliyun: SendSms signed with HMAC-SHA1 (v1), the key as OutId, a forged signature refused', async () => {
    const aliyun = await track(startAliyunSms('AK1', 'secret*~ (1)'));
    const channel = createChannel(
      sms({
        provider: 'aliyun',
        endpoint: `${aliyun.url}/`,
        accessKeyId: 'AK1',
        accessKeySecret: 'secret*~ (1)',
      }),
      TZ,
    );
    const n = notification('duty-phone', { total: 3, counts: { major: 2, critical: 1 } });
    expect((await channel.send(n, delivery(n))).id).toBe(`aliyun BizId biz-${n.key}`);
    const params = Object.fromEntries(new URLSearchParams(aliyun.accepted[0]!.body));
    expect(params).toMatchObject({
      Action: 'SendSms',
      Version: '2017-05-25',
      OutId: n.key,
      SignName: '热网',
    });
    expect(params.PhoneNumbers).toBe('+8613700000007,13800000001');
    expect(JSON.parse(params.TemplateParam!)).toEqual({
      severity: '紧急',
      count: '3',
      place: '换热站 S07',
      summary: 'PLC 无响应',
    });
    const forged = createChannel(
      sms({
        provider: 'aliyun',
        endpoint: `${aliyun.url}/`,
        accessKeyId: 'AK1',
        accessKeySecret: 'other',
      }),
      TZ,
    );
    const refused = await failure(forged.send(n, delivery(n)));
    expect(refused).toMatchObject({ retryable: false });
    expect(refused.message).toContain('SignatureDoesNotMatch');
  });

  it('Tencent: SendSms signed with TC3-HMAC-SHA256, a forged signature refused', async () => {
    const tencent = await track(startTencentSms('SID', 'SKEY'));
    const base = {
      provider: 'tencent',
      endpoint: `${tencent.url}/`,
      secretId: 'SID',
      sdkAppId: '1400000000',
      language: 'en',
    };
    const channel = createChannel(sms({ ...base, secretKey: 'SKEY' }), TZ);
    const n = notification('duty-phone');
    expect((await channel.send(n, delivery(n))).id).toBe('tencent serial-0,serial-1');
    const body = JSON.parse(tencent.accepted[0]!.body);
    expect(body).toMatchObject({
      SmsSdkAppId: '1400000000',
      TemplateId: 'SMS_1',
      SessionContext: n.key,
      TemplateParamSet: ['MAJOR', '1', 'substation S07', 'PLC not answering'],
    });
    const forged = createChannel(sms({ ...base, secretKey: 'nope' }), TZ);
    const refused = await failure(forged.send(n, delivery(n)));
    expect(refused).toMatchObject({ retryable: false });
    expect(refused.message).toContain('AuthFailure.SignatureFailure');
  });
});

describe('e-mail over SMTP', () => {
  let smtp: SmtpHandle;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp.stop();
  });

  it('mails both languages with the key as Message-ID; 4xx is retried, 5xx is final', async () => {
    const channel = createChannel(
      channelConfig({
        id: 'mail',
        type: 'email',
        smtp: { host: '127.0.0.1', port: smtp.port },
        from: 'heatnet@example.cn',
        to: ['dispatch@example.cn'],
      }),
      TZ,
    );
    closers.push(async () => channel.close?.());
    const storm = Array.from({ length: 3 }, (_, i) =>
      notifiedAlert({
        labels: { alertname: 'DeviceDown', severity: 'critical', substation: `S0${i + 1}` },
      }),
    );
    const n = notification('mail', {
      alerts: storm,
      total: 300,
      counts: { critical: 300 },
      groupLabels: {},
      commonLabels: {},
    });
    const receipt = await channel.send(n, delivery(n, { merged: 4, inDoubt: true }));
    expect(receipt.id).toContain(messageIdOf(n.key));
    const [mail] = smtp.mails;
    expect(mail!.to.sort()).toEqual(['dispatch@example.cn', 'wang@example.cn']);
    expect(mail!.headers.get('message-id')).toBe(messageIdOf(n.key));
    expect(mail!.headers.get('x-heatnet-key')).toBe(n.key);
    expect(mail!.subject).toBe(
      '【热网告警·紧急】换热站 S01、换热站 S02、换热站 S03：300 条告警 / [Heat network · CRITICAL] substation S01, substation S02, substation S03: 300 alerts',
    );
    expect(mail!.text).toContain('紧急 300');
    expect(mail!.text).toContain('…另有 297 条未列出');
    expect(mail!.text).toContain('… and 297 more not listed');
    expect(mail!.text).toContain('（发送频率受限：4 条消息合并为一条）');
    expect(mail!.text).toContain('(sent again after a restart; may be a repeat)');
    smtp.failNext(1, 451);
    expect(await failure(channel.send(n, delivery(n)))).toMatchObject({ retryable: true });
    smtp.failNext(1, 550);
    expect(await failure(channel.send(n, delivery(n)))).toMatchObject({ retryable: false });
  });
});
