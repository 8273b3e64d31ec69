import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { referenceAt } from '../../balance/reference.ts';
import type { Config } from '../../config/schema.ts';
import { ErrorSchema } from '../schemas.ts';
import { type SiteView, SiteViewSchema, type Whoami, WhoamiSchema } from '../schemas-console.ts';

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

/** The site as the console needs it: names, standards, limits, the heating curve. */
export function siteView(config: Config, routes: SiteView['routes'] = {}): SiteView {
  const pumps: SiteView['control']['pumps'] = {};
  for (const s of config.network.substations) {
    for (const p of s.pumps)
      pumps[p.id] = { minHz: p.minHz, maxHz: p.maxHz, maxStepHz: p.maxStepHz };
  }
  const heatingCurve: SiteView['heatingCurve'] = [];
  for (let t = -25; t <= 15; t += 1) {
    const r = referenceAt(config.network.design, t);
    heatingCurve.push({
      outdoorC: t,
      secondarySupplyC: r.secondarySupplyC,
      secondaryReturnC: r.secondaryReturnC,
      primarySupplyC: r.primarySupplyC,
    });
  }
  return {
    name: config.site.name,
    timezone: config.site.timezone,
    indoor: config.standards.indoor,
    complianceTarget: config.standards.complianceTarget,
    control: { minIntervalS: config.control.minIntervalS, pumps },
    heatingCurve,
    routes,
  };
}

/**
 * `GET /api/whoami` (the console's sign-in: which role a token has, so it offers only what
 * that role may do; an invalid token is a 401 like anywhere) and `GET /api/site`.
 */
export const whoamiRoutes: FastifyPluginAsyncTypebox<{ config: Config }> = async (
  api,
  { config },
) => {
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
  let site: SiteView | undefined;
  api.get(
    '/api/site',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Site name, time zone, standards, control limits and the heating curve',
        tags: ['network'],
        response: { 200: SiteViewSchema, 401: ErrorSchema },
      },
    },
    async () => {
      // Asked at the first request: every plugin has registered its routes by then.
      site ??= siteView(
        config,
        Object.fromEntries(
          Object.entries(OPTIONAL_ROUTES).map(([name, url]) => [
            name,
            api.hasRoute({ method: 'GET', url }),
          ]),
        ),
      );
      return site;
    },
  );
};
