import type { AlertChannelConfig } from '../../config/schema-alert-channels.ts';
import type { AlertChannel } from './channel.ts';
import { EmailChannel } from './email.ts';
import { type ConfirmedPublish, MqttChannel } from './mqtt.ts';
import { DingtalkChannel, WecomChannel } from './robots.ts';
import { SmsChannel, smsProvider } from './sms.ts';
import { WebhookChannel } from './webhook.ts';

export interface ChannelDeps {
  /** site.timezone: the times people read. */
  timeZone: string;
  /** The MQTT ingestor's confirmed publish, when the service has an MQTT connection. */
  publish?: ConfirmedPublish;
}

/** The channel a config entry describes (its fields were checked by crosscheck). */
export function createChannel(config: AlertChannelConfig, deps: ChannelDeps): AlertChannel {
  switch (config.type) {
    case 'webhook':
      return new WebhookChannel(config);
    case 'wecom':
      return new WecomChannel(config, deps.timeZone);
    case 'dingtalk':
      return new DingtalkChannel(config, deps.timeZone);
    case 'sms':
      return new SmsChannel(config, smsProvider(config));
    case 'email':
      return new EmailChannel(config, deps.timeZone);
    case 'mqtt':
      return new MqttChannel(config, deps.publish, deps.timeZone);
  }
}
