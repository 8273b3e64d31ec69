import Type from 'typebox';

/** `GET /api/site` (issue 13 item 3): what the console formats and draws by. */

const Pair = Type.Object({ supplyC: Type.Number(), returnC: Type.Number() });

export const SiteDetailSchema = Type.Object({
  name: Type.String(),
  timezone: Type.String({ description: 'IANA zone: every time a person reads is shown in it' }),
  heatingSeason: Type.Object({ start: Type.String(), end: Type.String() }),
  standards: Type.Object({
    minC: Type.Number(),
    targetC: Type.Number(),
    maxC: Type.Number(),
    complianceTarget: Type.Number(),
  }),
  clock: Type.Object({
    now: Type.String({ format: 'date-time', description: 'The service clock now' }),
    rate: Type.Number({ description: 'Clock seconds per real second (a demo runs faster)' }),
  }),
  design: Type.Object({
    outdoorC: Type.Number(),
    indoorC: Type.Number(),
    primary: Pair,
    secondary: Pair,
  }),
  heatingCurve: Type.Array(
    Type.Object({
      outdoorC: Type.Number(),
      primarySupplyC: Type.Number(),
      primaryReturnC: Type.Number(),
      secondarySupplyC: Type.Number(),
      secondaryReturnC: Type.Number(),
    }),
  ),
});
