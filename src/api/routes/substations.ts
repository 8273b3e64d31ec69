import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { HeatnetError } from '../../core/errors.ts';
import { ErrorSchema, IdParams, SubstationDetailSchema, SubstationListSchema } from '../schemas.ts';
import {
  deviceIndex,
  type NetworkViewSource,
  substationDetail,
  substationSummary,
} from '../views.ts';

export interface SubstationRoutesOptions {
  network: NetworkViewSource;
  /** How long one serialised list is served before it is built again (real ms). */
  listMaxAgeMs?: number;
}

/**
 * The list changes with every poll (ages, readings), but building and serialising it
 * for each of 50 concurrent clients kept the event loop from the Modbus timers (2.9 s
 * late polls against a 1 s timeout). Built at most once per this many ms, so the cost
 * no longer grows with the request rate; ages in it are at most this much behind.
 */
export const SUBSTATION_LIST_MAX_AGE_MS = 250;

type SubstationList = Static<typeof SubstationListSchema>;

/** `GET /api/substations` and `GET /api/substations/:id`. */
export const substationRoutes: FastifyPluginAsyncTypebox<SubstationRoutesOptions> = async (
  api,
  { network: src, listMaxAgeMs = SUBSTATION_LIST_MAX_AGE_MS },
) => {
  let cached: { builtAt: number; balance: unknown; body: Buffer } | undefined;
  api.get(
    '/api/substations',
    {
      config: { access: 'read' },
      schema: {
        summary:
          'Every substation, near end first: latest readings, pumps, devices, balance status',
        tags: ['network'],
        response: { 200: SubstationListSchema, 401: ErrorSchema },
      },
    },
    async (_request, reply) => {
      // A new balance evaluation shows at once; readings at most `listMaxAgeMs` late.
      const balance = src.balance?.();
      const now = performance.now();
      if (!cached || cached.balance !== balance || now - cached.builtAt >= listMaxAgeMs) {
        // Encoded once too: each response then writes the same bytes, no UTF-8 pass per send.
        const json = String(reply.serialize(substationList(src)));
        cached = { builtAt: now, balance, body: Buffer.from(json) };
      }
      // Fastify sends a Buffer as it is; the type provider only knows the object form.
      const body = cached.body as unknown as SubstationList;
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );
  api.get(
    '/api/substations/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'One substation in full, with its buildings and zones',
        tags: ['network'],
        params: IdParams,
        response: { 200: SubstationDetailSchema, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const s = src.topology.substation(request.params.id);
      if (!s) {
        throw new HeatnetError('NOT_FOUND', `unknown substation "${request.params.id}"`, {
          field: 'id',
        });
      }
      return substationDetail(src, s);
    },
  );
};

function substationList(src: NetworkViewSource): SubstationList {
  const index = deviceIndex(src);
  const substations = src.topology.substations.map((s) => substationSummary(src, s, index));
  return { count: substations.length, substations };
}
