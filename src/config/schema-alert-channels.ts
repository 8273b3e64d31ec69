import Type, { type Static } from 'typebox';
import { Id, OneOf } from './schema-helpers.ts';

/**
 * `alerts.channels` (issue 12, DESIGN §4.8): where notifications go — webhook
 * (Alertmanager v4 payload), WeCom and DingTalk robots, SMS through a provider, e-mail
 * over SMTP, MQTT. One flat object per channel: the fields a type needs are checked by
 * path in crosscheck-alert-channels.ts, which names a missing or misplaced field far more
 * readably than a union's "matches none of 6 schemas". Secrets by `env:NAME`.
 */

export const CHANNEL_TYPES = ['webhook', 'wecom', 'dingtalk', 'sms', 'email', 'mqtt'] as const;
export const SMS_PROVIDERS = ['aliyun', 'tencent'] as const;
export const LANGUAGES = ['zh', 'en', 'both'] as const;

const Secret = (description: string) =>
  Type.Optional(Type.String({ minLength: 1, description: `${description}; use env:NAME` }));
const HttpUrl = (description: string) =>
  Type.Optional(Type.String({ pattern: '^https?://', description }));
const Phone = Type.String({ pattern: '^\\+?[0-9]{5,20}$', description: 'A mobile number' });

export const RateLimitSchema = Type.Object(
  {
    messages: Type.Integer({ minimum: 1, description: 'Messages allowed per window' }),
    perS: Type.Integer({ minimum: 1, default: 60, description: 'Window length, seconds' }),
  },
  {
    additionalProperties: false,
    description:
      'Sends beyond it wait and are merged into one batch message, never dropped (robots: 20 per 60 s, the default)',
  },
);

export const RetrySchema = Type.Object(
  {
    maxAttempts: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
    initialS: Type.Number({ minimum: 0, default: 5, description: 'Delay before the 2nd attempt' }),
    maxS: Type.Number({ minimum: 0, default: 900, description: 'Longest delay between attempts' }),
    factor: Type.Number({ minimum: 1, default: 2 }),
    jitter: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.2,
      description: 'Share of each delay drawn at random, so a fleet does not retry in step',
    }),
  },
  { additionalProperties: false, default: {} },
);

const SmtpSchema = Type.Object(
  {
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 587 }),
    secure: Type.Boolean({ default: false, description: 'TLS from the start (port 465)' }),
    requireTLS: Type.Boolean({ default: false, description: 'Refuse to send without STARTTLS' }),
    user: Type.Optional(Type.String({ minLength: 1 })),
    password: Secret('SMTP password'),
  },
  { additionalProperties: false },
);

export const AlertChannelSchema = Type.Object(
  {
    id: Id('Channel id; routes name it'),
    type: OneOf(CHANNEL_TYPES, 'How the channel delivers'),
    language: OneOf(LANGUAGES, 'Language of the texts a person reads', 'both'),
    enabled: Type.Boolean({ default: true }),
    rateLimit: Type.Optional(RateLimitSchema),
    retry: RetrySchema,
    timeoutS: Type.Number({ minimum: 0.1, maximum: 300, default: 10 }),
    failingAfter: Type.Integer({
      minimum: 1,
      default: 3,
      description: 'Consecutive failed attempts after which the channel counts as failing',
    }),
    maxAlerts: Type.Integer({
      minimum: 0,
      default: 0,
      description:
        'Alerts listed per message (0 = the channel’s own default: all for webhook/mqtt, 10 for text)',
    }),
    url: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description:
          'webhook: receiver; wecom: robot URL with key; dingtalk: robot URL with access_token',
      }),
    ),
    headers: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'webhook: extra headers' }),
    ),
    bearerToken: Secret('webhook: Authorization bearer token'),
    externalURL: Type.Optional(
      Type.String({
        description: 'webhook: where people reach heatnet (Alertmanager externalURL)',
      }),
    ),
    secret: Secret('dingtalk: the robot’s signing secret (加签)'),
    provider: Type.Optional(OneOf(SMS_PROVIDERS, 'sms: the SMS provider')),
    endpoint: HttpUrl('sms: provider endpoint (default: the provider’s public one)'),
    accessKeyId: Secret('sms aliyun: AccessKeyId'),
    accessKeySecret: Secret('sms aliyun: AccessKeySecret'),
    secretId: Secret('sms tencent: SecretId'),
    secretKey: Secret('sms tencent: SecretKey'),
    sdkAppId: Type.Optional(Type.String({ minLength: 1, description: 'sms tencent: SmsSdkAppId' })),
    region: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'sms: region (aliyun cn-hangzhou, tencent ap-guangzhou)',
      }),
    ),
    signName: Type.Optional(Type.String({ minLength: 1, description: 'sms: approved signature' })),
    template: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'sms: approved template (aliyun TemplateCode, tencent TemplateId)',
      }),
    ),
    to: Type.Optional(
      Type.Array(Type.String({ minLength: 3 }), {
        description: 'sms: numbers; email: addresses — always reached, besides the recipients',
      }),
    ),
    mention: Type.Optional(
      Type.Array(Phone, { description: 'wecom/dingtalk: mobiles always @-mentioned' }),
    ),
    smtp: Type.Optional(SmtpSchema),
    from: Type.Optional(Type.String({ minLength: 3, description: 'email: sender address' })),
    topicPrefix: Type.Optional(
      Type.String({ minLength: 1, description: 'mqtt: default heatnet/alerts' }),
    ),
  },
  { additionalProperties: false },
);

export const AlertChannelsSchema = Type.Array(AlertChannelSchema, {
  default: [],
  description: 'Notification channels; routes name them by id',
});

export type AlertChannelConfig = Static<typeof AlertChannelSchema>;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
export type RetryPolicy = Static<typeof RetrySchema>;
export type RateLimit = Static<typeof RateLimitSchema>;
