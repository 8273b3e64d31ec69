import Type from 'typebox';
import { Nullable } from './schemas.ts';

/** `GET /api/balance` (DESIGN §4.3): the engine's latest evaluation. */

const Literals = <const T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

export const STATUSES = ['overheating', 'underheating', 'normal', 'no-data'] as const;
export const POSITIONS = ['near', 'middle', 'far'] as const;

const RecommendationSchema = Type.Object({
  pump: Type.String(),
  action: Literals(['raise', 'lower', 'hold'] as const),
  currentHz: Type.Number(),
  targetHz: Type.Number(),
  expectedFlowRatio: Type.Number({ description: 'By the affinity law Q ∝ n' }),
  limitedBy: Nullable(Literals(['maxHz', 'minHz', 'maxStep'] as const)),
  reason: Type.String(),
});

const AnomalySchema = Type.Object({
  cause: Type.String({
    description:
      'pump-stopped | pump-fault | flow-restriction | heat-exchanger | leak | building-side | excess-flow | unknown',
  }),
  evidence: Type.Array(Type.String()),
});

export const SubstationBalanceSchema = Type.Object({
  id: Type.String(),
  branch: Type.String(),
  distanceM: Type.Number(),
  position: Literals(POSITIONS),
  status: Literals(STATUSES),
  rawStatus: Literals(STATUSES),
  basis: Literals(['rooms', 'hydraulic', 'none'] as const),
  flag: Nullable(Literals(['near-end-overheating', 'far-end-underheating'] as const)),
  anomaly: Nullable(AnomalySchema),
  deviationC: Nullable(Type.Number()),
  referenceSupplyC: Nullable(Type.Number()),
  referenceReturnC: Nullable(Type.Number()),
  flowRatio: Nullable(Type.Number()),
  equilibriumIndoorC: Nullable(
    Type.Number({ description: 'Indoor temperature the secondary temperatures lead to' }),
  ),
  indoorMeanC: Nullable(Type.Number()),
  coldShare: Nullable(Type.Number()),
  roomsReporting: Type.Integer(),
  heatIndex: Nullable(Type.Number()),
  recommendation: Nullable(RecommendationSchema),
});

export const BalanceResultSchema = Type.Object({
  evaluatedAt: Type.String({ format: 'date-time' }),
  outdoorTempC: Nullable(Type.Number()),
  gradient: Type.Object({
    slopeCPerKm: Nullable(Type.Number()),
    r2: Nullable(Type.Number()),
    stations: Type.Integer(),
  }),
  counts: Type.Object({
    overheating: Type.Integer(),
    underheating: Type.Integer(),
    normal: Type.Integer(),
    'no-data': Type.Integer(),
  }),
  substations: Type.Array(SubstationBalanceSchema),
  network: Type.Array(
    Type.Object({
      action: Literals(['raise-plant-differential-pressure', 'raise-supply-temperature'] as const),
      substations: Type.Array(Type.String()),
      reason: Type.String(),
    }),
  ),
});

export const BalanceQuerySchema = Type.Object({
  status: Type.Optional(Literals(STATUSES)),
  position: Type.Optional(Literals(POSITIONS)),
  branch: Type.Optional(Type.String({ minLength: 1 })),
});
