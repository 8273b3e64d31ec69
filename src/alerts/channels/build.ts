import type { AlertChannelConfig } from '../../config/schema-alert-channels.ts';
import type { AlertChannel } from './channel.ts';
import { type ConfirmedPublish, MqttChannel } from './mqtt.ts';
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
    case 'mqtt':
      return new MqttChannel(config, deps.publish, deps.timeZone);
    default:
      throw new Error(`alert channel type ${config.type} is not built yet`);
  }
}
