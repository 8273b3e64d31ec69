import Type from 'typebox';
import { Words } from '../core/words.ts';
import { HISTORY_FIELDS } from '../history/fields.ts';

/** `GET /api/substations/:id/history` (DESIGN §4.3, issue 13 item 4). */

export const HistoryQuerySchema = Type.Object(
  {
    field: Words(HISTORY_FIELDS, 'Which series (units in the name)'),
    from: Type.Optional(
      Type.String({ description: 'ISO time, inclusive; default: 24 h before `to`' }),
    ),
    to: Type.Optional(Type.String({ description: 'ISO time, exclusive; default: now' })),
    step: Type.Optional(
      Type.String({
        pattern: '^[0-9]+(s|m|h|d)?$',
        description:
          'Time per point: `60`, `60s`, `5m`, `1h`, `1d` (bare numbers are seconds); default: at most 1,000 points',
      }),
    ),
  },
  { additionalProperties: false },
);

export const HistoryAnswerSchema = Type.Object({
  substation: Type.String(),
  field: Words(HISTORY_FIELDS),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  stepS: Type.Number({ description: 'Seconds per point actually used' }),
  source: Words(['embedded', 'influx-v1', 'influx-v2'] as const),
  points: Type.Array(Type.Tuple([Type.String({ format: 'date-time' }), Type.Number()]), {
    description: '[step start, mean] pairs, oldest first; steps without data are absent',
  }),
});
