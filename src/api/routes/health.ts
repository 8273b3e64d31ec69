import type { FastifyPluginAsync } from 'fastify';
import { healthForAnonymous } from '../../health/redact.ts';
import { type HealthReport, HealthReportSchema } from '../../health/schema.ts';
import { ErrorSchema } from '../schemas.ts';

export type { HealthReport };

export interface HealthRoutesOptions {
  report: () => HealthReport;
}

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { report }) => {
  app.get(
    '/api/health',
    {
      config: { access: 'read' },
      schema: {
        summary: 'State of every component: ingest devices up/down, broker, storage backlog',
        tags: ['service'],
        response: { 200: HealthReportSchema, 401: ErrorSchema },
      },
    },
    // Where data lives (storage dir, database URL) only for a caller with a token.
    async (request) => (request.principal ? report() : healthForAnonymous(report())),
  );
};
