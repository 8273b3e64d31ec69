import Type, { type Static } from 'typebox';
import {
  NetworkAdviceSchema,
  PositionSchema,
  STATUSES,
  SubstationBalanceSchema,
} from '../balance/schemas.ts';
import { Nullable, Words } from '../core/words.ts';

/**
 * `GET /api/balance` (DESIGN §4.3): the engine's latest evaluation. The per-station
 * part is the engine's own schema; only the time is a view (ISO here, epoch ms there).
 */

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
  network: Type.Array(NetworkAdviceSchema),
});

export type BalanceResultView = Static<typeof BalanceResultSchema>;

export const BalanceQuerySchema = Type.Object({
  status: Type.Optional(Words(STATUSES)),
  position: Type.Optional(PositionSchema),
  branch: Type.Optional(Type.String({ minLength: 1 })),
});
