import Type from 'typebox';
import { AlertChannelsSchema } from './schema-alert-channels.ts';

/**
 * `alerts` (issue 12, DESIGN §4.1): rules, grouping, routes, people and teams, on-call
 * schedules, escalation and silences' limits; `channels` lives in its own file
 * (schema-alert-channels.ts). Placeholder: the lifecycle side of issue 12 fills it in.
 */
export const AlertsSchema = Type.Object(
  {
    channels: AlertChannelsSchema,
  },
  { additionalProperties: false, default: {} },
);
