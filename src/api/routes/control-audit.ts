import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AuditStore } from '../../control/audit-store.ts';
import { HeatnetError } from '../../core/errors.ts';
import { AuditListSchema, AuditQuery, controlErrors } from '../schemas-control.ts';
import { auditEntryView } from '../views-control.ts';

export interface AuditRoutesOptions {
  audit: Pick<AuditStore, 'list'>;
}

/** `GET /api/control/audit`: every control attempt, refused ones included. */
export const auditRoutes: FastifyPluginAsyncTypebox<AuditRoutesOptions> = async (
  api,
  { audit },
) => {
  api.get(
    '/api/control/audit',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Who changed which pump, when, why: before, requested, read back, result',
        tags: ['control'],
        querystring: AuditQuery,
        response: { 200: AuditListSchema, ...controlErrors(400, 401, 503) },
      },
    },
    async (request) => {
      const { pump, substation, since, limit } = request.query;
      const sinceMs = since === undefined ? undefined : Date.parse(since);
      if (sinceMs !== undefined && Number.isNaN(sinceMs)) {
        throw new HeatnetError('BAD_REQUEST', `since "${since}" is not an ISO time`, {
          field: 'since',
        });
      }
      const entries = await audit.list({ pump, substation, since: sinceMs, limit });
      return { count: entries.length, entries: entries.map(auditEntryView) };
    },
  );
};
