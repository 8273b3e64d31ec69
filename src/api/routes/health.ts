import type { FastifyInstance } from 'fastify';
import { type HealthReport, HealthReportSchema } from '../../health/schema.ts';
import type { Authenticator } from '../auth.ts';
import { ErrorSchema } from '../schemas.ts';

export type { HealthReport };

export function healthRoutes(
  app: FastifyInstance,
  auth: Authenticator,
  report: () => HealthReport,
) {
  app.get(
    '/api/health',
    {
      preHandler: auth.guard('read'),
      schema: {
        summary: 'State of every component: ingest devices up/down, broker, storage backlog',
        tags: ['service'],
        response: { 200: HealthReportSchema, 401: ErrorSchema },
      },
    },
    async () => report(),
  );
}
