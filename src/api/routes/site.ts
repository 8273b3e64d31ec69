import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { referenceAt } from '../../balance/reference.ts';
import type { Config } from '../../config/schema.ts';
import type { HeatingCurvePoint } from '../../live/events-contract.ts';
import { siteView } from '../../live/views.ts';
import { ErrorSchema } from '../schemas.ts';
import { type SiteView, SiteViewSchema } from '../schemas-console.ts';
import { consoleSiteParts, OPTIONAL_ROUTES } from './whoami.ts';

export interface SiteRoutesOptions {
  config: Config;
  now: () => number;
  clockRate: number;
}

const round = (x: number) => Math.round(x * 10) / 10;

/** The design curve, one point per kelvin from the design outdoor temperature to indoor. */
export function heatingCurvePoints(design: Config['network']['design']): HeatingCurvePoint[] {
  const points: HeatingCurvePoint[] = [];
  for (let t = Math.floor(design.outdoorC); t <= Math.ceil(design.indoorC); t++) {
    const r = referenceAt(design, t);
    points.push({
      outdoorC: t,
      primarySupplyC: round(r.primarySupplyC),
      primaryReturnC: round(r.primaryReturnC),
      secondarySupplyC: round(r.secondarySupplyC),
      secondaryReturnC: round(r.secondaryReturnC),
    });
  }
  return points;
}

/** Which of the optional routes this service has registered. */
function optionalRoutes(api: { hasRoute(o: { method: 'GET'; url: string }): boolean }) {
  return Object.fromEntries(
    Object.entries(OPTIONAL_ROUTES).map(([name, url]) => [
      name,
      api.hasRoute({ method: 'GET', url }),
    ]),
  );
}

/**
 * `GET /api/site`: the site's name, time zone, standards, service clock, heating curve,
 * and what the console draws and offers by (control limits, optional routes).
 */
export const siteRoutes: FastifyPluginAsyncTypebox<SiteRoutesOptions> = async (
  api,
  { config, now, clockRate },
) => {
  const { design } = config.network;
  const curve = heatingCurvePoints(design);
  let forConsole: ReturnType<typeof consoleSiteParts> | undefined;
  api.get(
    '/api/site',
    {
      config: { access: 'read' },
      schema: {
        summary: 'The site: time zone, standards, service clock, design heating curve',
        tags: ['network'],
        response: { 200: SiteViewSchema, 401: ErrorSchema },
      },
    },
    async (): Promise<SiteView> => {
      // Asked at the first request: every plugin has registered its routes by then.
      forConsole ??= consoleSiteParts(config, optionalRoutes(api));
      return {
        ...siteView(config, now(), clockRate),
        ...forConsole,
        design: {
          outdoorC: design.outdoorC,
          indoorC: design.indoorC,
          primary: design.primary,
          secondary: design.secondary,
        },
        heatingCurve: curve,
      };
    },
  );
};
