import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PumpControl } from '../../control/pump-control.ts';
import { IdParams } from '../schemas.ts';
import { AuditEntrySchema, controlErrors, FrequencyBody } from '../schemas-control.ts';
import { auditEntryView } from '../views-control.ts';
import { auditRefusals } from './control-refusals.ts';

export interface FrequencyRoutesOptions {
  control: Pick<PumpControl, 'setFrequency' | 'recordDenied'>;
}

/** `POST /api/control/pumps/:id/frequency`: the guarded, audited pump change. */
export const frequencyRoutes: FastifyPluginAsyncTypebox<FrequencyRoutesOptions> = async (
  api,
  { control },
) => {
  api.post(
    '/api/control/pumps/:id/frequency',
    {
      config: {
        access: ['dispatcher'],
        exclusive: true,
        // Access is checked before the body is parsed: a caller without the right is
        // audited as the denial it is and learns nothing about bodies.
        auditRefusal: auditRefusals(control, 'frequency'),
      },
      schema: {
        summary: 'Change a pump’s frequency setpoint: guarded, written, read back and audited',
        description:
          'Dispatcher role only (not admin). Refused outside the pump’s min/max Hz, beyond ' +
          'maxStepHz from the current setpoint, within control.minIntervalS of the last change, ' +
          'or while the drive is not up. Every attempt is in GET /api/control/audit.',
        tags: ['control'],
        params: IdParams,
        body: FrequencyBody,
        response: { 200: AuditEntrySchema, ...controlErrors(400, 401, 403, 404, 409, 502, 503) },
      },
    },
    async (request) => {
      const who = request.principal!;
      const entry = await control.setFrequency({
        pump: request.params.id,
        hz: request.body.hz,
        reason: request.body.reason.trim(),
        actor: who.name,
        role: who.role,
        source: 'api',
      });
      return auditEntryView(entry);
    },
  );
};
