import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HeatnetError } from '../../core/errors.ts';
import { insertAttribution, insertMeasurement } from '../../ledger/ledger-db.ts';
import { dayOf } from '../../service/ledger-calendar.ts';
import type { LedgerHousehold } from '../../service/ledger-rules.ts';
import type { Store } from '../../store/store.ts';
import { IdParams } from '../schemas.ts';
import {
  AttributionBody,
  ledgerErrors,
  MeasurementBody,
  RecordedSchema,
} from '../schemas-ledger.ts';

export interface MeasurementRoutesOptions {
  store: Store;
  household: (id: string) => LedgerHousehold | undefined;
  timeZone: string;
  /** Service clock. */
  now: () => number;
}

function known(options: MeasurementRoutesOptions, id: string): LedgerHousehold {
  const h = options.household(id);
  if (!h) throw new HeatnetError('NOT_FOUND', `no household "${id}"`, { field: 'id' });
  return h;
}

/**
 * What the crew records for the ledger (issue 11): a room temperature measured on a visit,
 * and who bears a household's days. 201 only once the row is committed; the ledger
 * recomputes the days they touch on its next run.
 */
export const measurementRoutes: FastifyPluginAsyncTypebox<MeasurementRoutesOptions> = async (
  api,
  options,
) => {
  api.post(
    '/api/households/:id/measurements',
    {
      config: { access: ['service', 'dispatcher'] },
      schema: {
        summary:
          'Record a room temperature measured on a visit (counts like the sensor’s daily mean)',
        tags: ['service'],
        params: IdParams,
        body: MeasurementBody,
        response: { 201: RecordedSchema, ...ledgerErrors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const h = known(options, request.params.id);
      const atMs = Date.parse(request.body.at);
      if (Number.isNaN(atMs))
        throw new HeatnetError('BAD_REQUEST', 'at is not an ISO time', { field: 'at' });
      const day = dayOf(atMs, options.timeZone);
      const m = {
        household: h.id,
        atMs,
        day,
        tempC: request.body.tempC,
        by: request.principal!.name,
        ticketId: request.body.ticket ?? null,
      };
      const id = await insertMeasurement(options.store.db, m, options.now());
      return reply.code(201).send({ id, household: h.id, day });
    },
  );
  api.post(
    '/api/households/:id/attributions',
    {
      config: { access: ['service', 'dispatcher'] },
      schema: {
        summary: 'Record who bears a household’s days: its own renovation, or force majeure',
        tags: ['service'],
        params: IdParams,
        body: AttributionBody,
        response: { 201: RecordedSchema, ...ledgerErrors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const h = known(options, request.params.id);
      const { party, fromDay, toDay, reason } = request.body;
      if (toDay !== undefined && toDay < fromDay) {
        throw new HeatnetError('BAD_REQUEST', 'toDay is before fromDay', { field: 'toDay' });
      }
      const a = {
        household: h.id,
        party,
        fromDay,
        toDay: toDay ?? null,
        reason,
        by: request.principal!.name,
        atMs: options.now(),
      };
      const id = await insertAttribution(options.store.db, a);
      return reply.code(201).send({ id, household: h.id, day: fromDay });
    },
  );
};
