import Type from 'typebox';
import { Nullable, Words } from '../core/words.ts';

/**
 * The balancing engine's answer per substation, as schemas: the engine's types are
 * derived from them (types.ts) and the API serves and documents them (DESIGN §4.3
 * `GET /api/balance`), so every status word exists once.
 */

export const POSITIONS = ['near', 'middle', 'far'] as const;
export const STATUSES = ['overheating', 'underheating', 'normal', 'no-data'] as const;

export const PositionSchema = Words(POSITIONS, 'Place along the network, by distance');
export const BalanceStatusSchema = Words(STATUSES);
export const BalanceFlagSchema = Words(['near-end-overheating', 'far-end-underheating'] as const);
/** What a station's status was decided from. */
export const StatusBasisSchema = Words(['rooms', 'hydraulic', 'none'] as const);
/** Likely causes of a station that breaks the network's gradient. */
export const AnomalyCauseSchema = Words([
  'pump-stopped',
  'pump-fault',
  'flow-restriction',
  'heat-exchanger',
  'leak',
  'building-side',
  'excess-flow',
  'unknown',
] as const);

export const RecommendationSchema = Type.Object({
  pump: Type.String(),
  action: Words(['raise', 'lower', 'hold'] as const),
  currentHz: Type.Number(),
  targetHz: Type.Number(),
  expectedFlowRatio: Type.Number({
    description: 'Flow ratio expected after the change (affinity law Q ∝ n)',
  }),
  limitedBy: Nullable(
    Words(
      ['maxHz', 'minHz', 'maxStep'] as const,
      'The pump is at its limit and cannot do what the station needs',
    ),
  ),
  reason: Type.String(),
});

export const AnomalySchema = Type.Object({
  cause: AnomalyCauseSchema,
  evidence: Type.Array(Type.String()),
});

export const SubstationBalanceSchema = Type.Object({
  id: Type.String(),
  branch: Type.String(),
  distanceM: Type.Number(),
  position: PositionSchema,
  status: BalanceStatusSchema,
  rawStatus: Words(STATUSES, 'The status its own signals give now, before persistence'),
  basis: StatusBasisSchema,
  flag: Nullable(BalanceFlagSchema),
  anomaly: Nullable(AnomalySchema),
  deviationC: Nullable(
    Type.Number({ description: 'Mean secondary temperature minus the heating curve’s, K' }),
  ),
  referenceSupplyC: Nullable(Type.Number()),
  referenceReturnC: Nullable(Type.Number()),
  flowRatio: Nullable(Type.Number()),
  equilibriumIndoorC: Nullable(
    Type.Number({ description: 'Indoor temperature the secondary temperatures lead to' }),
  ),
  indoorMeanC: Nullable(Type.Number()),
  coldShare: Nullable(Type.Number()),
  roomsReporting: Type.Integer(),
  roomsOutliers: Type.Integer({
    minimum: 0,
    description:
      'Reporting households left out of indoorMeanC and coldShare: further than the Hampel band (3.5 robust σ, at least 6 K) from the station’s median',
  }),
  suspectSensors: Type.Array(Type.String(), {
    description: 'Households whose sensor reads far from its zone neighbours for the whole window',
  }),
  heatIndex: Nullable(
    Type.Number({
      description: 'Specific heat use over design at today’s degree-days (1 = as designed)',
    }),
  ),
  recommendation: Nullable(RecommendationSchema),
  invalidFields: Type.Optional(
    Type.Array(Type.String(), {
      description:
        'Fields whose value came out non-finite and are shown as null (a recommendation is dropped whole)',
    }),
  ),
});

export const NetworkAdviceSchema = Type.Object({
  action: Words(['raise-plant-differential-pressure', 'raise-supply-temperature'] as const),
  substations: Type.Array(Type.String()),
  reason: Type.String(),
});
