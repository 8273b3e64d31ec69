import Type, { type Static } from 'typebox';
import { SiteDetailSchema } from './schemas-site.ts';

/** What the console (issue 13) asks the service besides the data: who am I, what site. */

export const WhoamiSchema = Type.Object({
  role: Type.Union([
    Type.Literal('anonymous'),
    Type.Literal('viewer'),
    Type.Literal('service'),
    Type.Literal('dispatcher'),
    Type.Literal('admin'),
  ]),
  name: Type.Union([Type.String(), Type.Null()]),
});

/**
 * `GET /api/site`: the site as the live stream names it (time zone, season, standards,
 * service clock, design and heating curve) with what the console draws and offers by
 * (control limits per pump, which optional routes the service has).
 */
export const SiteViewSchema = Type.Object({
  ...SiteDetailSchema.properties,
  indoor: Type.Object({ minC: Type.Number(), targetC: Type.Number(), maxC: Type.Number() }),
  complianceTarget: Type.Number(),
  control: Type.Object({
    minIntervalS: Type.Number({ description: 'Minimum time between two changes of one pump' }),
    pumps: Type.Record(
      Type.String(),
      Type.Object({ minHz: Type.Number(), maxHz: Type.Number(), maxStepHz: Type.Number() }),
    ),
  }),
  routes: Type.Record(Type.String(), Type.Boolean(), {
    description: 'Which optional routes this service has (the console asks only those)',
  }),
});

export type Whoami = Static<typeof WhoamiSchema>;
export type SiteView = Static<typeof SiteViewSchema>;
