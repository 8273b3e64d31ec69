import Type, { type Static } from 'typebox';

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

const CurvePoint = Type.Object({
  outdoorC: Type.Number(),
  secondarySupplyC: Type.Number(),
  secondaryReturnC: Type.Number(),
  primarySupplyC: Type.Number(),
});

export const SiteViewSchema = Type.Object({
  name: Type.String(),
  timezone: Type.String(),
  indoor: Type.Object({ minC: Type.Number(), targetC: Type.Number(), maxC: Type.Number() }),
  complianceTarget: Type.Number(),
  control: Type.Object({
    minIntervalS: Type.Number({ description: 'Minimum time between two changes of one pump' }),
    pumps: Type.Record(
      Type.String(),
      Type.Object({ minHz: Type.Number(), maxHz: Type.Number(), maxStepHz: Type.Number() }),
    ),
  }),
  heatingCurve: Type.Array(CurvePoint, { description: 'The weather compensation, −25…+15 °C' }),
  routes: Type.Record(Type.String(), Type.Boolean(), {
    description: 'Which optional routes this service has (the console asks only those)',
  }),
});

export type Whoami = Static<typeof WhoamiSchema>;
export type SiteView = Static<typeof SiteViewSchema>;
