import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AutoBalancer } from '../../control/auto-balancer.ts';
import { ErrorSchema } from '../schemas.ts';
import { AutoStatusSchema, AutoSwitchBody, controlErrors } from '../schemas-control.ts';
import { autoStatusView } from '../views-control.ts';
import { auditRefusals, type RefusalRecorder } from './control-refusals.ts';

export interface AutoRoutesOptions {
  auto: Pick<AutoBalancer, 'status' | 'switchTo'>;
  /** Audits the switches it refuses (401/403, bad bodies), as pump changes are. */
  control: RefusalRecorder;
}

/** `GET/POST /api/control/auto`: auto-balancing's state, and the dispatcher's switch. */
export const autoRoutes: FastifyPluginAsyncTypebox<AutoRoutesOptions> = async (
  api,
  { auto, control },
) => {
  api.get(
    '/api/control/auto',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Auto-balancing: on or off, paused (and why), the last round’s actions',
        tags: ['control'],
        response: { 200: AutoStatusSchema, 401: ErrorSchema },
      },
    },
    async () => autoStatusView(auto.status()),
  );
  api.post(
    '/api/control/auto',
    {
      config: {
        access: ['dispatcher'],
        exclusive: true,
        auditRefusal: auditRefusals(control, 'auto-switch'),
      },
      schema: {
        summary: 'Switch auto-balancing off (at once) or on again; kept across restarts',
        tags: ['control'],
        body: AutoSwitchBody,
        response: { 200: AutoStatusSchema, ...controlErrors(400, 401, 403, 409, 503) },
      },
    },
    async (request) => {
      const who = request.principal!;
      const status = await auto.switchTo(
        request.body.enabled,
        who.name,
        request.body.reason.trim(),
      );
      return autoStatusView(status);
    },
  );
};
