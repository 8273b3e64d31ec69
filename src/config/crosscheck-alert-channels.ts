import { type ConfigIssue, issueAt, UniqueIds } from './issues.ts';
import type { Config } from './schema.ts';
import type { AlertChannelConfig, ChannelType } from './schema-alert-channels.ts';

type Field = keyof AlertChannelConfig;

/** Fields any channel may carry, whatever its type. */
const COMMON: readonly Field[] = [
  'id',
  'type',
  'language',
  'enabled',
  'rateLimit',
  'retry',
  'timeoutS',
  'failingAfter',
  'maxAlerts',
];

/** Per type: the fields it needs, and the ones it may have besides. */
const FIELDS: Record<ChannelType, { required: Field[]; optional: Field[] }> = {
  webhook: { required: ['url'], optional: ['headers', 'bearerToken', 'externalURL'] },
  wecom: { required: ['url'], optional: ['mention'] },
  dingtalk: { required: ['url'], optional: ['secret', 'mention'] },
  sms: {
    required: ['provider', 'signName', 'template'],
    optional: [
      'endpoint',
      'region',
      'to',
      'accessKeyId',
      'accessKeySecret',
      'secretId',
      'secretKey',
      'sdkAppId',
    ],
  },
  email: { required: ['smtp', 'from'], optional: ['to'] },
  mqtt: { required: [], optional: ['topicPrefix'] },
};

const SMS_CREDENTIALS: Record<string, Field[]> = {
  aliyun: ['accessKeyId', 'accessKeySecret'],
  tencent: ['secretId', 'secretKey', 'sdkAppId'],
};

/**
 * `alerts.channels`: unique ids, and per type the fields it needs and only those (a
 * DingTalk `secret` on a WeCom robot is a mistake worth naming, not a field to ignore).
 */
export function checkAlertChannels(config: Config, issues: ConfigIssue[]): void {
  const ids = new UniqueIds('alert channel', issues);
  config.alerts.channels.forEach((channel, i) => {
    const at = ['alerts', 'channels', i];
    ids.add(channel.id, [...at, 'id']);
    const spec = FIELDS[channel.type];
    if (!spec) return; // an unknown type: the schema has said so
    const allowed = new Set<Field>([...COMMON, ...spec.required, ...spec.optional]);
    for (const field of spec.required) {
      if (channel[field] === undefined)
        issues.push(issueAt([...at, field], `required for ${channel.type}`));
    }
    for (const field of Object.keys(channel) as Field[]) {
      if (!allowed.has(field))
        issues.push(issueAt([...at, field], `not a ${channel.type} setting`));
    }
    if (channel.type === 'sms') checkSms(channel, at, issues);
  });
}

function checkSms(channel: AlertChannelConfig, at: (string | number)[], issues: ConfigIssue[]) {
  const needed = channel.provider ? (SMS_CREDENTIALS[channel.provider] ?? []) : [];
  for (const field of needed) {
    if (channel[field] === undefined) {
      issues.push(issueAt([...at, field], `required for sms provider ${channel.provider}`));
    }
  }
  for (const [provider, fields] of Object.entries(SMS_CREDENTIALS)) {
    if (provider === channel.provider) continue;
    for (const field of fields) {
      if (channel[field] !== undefined) {
        issues.push(
          issueAt([...at, field], `belongs to sms provider ${provider}, not ${channel.provider}`),
        );
      }
    }
  }
}
