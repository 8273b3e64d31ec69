import Type from 'typebox';
import { Id, OneOf } from './schema-helpers.ts';

/** Site, standards and the network model (DESIGN §4.1). */

/** Month-day such as "11-01". */
const MonthDay = Type.String({ pattern: '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' });

export const SiteSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    timezone: Type.String({ default: 'Asia/Shanghai', description: 'IANA time zone' }),
    heatingSeason: Type.Object(
      {
        start: Type.String({ ...MonthDay, default: '11-01' }),
        end: Type.String({ ...MonthDay, default: '03-31' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export const StandardsSchema = Type.Object(
  {
    indoor: Type.Object(
      {
        minC: Type.Number({
          default: 18,
          description: 'Legal minimum in living rooms (GB/T 33833)',
        }),
        targetC: Type.Number({ default: 20 }),
        maxC: Type.Number({ default: 24, description: 'Above this a room counts as overheated' }),
      },
      { additionalProperties: false, default: {} },
    ),
    complianceTarget: Type.Number({ minimum: 0, maximum: 1, default: 0.97 }),
    slaMinutes: Type.Object(
      {
        emergencyArrival: Type.Integer({ minimum: 1, default: 30 }),
        noHeatResponse: Type.Integer({ minimum: 1, default: 120 }),
        complaintHandling: Type.Integer({ minimum: 1, default: 1440 }),
        generalFaultFix: Type.Integer({ minimum: 1, default: 480 }),
        indoorFacilityFix: Type.Integer({ minimum: 1, default: 1440 }),
        feedback: Type.Integer({ minimum: 1, default: 60 }),
        heatStopNotify: Type.Integer({ minimum: 1, default: 720 }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

const TemperaturePair = (supplyDefault: number, returnDefault: number) =>
  Type.Object(
    {
      supplyC: Type.Number({ default: supplyDefault }),
      returnC: Type.Number({ default: returnDefault }),
    },
    { additionalProperties: false, default: {} },
  );

export const NetworkDesignSchema = Type.Object(
  {
    outdoorC: Type.Number({ default: -13, description: 'Design outdoor temperature' }),
    indoorC: Type.Number({ default: 20, description: 'Design indoor temperature' }),
    primary: TemperaturePair(110, 60),
    secondary: TemperaturePair(60, 45),
    heatLoadWPerM2: Type.Number({ exclusiveMinimum: 0, default: 45 }),
    mainDropKpaPerKm: Type.Number({
      exclusiveMinimum: 0,
      default: 40,
      description: 'Design pressure drop of the mains (supply + return) per km at design flows',
    }),
  },
  { additionalProperties: false, default: {} },
);

export const ZoneSchema = Type.Object(
  {
    id: OneOf(['low', 'middle', 'high'] as const, 'Pressure zone of the building'),
    floors: Type.Tuple([Type.Integer({ minimum: 1 }), Type.Integer({ minimum: 1 })], {
      description: 'First and last floor, inclusive',
    }),
  },
  { additionalProperties: false },
);

export const HouseholdSchema = Type.Object(
  {
    id: Id('Household id, unique in the network'),
    floor: Type.Integer({ minimum: 1 }),
    unit: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Unit (door) number on its floor: the address' }),
    ),
    areaM2: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  },
  { additionalProperties: false },
);

export const BuildingSchema = Type.Object(
  {
    id: Id('Building id, unique in the network'),
    name: Type.Optional(Type.String()),
    floors: Type.Integer({ minimum: 1, maximum: 120 }),
    unitsPerFloor: Type.Integer({ minimum: 1, maximum: 64, default: 4 }),
    areaPerUnitM2: Type.Number({ exclusiveMinimum: 0, default: 90 }),
    zones: Type.Array(ZoneSchema, { minItems: 1 }),
    households: Type.Optional(
      Type.Array(HouseholdSchema, {
        description: 'Explicit households; omitted = floors × unitsPerFloor, ids BUILDING-FFUU',
      }),
    ),
  },
  { additionalProperties: false },
);

export const PumpSchema = Type.Object(
  {
    id: Id('Pump id, unique in the network'),
    ratedHz: Type.Number({ exclusiveMinimum: 0, default: 50 }),
    minHz: Type.Number({ minimum: 0, default: 20 }),
    maxHz: Type.Number({ exclusiveMinimum: 0, default: 50 }),
    maxStepHz: Type.Number({ exclusiveMinimum: 0, default: 5 }),
    ratedFlowM3h: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    ratedHeadM: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  },
  { additionalProperties: false },
);

export const SubstationSchema = Type.Object(
  {
    id: Id('Substation id'),
    name: Type.Optional(Type.String()),
    source: Id('Heat source feeding this substation'),
    branch: Type.String({ minLength: 1, default: 'main', description: 'Branch of the main' }),
    distanceM: Type.Number({ minimum: 0, description: 'Distance from the source along the main' }),
    heatedAreaM2: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    designFlowM3h: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    pumps: Type.Array(PumpSchema, { default: [] }),
    buildings: Type.Array(BuildingSchema, { default: [] }),
  },
  { additionalProperties: false },
);

export const SourceSchema = Type.Object(
  {
    id: Id('Heat source id'),
    name: Type.Optional(Type.String()),
    differentialPressureMpa: Type.Number({
      exclusiveMinimum: 0,
      default: 0.08,
      description:
        'Differential pressure the plant keeps at its outlet (distributed pumping: small)',
    }),
  },
  { additionalProperties: false },
);

export const NetworkSchema = Type.Object(
  {
    design: NetworkDesignSchema,
    sources: Type.Array(SourceSchema, { minItems: 1 }),
    substations: Type.Array(SubstationSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);
