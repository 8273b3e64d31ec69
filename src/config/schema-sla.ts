import Type from 'typebox';
import { SLA_CLOCKS } from '../service/sla-words.ts';
import { TICKET_STATES } from '../service/ticket-words.ts';
import { OneOf } from './schema-helpers.ts';

const Clocks = (description: string, defaults: readonly string[]) =>
  Type.Array(OneOf(SLA_CLOCKS, 'An SLA clock'), { default: [...defaults], description });

/** Which clocks a ticket runs, by complaint category (and `incident` for a crew's ticket). */
const ClocksByKindSchema = Type.Object(
  {
    leak: Clocks('A burst pipe or leak', [
      'emergency-arrival',
      'general-fault-fix',
      'handling',
      'report',
      'call-back',
    ]),
    'no-heat': Clocks('No heat at all', [
      'no-heat-response',
      'general-fault-fix',
      'handling',
      'report',
      'call-back',
    ]),
    'low-temperature': Clocks('A cold room', [
      'general-fault-fix',
      'handling',
      'report',
      'call-back',
    ]),
    noise: Clocks('Noise from the indoor facility', [
      'indoor-facility-fix',
      'handling',
      'report',
      'call-back',
    ]),
    billing: Clocks('Fees and bills', ['handling', 'call-back']),
    other: Clocks('Anything else', ['handling', 'report', 'call-back']),
    incident: Clocks('The crew’s ticket for an incident', ['general-fault-fix', 'report']),
  },
  { additionalProperties: false, default: {} },
);

/**
 * SLA clocks of work orders (issue 11 §2). Targets come from `standards.slaMinutes`; this
 * section says which clocks a ticket runs, which are regulatory (they never pause), in
 * which states the internal ones pause, when a warning goes out and the desk's targets.
 */
export const SlaSchema = Type.Object(
  {
    clocks: ClocksByKindSchema,
    callBackMin: Type.Integer({
      minimum: 1,
      default: 1440,
      description:
        'The resident is called back within this many minutes of the report to the hotline',
    }),
    regulatory: Clocks('Clocks that never pause (promises to residents and the authority)', [
      'emergency-arrival',
      'no-heat-response',
      'handling',
    ]),
    pauseIn: Type.Array(OneOf(TICKET_STATES, 'A ticket state'), {
      default: ['waiting-resident'],
      description: 'States in which the internal clocks pause (every pause is in the history)',
    }),
    warnAt: Type.Array(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }), {
      default: [0.5, 0.8],
      description: 'Shares of a clock’s target at which an sla.warning goes out (once each)',
    }),
    timelinessTarget: Type.Number({ minimum: 0, maximum: 1, default: 0.99 }),
    closureTarget: Type.Number({ minimum: 0, maximum: 1, default: 1 }),
    checkEverySec: Type.Number({
      exclusiveMinimum: 0,
      default: 60,
      description: 'How often (service-clock seconds) clocks are checked for warnings and breaches',
    }),
    coldRecheckMin: Type.Integer({
      minimum: 1,
      default: 1440,
      description:
        'A cold-room ticket whose room still reads cold this long after resolved reopens',
    }),
  },
  { additionalProperties: false, default: {} },
);
