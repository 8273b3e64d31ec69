import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { ErrorSchema } from '../schemas.ts';

export interface HealthReport {
  status: 'ok' | 'degraded';
  problems: string[];
  startedAt: string;
  uptimeS: number;
  [component: string]: unknown;
}

const HealthSchema = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    problems: Type.Array(Type.String()),
    startedAt: Type.String({ format: 'date-time' }),
    uptimeS: Type.Number(),
  },
  { additionalProperties: true },
);

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
        response: { 200: HealthSchema, 401: ErrorSchema },
      },
    },
    async () => report(),
  );
};
