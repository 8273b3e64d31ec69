import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { BalanceResult } from '../balance/types.ts';
import type { ApiConfig } from '../config/schema.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../metrics.ts';
import { installAccess } from './access.ts';
import { Authenticator } from './auth.ts';
import { installErrorHandler } from './error-handler.ts';
import { balanceRoutes } from './routes/balance.ts';
import { type ControlRouteDeps, controlRoutes } from './routes/control.ts';
import { docsRoutes } from './routes/docs.ts';
import { type HealthReport, healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { substationRoutes } from './routes/substations.ts';
import type { NetworkViewSource } from './views.ts';

export interface ApiDeps extends NetworkViewSource {
  api: ApiConfig;
  log: Logger;
  health: () => HealthReport;
  /** Prometheus metrics for `GET /metrics` (DESIGN §4.3); the route is absent without. */
  metrics?: Metrics;
  /** The guarded control path (issue 5); the control routes are absent without. */
  control?: ControlRouteDeps;
  /** The balancing engine's latest evaluation (`GET /api/balance`). */
  balance: () => BalanceResult;
}

/**
 * Builds the Fastify app without listening, so tests drive it with `inject`
 * (fastify/demo's pattern). The error handler and the access check first, then the
 * OpenAPI collector, then the route plugins: each declares who may call it.
 */
/** The built HTTP API, as the composition root and the tests hold it. */
export type HttpApi = FastifyInstance;

export async function buildApi(deps: ApiDeps): Promise<HttpApi> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { allErrors: false, coerceTypes: 'array', removeAdditional: false } },
  });
  app.decorateRequest('principal', null);
  installErrorHandler(app);
  installAccess(app, new Authenticator(deps.api));
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'heatnet API',
        version: '0.1.0',
        description: 'District-heating telemetry, balancing and complaint diagnosis',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(docsRoutes);
  await app.register(healthRoutes, { report: deps.health });
  if (deps.metrics) await app.register(metricsRoutes, { metrics: deps.metrics });
  await app.register(substationRoutes, { network: deps });
  if (deps.control) await app.register(controlRoutes, deps.control);
  await app.register(balanceRoutes, { latest: deps.balance });
  return app;
}
