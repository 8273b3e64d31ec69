import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
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
}

/** `GET /api/substations` and `GET /api/substations/:id`. */
export const substationRoutes: FastifyPluginAsyncTypebox<SubstationRoutesOptions> = async (
  api,
  { network: src },
) => {
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
    async () => {
      const index = deviceIndex(src);
      const substations = src.topology.substations.map((s) => substationSummary(src, s, index));
      return { count: substations.length, substations };
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
