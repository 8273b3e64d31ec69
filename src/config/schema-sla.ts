import Type from 'typebox';

/** SLA clocks of work orders (issue 11): filled in by the tickets work. */
export const SlaSchema = Type.Object({}, { additionalProperties: false, default: {} });
