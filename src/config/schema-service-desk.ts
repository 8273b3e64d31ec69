import Type from 'typebox';
import { LedgerSchema } from './schema-ledger.ts';
import { SlaSchema } from './schema-sla.ts';

/**
 * The service desk (DESIGN §4.1 `service`): how complaints are diagnosed and grouped
 * into incidents (issue 10). SLA clocks, fees and refund rules join it with the work
 * orders (issue 11).
 */

export const DiagnosisSettingsSchema = Type.Object(
  {
    mostShare: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      default: 0.5,
      description:
        'Share of a zone’s, building’s or substation’s measured rooms below the minimum that makes it “mostly cold”',
    }),
    minRooms: Type.Integer({
      minimum: 1,
      default: 2,
      description: 'Fresh room sensors a zone or building needs before it is judged from its rooms',
    }),
    roomStaleMin: Type.Number({
      exclusiveMinimum: 0,
      default: 60,
      description: 'A room reading older than this is not evidence',
    }),
    meterStaleMin: Type.Number({
      exclusiveMinimum: 0,
      default: 30,
      description: 'A building meter or substation reading older than this is not evidence',
    }),
    zoneDeviationK: Type.Number({
      exclusiveMinimum: 0,
      default: 3,
      description:
        'A zone this far below its building’s other zones is starved, even before it crosses the minimum',
    }),
    starvedFlowShare: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      default: 0.6,
      description:
        'A building whose metered flow share falls below this fraction of its share by heated area is starved',
    }),
    confidence: Type.Object(
      {
        incident: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 0.6,
          description: 'A complaint’s diagnosis opens or joins an incident from this confidence on',
        }),
        high: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 0.8,
          description: 'From this confidence on a diagnosis is reported as firm (the rest: likely)',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

export const IncidentSettingsSchema = Type.Object(
  {
    groupWindowMin: Type.Number({
      exclusiveMinimum: 0,
      default: 720,
      description:
        'Complaints with the same cause join an incident active within this many minutes',
    }),
    confirmAfter: Type.Integer({
      minimum: 1,
      default: 2,
      description:
        'Evaluations in a row that must show a fault before an incident opens from network data alone',
    }),
    restoredAfter: Type.Integer({
      minimum: 1,
      default: 3,
      description: 'Evaluations in a row without the fault before the data call it restored',
    }),
  },
  { additionalProperties: false, default: {} },
);

export const ServiceDeskSchema = Type.Object(
  {
    diagnosis: DiagnosisSettingsSchema,
    incidents: IncidentSettingsSchema,
    sla: SlaSchema,
    ledger: LedgerSchema,
    idempotencyHours: Type.Number({
      exclusiveMinimum: 0,
      default: 72,
      description: 'How long an Idempotency-Key keeps returning the first result',
    }),
  },
  { additionalProperties: false, default: {} },
);
