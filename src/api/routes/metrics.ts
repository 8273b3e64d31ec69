import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Metrics } from '../../metrics.ts';
import type { Authenticator } from '../auth.ts';
import { ErrorSchema } from '../schemas.ts';

/**
 * `GET /metrics` in the Prometheus text format. Readable like every other read:
 * anonymously when `api.anonymousRead` allows, else with any token (Prometheus sends
 * one with `authorization: { credentials: … }` in its scrape config).
 */
export function metricsRoutes(app: FastifyInstance, auth: Authenticator, metrics: Metrics) {
  app.get(
    '/metrics',
    {
      preHandler: auth.guard('read'),
      schema: {
        summary: 'Prometheus metrics of the service: devices, MQTT, storage, process',
        tags: ['service'],
        produces: ['text/plain'],
        response: {
          200: Type.String({ description: 'Prometheus text exposition format 0.0.4' }),
          401: ErrorSchema,
        },
      },
    },
    async (_request, reply) => {
      const body = await metrics.render();
      return reply.type(metrics.contentType).send(body);
    },
  );
}
