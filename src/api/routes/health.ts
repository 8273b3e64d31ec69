import type { FastifyPluginAsync } from 'fastify';
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
    async () => report(),
  );
};
