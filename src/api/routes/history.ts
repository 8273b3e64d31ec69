import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { HeatnetError } from '../../core/errors.ts';
import type { Topology } from '../../domain/topology.ts';
import type { HistoryQuery, HistorySource } from '../../history/source.ts';
import type { HistoryAnswer } from '../../live/events-contract.ts';
import { ErrorSchema, IdParams } from '../schemas.ts';
import { HistoryAnswerSchema, HistoryQuerySchema } from '../schemas-history.ts';
import { iso } from '../views.ts';

export interface HistoryRoutesOptions {
  source: HistorySource;
  topology: Topology;
  now: () => number;
}

/** The most points one answer carries: a week at one minute fits (10,080). */
export const MAX_HISTORY_POINTS = 20_000;
/** The longest range one request may span. */
const MAX_RANGE_MS = 400 * 86_400_000;
const DEFAULT_RANGE_MS = 86_400_000;
/** Steps a default is picked from: the first giving at most 1,000 points. */
const NICE_STEPS_S = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86_400];
const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

const bad = (field: string, message: string) => new HeatnetError('BAD_REQUEST', message, { field });

function parseTime(value: string | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw bad(field, `${field} "${value}" is not an ISO time`);
  return ms;
}

function stepOf(step: string | undefined, rangeMs: number): number {
  if (step === undefined) {
    const s = NICE_STEPS_S.find((n) => rangeMs / (n * 1000) <= 1000) ?? 86_400;
    return s * 1000;
  }
  const match = /^(\d+)([smhd]?)$/.exec(step)!;
  const ms = Number(match[1]) * UNIT_S[match[2] || 's']! * 1000;
  if (ms < 1000) throw bad('step', 'step must be at least one second');
  return ms;
}

/** Validates the request into a query: every refusal names its field. */
export function historyQuery(
  id: string,
  q: Static<typeof HistoryQuerySchema>,
  now: number,
): HistoryQuery {
  const toMs = parseTime(q.to, 'to', now);
  const fromMs = parseTime(q.from, 'from', toMs - DEFAULT_RANGE_MS);
  if (fromMs >= toMs) throw bad('from', 'from must be before to');
  if (toMs - fromMs > MAX_RANGE_MS) throw bad('from', 'the range may span at most 400 days');
  const stepMs = stepOf(q.step, toMs - fromMs);
  const points = Math.ceil((toMs - fromMs) / stepMs);
  if (points > MAX_HISTORY_POINTS) {
    throw bad(
      'step',
      `step too small for the range: ${points} points, at most ${MAX_HISTORY_POINTS} per answer`,
    );
  }
  return { substation: id, field: q.field, fromMs, toMs, stepMs };
}

/** `GET /api/substations/:id/history`: a substation's field as means per step. */
export const historyRoutes: FastifyPluginAsyncTypebox<HistoryRoutesOptions> = async (
  api,
  { source, topology, now },
) => {
  api.get(
    '/api/substations/:id/history',
    {
      config: { access: 'read' },
      schema: {
        summary:
          'A substation’s trend: means per step of one field, from InfluxDB or the embedded store',
        tags: ['network'],
        params: IdParams,
        querystring: HistoryQuerySchema,
        response: {
          200: HistoryAnswerSchema,
          400: ErrorSchema,
          401: ErrorSchema,
          404: ErrorSchema,
          502: ErrorSchema,
          503: ErrorSchema,
        },
      },
    },
    async (request): Promise<HistoryAnswer> => {
      const { id } = request.params;
      if (!topology.substation(id)) {
        throw new HeatnetError('NOT_FOUND', `unknown substation "${id}"`, { field: 'id' });
      }
      const q = historyQuery(id, request.query, now());
      const series = await source.query(q);
      return {
        substation: id,
        field: q.field,
        from: iso(q.fromMs),
        to: iso(q.toMs),
        stepS: series.stepMs / 1000,
        source: series.source,
        points: series.points.map(([t, v]) => [iso(t), v]),
      };
    },
  );
};
