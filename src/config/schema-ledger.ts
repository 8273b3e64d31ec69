import Type from 'typebox';

/** The regulation ledger's fees and rules (issue 11): filled in by the ledger work. */
export const LedgerSchema = Type.Object({}, { additionalProperties: false, default: {} });
