import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AlertDesk } from '../../alerts/desk.ts';
import { OnCallSchema } from '../schemas-alerts.ts';
import { errors } from '../schemas-complaints.ts';
import { onCallView } from '../views-alerts.ts';

export interface OnCallRoutesOptions {
  alerts: Pick<AlertDesk, 'onCall'>;
}

/** `GET /api/oncall`: who is on call now for each team, and the next handovers (issue 12). */
export const onCallRoutes: FastifyPluginAsyncTypebox<OnCallRoutesOptions> = async (
  api,
  { alerts },
) => {
  api.get(
    '/api/oncall',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Who is on call now for each team, the duty dispatcher, and the next handovers',
        tags: ['alerts'],
        response: { 200: OnCallSchema, ...errors(401) },
      },
    },
    async () => onCallView(alerts.onCall()),
  );
};
