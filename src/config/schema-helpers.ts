import Type from 'typebox';

/** Building blocks shared by the config schema's sections. */
export const Id = (description: string) =>
  Type.String({
    minLength: 1,
    maxLength: 64,
    pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$',
    description,
  });

export const OneOf = <const T extends readonly string[]>(
  values: T,
  description: string,
  defaultValue?: T[number],
) =>
  Type.Unsafe<T[number]>({
    type: 'string',
    enum: [...values],
    description,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });
