import Type, { type TSchema } from 'typebox';

/**
 * Schema building blocks shared by the domain and the API (DESIGN §3 "One schema per
 * contract"): a word list written once gives the TypeScript union (`Static<>`), the
 * JSON-schema enum that validates requests, and the one /docs shows. Pure: no Fastify.
 */

/** A closed set of words, e.g. a status. */
export const Words = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({
    type: 'string',
    enum: [...values],
    ...(description === undefined ? {} : { description }),
  });

/** A value or JSON null. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
