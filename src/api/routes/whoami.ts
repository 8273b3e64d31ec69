import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Config } from '../../config/schema.ts';
import { ErrorSchema } from '../schemas.ts';
import { type SiteView, type Whoami, WhoamiSchema } from '../schemas-console.ts';

/**
 * The optional routes the console may use: it asks only for those present, so a service
 * without, say, alerting answers no 404s it would have to explain in the browser's console.
 */
export const OPTIONAL_ROUTES: Record<string, string> = {
  events: '/api/events',
  history: '/api/substations/:id/history',
  auto: '/api/control/auto',
  audit: '/api/control/audit',
  complaints: '/api/complaints',
  incidents: '/api/incidents',
  tickets: '/api/tickets',
  alerts: '/api/alerts',
  silences: '/api/silences',
  oncall: '/api/oncall',
};

/** What the console draws and offers by, besides the site itself: limits and routes. */
export function consoleSiteParts(
  config: Config,
  routes: SiteView['routes'],
): Pick<SiteView, 'indoor' | 'complianceTarget' | 'control' | 'routes'> {
  const pumps: SiteView['control']['pumps'] = {};
  for (const s of config.network.substations) {
    for (const p of s.pumps)
      pumps[p.id] = { minHz: p.minHz, maxHz: p.maxHz, maxStepHz: p.maxStepHz };
  }
  return {
    indoor: config.standards.indoor,
    complianceTarget: config.standards.complianceTarget,
    control: { minIntervalS: config.control.minIntervalS, pumps },
    routes,
  };
}

/**
 * `GET /api/whoami` (the console's sign-in: which role a token has, so it offers only what
 * that role may do; an invalid token is a 401 like anywhere).
 */
export const whoamiRoutes: FastifyPluginAsyncTypebox = async (api) => {
  api.get(
    '/api/whoami',
    {
      config: { access: 'read' },
      schema: {
        summary: 'The caller’s role (anonymous without a token, when reads are open)',
        tags: ['service'],
        response: { 200: WhoamiSchema, 401: ErrorSchema },
      },
    },
    async (request): Promise<Whoami> => ({
      role: request.principal?.role ?? 'anonymous',
      name: request.principal?.name ?? null,
    }),
  );
};
