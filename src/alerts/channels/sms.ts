import type { Notification } from '../../alerting/model.ts';
import type { AlertChannelConfig } from '../../config/schema-alert-channels.ts';
import type { AlertChannel, Delivery, Receipt } from './channel.ts';
import { ChannelError } from './channel.ts';
import { AliyunSms } from './sms-aliyun.ts';
import { TencentSms } from './sms-tencent.ts';
import { topSeverity, where } from './template.ts';
import { SEVERITY_WORDS } from './words.ts';

/** One SMS to send: providers fill an approved template with these variables. */
export interface SmsRequest {
  phones: string[];
  /** Named variables (Aliyun TemplateParam): severity, count, place, summary. */
  params: Record<string, string>;
  /** The same values in template order (Tencent TemplateParamSet). */
  paramList: string[];
  /** The outbox key: Aliyun OutId, Tencent SessionContext. */
  outId: string;
}

export interface SmsProvider {
  send(req: SmsRequest): Promise<Receipt>;
}

export interface SmsSettings {
  endpoint?: string;
  region?: string;
  keyId: string;
  keySecret: string;
  signName: string;
  template: string;
  timeoutMs: number;
}

/** Template variables are short (Aliyun: 35 characters each). */
const VARIABLE_MAX = 35;
const clip = (s: string) => (s.length > VARIABLE_MAX ? `${s.slice(0, VARIABLE_MAX - 1)}…` : s);

/**
 * SMS through a provider adapter (Aliyun or Tencent, one interface). Providers send only
 * approved templates, so the message is four variables in the template's language
 * (`language: en` → English, else Chinese): severity, count, place, first summary.
 */
export class SmsChannel implements AlertChannel {
  readonly type = 'sms';
  readonly dedupesByKey = true;
  readonly id: string;

  constructor(
    private readonly config: AlertChannelConfig,
    private readonly provider: SmsProvider,
  ) {
    this.id = config.id;
  }

  async send(n: Notification, d: Delivery): Promise<Receipt> {
    const phones = [
      ...new Set([
        ...(this.config.to ?? []),
        ...n.recipients.flatMap((r) => (r.phone ? [r.phone] : [])),
      ]),
    ];
    if (phones.length === 0) throw new ChannelError('no phone number to send to', false);
    const l = this.config.language === 'en' ? 'en' : 'zh';
    const state =
      n.status === 'resolved'
        ? l === 'zh'
          ? '已恢复'
          : 'resolved'
        : SEVERITY_WORDS[topSeverity(n)][l];
    const params = {
      severity: state,
      count: String(n.total),
      place: clip(where(n, l)),
      summary: clip(n.alerts[0]?.summary[l] ?? ''),
    };
    return this.provider.send({
      phones,
      params,
      paramList: [params.severity, params.count, params.place, params.summary],
      outId: d.key,
    });
  }
}

/** The provider a channel's config names. */
export function smsProvider(config: AlertChannelConfig): SmsProvider {
  const base = {
    endpoint: config.endpoint,
    region: config.region,
    signName: config.signName!,
    template: config.template!,
    timeoutMs: config.timeoutS * 1000,
  };
  if (config.provider === 'tencent') {
    return new TencentSms({
      ...base,
      keyId: config.secretId!,
      keySecret: config.secretKey!,
      sdkAppId: config.sdkAppId!,
    });
  }
  return new AliyunSms({ ...base, keyId: config.accessKeyId!, keySecret: config.accessKeySecret! });
}
