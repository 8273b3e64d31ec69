import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HeatnetError } from '../../core/errors.ts';
import { ledgerCsv } from '../../ledger/csv.ts';
import type { LedgerProgress } from '../../ledger/job.ts';
import { dayPage } from '../../ledger/ledger-db.ts';
import { householdSeasons, type LedgerReadDeps } from '../../ledger/ledger-db-season.ts';
import {
  dayOf,
  type Season,
  seasonById,
  seasonOf,
  seasonOfDay,
} from '../../service/ledger-calendar.ts';
import {
  LedgerCsvQuery,
  LedgerListSchema,
  LedgerProgressSchema,
  LedgerQuery,
  ledgerErrors,
  type SeasonSummaryView,
} from '../schemas-ledger.ts';
import { ledgerDayView, seasonSummaryView } from '../views-ledger.ts';

export type LedgerRoutesOptions = LedgerReadDeps & {
  /** The nightly job, whose progress `GET /api/ledger/progress` shows. */
  job?: { progress: LedgerProgress } | undefined;
};

/** The season asked for, else the one running today, else the last one. */
export function pickSeason(deps: LedgerReadDeps, id: string | undefined): Season {
  const spec = deps.rules.season;
  if (id !== undefined) {
    const season = seasonById(id, spec);
    if (!season)
      throw new HeatnetError('BAD_REQUEST', `season "${id}" is not YYYY-YYYY`, { field: 'season' });
    return season;
  }
  const today = dayOf(deps.now(), deps.rules.timeZone);
  return seasonOfDay(today, spec) ?? seasonOf(Number(today.slice(0, 4)) - 1, spec);
}

/** The running season's summary of one household, for `GET /api/households/:id`. */
export function householdLedger(deps: LedgerReadDeps) {
  return async (id: string): Promise<SeasonSummaryView | null> => {
    let found: SeasonSummaryView | null = null;
    for await (const h of householdSeasons(deps, pickSeason(deps, undefined), { household: id })) {
      found = seasonSummaryView(h.summary);
    }
    return found;
  };
}

function cursor(after: string | undefined) {
  if (after === undefined) return null;
  const [household, day] = after.split('|');
  if (!household || !day)
    throw new HeatnetError('BAD_REQUEST', 'after is not a cursor from `next`', { field: 'after' });
  return { household, day };
}

/** `GET /api/ledger` (paged, with the household's season when one is asked for) and `GET /api/ledger.csv`. */
export const ledgerRoutes: FastifyPluginAsyncTypebox<LedgerRoutesOptions> = async (api, deps) => {
  api.get(
    '/api/ledger',
    {
      config: { access: 'read' },
      schema: {
        summary:
          'The regulation ledger per household and day: below standard, stopped, attribution',
        description:
          'With `household`, its season summary too: rebate, refund, stops and the > 12 h notices.',
        tags: ['service'],
        querystring: LedgerQuery,
        response: { 200: LedgerListSchema, ...ledgerErrors(400, 401) },
      },
    },
    async (request) => {
      const { season: id, limit, after, ...filter } = request.query;
      const season = pickSeason(deps, id);
      const days = await dayPage(
        deps.store.db,
        { ...filter, season: season.id },
        cursor(after),
        limit,
      );
      const last = days.at(-1);
      let summary = null;
      if (filter.household) {
        for await (const h of householdSeasons(deps, season, { household: filter.household })) {
          summary = seasonSummaryView(h.summary);
        }
      }
      return {
        season: season.id,
        days: days.map(ledgerDayView),
        next: last && days.length === limit ? `${last.household}|${last.day}` : null,
        summary,
      };
    },
  );
  api.get(
    '/api/ledger/progress',
    {
      config: { access: 'read' },
      schema: {
        summary:
          'The nightly ledger: the day it is computing, households done of all, the last run',
        tags: ['service'],
        response: { 200: LedgerProgressSchema, ...ledgerErrors(401) },
      },
    },
    async () =>
      deps.job?.progress ?? {
        running: false,
        day: null,
        done: 0,
        total: 0,
        lastRun: null,
        lastError: null,
      },
  );
  api.get(
    '/api/ledger.csv',
    {
      config: { access: 'read' },
      schema: {
        summary:
          'The ledger as CSV for the billing office, streamed (bilingual headers by default)',
        tags: ['service'],
        querystring: LedgerCsvQuery,
        // No response schema: the body is a CSV stream, not JSON.
      },
    },
    async (request, reply) => {
      const { season: id, lang, ...filter } = request.query;
      const season = pickSeason(deps, id);
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="ledger-${season.id}.csv"`);
      return reply.send(Readable.from(ledgerCsv(deps, season, filter, lang)));
    },
  );
};
