import { describe, expect, it } from 'vitest';
import { type LoadResult, parseConfig } from '../../src/config/load.ts';

/** `alerts.channels` (issue 12): per type the fields it needs and only those, by path. */

const BASE = `site: { name: test }
network:
  sources: [{ id: P1 }]
  substations:
    - id: S01
      source: P1
      distanceM: 300
      buildings: [{ id: S01-B1, floors: 2, zones: [{ id: low, floors: [1, 2] }] }]
`;

const ENV = { WECOM_EAST: 'http://127.0.0.1:1/cgi-bin/webhook/send?key=k', DT_SECRET: 'SEC1' };

const withChannels = (yaml: string) => `${BASE}alerts:\n  channels:\n${yaml}`;

function issues(result: LoadResult): string[] {
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('alerts.channels', () => {
  it('accepts every type with its fields, secrets by env:NAME, defaults filled in', () => {
    const result = parseConfig(
      withChannels(`    - { id: hook, type: webhook, url: "http://127.0.0.1:9095/hook" }
    - { id: east, type: wecom, url: "env:WECOM_EAST", mention: ["13800000001"] }
    - { id: duty, type: dingtalk, url: "https://oapi.dingtalk.com/robot/send?access_token=t", secret: "env:DT_SECRET" }
    - { id: phone-a, type: sms, provider: aliyun, signName: 热网, template: SMS_1, accessKeyId: a, accessKeySecret: b, to: ["+8613800000001"] }
    - { id: phone-t, type: sms, provider: tencent, signName: 热网, template: "1234", secretId: a, secretKey: b, sdkAppId: "1400" }
    - { id: mail, type: email, smtp: { host: smtp.example.cn }, from: heatnet@example.cn, language: zh }
    - { id: bus, type: mqtt }
`),
      ENV,
    );
    expect(issues(result)).toEqual([]);
    if (!result.ok) return;
    const [hook, east, duty] = result.config.alerts.channels;
    expect(east!.url).toBe(ENV.WECOM_EAST);
    expect(duty!.secret).toBe('SEC1');
    expect(hook).toMatchObject({
      language: 'both',
      retry: { maxAttempts: 10, initialS: 5, maxS: 900, factor: 2, jitter: 0.2 },
      timeoutS: 10,
      failingAfter: 3,
    });
  });

  it('names each missing, misplaced or duplicate field by its path', () => {
    const result = parseConfig(
      withChannels(`    - { id: hook, type: webhook, secret: x }
    - { id: hook, type: sms, provider: tencent, signName: s, template: t, accessKeyId: a }
    - { id: mail, type: email, from: a@b.cn }
`),
      ENV,
    );
    expect(issues(result).sort()).toEqual(
      [
        'alerts.channels[0].url: required for webhook',
        'alerts.channels[0].secret: not a webhook setting',
        'alerts.channels[1].id: duplicate alert channel id "hook" (first at alerts.channels[0].id)',
        'alerts.channels[1].secretId: required for sms provider tencent',
        'alerts.channels[1].secretKey: required for sms provider tencent',
        'alerts.channels[1].sdkAppId: required for sms provider tencent',
        'alerts.channels[1].accessKeyId: belongs to sms provider aliyun, not tencent',
        'alerts.channels[2].smtp: required for email',
      ].sort(),
    );
  });
});
