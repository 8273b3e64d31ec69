import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import { declareAccessOfAll } from '../access.ts';

/**
 * `/docs`: the OpenAPI document and swagger-ui, open to anyone as they always were
 * (they describe the API, they hold no data). swagger-ui writes its routes' options
 * itself, so their access is declared for the whole plugin.
 */
export const docsRoutes: FastifyPluginAsync = async (app) => {
  declareAccessOfAll(app, 'public');
  await app.register(swaggerUi, { routePrefix: '/docs' });
};
