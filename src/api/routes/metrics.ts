import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import type { Metrics } from '../../metrics.ts';
import { ErrorSchema } from '../schemas.ts';

export interface MetricsRoutesOptions {
  metrics: Metrics;
}

/**
 * `GET /metrics` in the Prometheus text format. Readable like every other read:
 * anonymously when `api.anonymousRead` allows, else with any token (Prometheus sends
 * one with `authorization: { credentials: … }` in its scrape config).
 */
export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, { metrics }) => {
  app.get(
    '/metrics',
    {
      config: { access: 'read' },
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
      // Requests refused before routing are counted by the HTTP base, not the registry.
      const door = app.hasDecorator('refusedAtTheDoor') ? app.refusedAtTheDoor.prometheus() : '';
      const body = `${await metrics.render()}${door}`;
      return reply.type(metrics.contentType).send(body);
    },
  );
};
