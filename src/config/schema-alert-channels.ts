import Type from 'typebox';

/**
 * `alerts.channels` (issue 12, DESIGN §4.8): where notifications go — webhook
 * (Alertmanager v4 payload), WeCom and DingTalk robots, SMS through a provider, e-mail
 * over SMTP, MQTT. Placeholder: the delivery side of issue 12 fills it in.
 */
export const AlertChannelsSchema = Type.Array(Type.Object({ id: Type.String() }), {
  default: [],
  description: 'Notification channels; routes name them by id',
});
