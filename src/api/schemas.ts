import Type, { type Static } from 'typebox';
import {
  AnomalyCauseSchema,
  BalanceFlagSchema,
  BalanceStatusSchema,
  PositionSchema,
} from '../balance/schemas.ts';
import { Nullable } from '../core/words.ts';
import { DeviceStateSchema } from '../ingest/modbus/health.ts';

/** Response and request schemas of the HTTP API (DESIGN §4.3); they also feed /docs. */

export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String({ description: 'The request field at fault' })),
  code: Type.String({ description: 'Stable error code, e.g. NOT_FOUND or TOO_FREQUENT' }),
});

export const SampleSchema = Type.Object({
  value: Type.Union([Type.Number(), Type.Boolean(), Type.String()]),
  time: Type.String({ format: 'date-time' }),
  ageS: Type.Number({ description: 'Seconds since the value was read' }),
});

const Readings = Type.Record(Type.String(), SampleSchema, {
  description: 'Latest value of every field, by field name (units in the name)',
});

export const DeviceViewSchema = Type.Object({
  id: Type.String(),
  state: DeviceStateSchema,
  lastSuccessAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
});

export const PumpViewSchema = Type.Object({
  id: Type.String(),
  minHz: Type.Number(),
  maxHz: Type.Number(),
  readings: Readings,
  device: Type.Union([DeviceViewSchema, Type.Null()]),
});

export const SubstationSummarySchema = Type.Object({
  id: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  source: Type.String(),
  branch: Type.String(),
  distanceM: Type.Number(),
  heatedAreaM2: Type.Number(),
  buildings: Type.Integer(),
  households: Type.Integer(),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  stale: Type.Boolean({ description: 'No fresh reading within three poll intervals' }),
  readings: Readings,
  pumps: Type.Array(PumpViewSchema),
  devices: Type.Array(DeviceViewSchema),
  balance: Type.Object({
    status: BalanceStatusSchema,
    position: Nullable(PositionSchema),
    flag: Nullable(BalanceFlagSchema),
    anomaly: Nullable(AnomalyCauseSchema),
    deviationC: Type.Union([Type.Number(), Type.Null()]),
    flowRatio: Type.Union([Type.Number(), Type.Null()]),
    recommendedHz: Type.Union([Type.Number(), Type.Null()]),
  }),
});

export const BuildingViewSchema = Type.Object({
  id: Type.String(),
  floors: Type.Integer(),
  households: Type.Integer(),
  areaM2: Type.Number(),
  zones: Type.Array(
    Type.Object({
      id: Type.String(),
      floors: Type.Tuple([Type.Integer(), Type.Integer()]),
      households: Type.Integer(),
    }),
  ),
});

export const SubstationDetailSchema = Type.Object({
  ...SubstationSummarySchema.properties,
  buildingList: Type.Array(BuildingViewSchema),
});

export const SubstationListSchema = Type.Object({
  count: Type.Integer(),
  substations: Type.Array(SubstationSummarySchema),
});

export const IdParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' }),
});

export type Sample = Static<typeof SampleSchema>;
export type DeviceStateView = Static<typeof DeviceViewSchema>;
export type PumpView = Static<typeof PumpViewSchema>;
export type SubstationSummary = Static<typeof SubstationSummarySchema>;
export type SubstationDetail = Static<typeof SubstationDetailSchema>;
export type BuildingView = Static<typeof BuildingViewSchema>;
