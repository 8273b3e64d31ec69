import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { BalanceResult } from '../../balance/types.ts';
import { ErrorSchema } from '../schemas.ts';
import {
  BalanceQuerySchema,
  BalanceResultSchema,
  type BalanceResultView,
} from '../schemas-balance.ts';
import { balanceResultView } from '../views.ts';

export interface BalanceRoutesOptions {
  latest: () => BalanceResult;
}

/** `GET /api/balance`: the latest evaluation, optionally narrowed to some stations. */
export const balanceRoutes: FastifyPluginAsyncTypebox<BalanceRoutesOptions> = async (
  api,
  { latest },
) => {
  let cached: { result: BalanceResult; json: string } | undefined;
  api.get(
    '/api/balance',
    {
      config: { access: 'read' },
      schema: {
        summary:
          'Latest balance evaluation: gradient, status, flag, anomaly and pump recommendation per substation',
        tags: ['balance'],
        querystring: BalanceQuerySchema,
        response: { 200: BalanceResultSchema, 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (request, reply) => {
      const result = latest();
      const { status, position, branch } = request.query;
      if (!status && !position && !branch) {
        // The whole network is the common request and changes once per evaluation:
        // serialise it once (3 MB at 5,000 stations), not per request.
        let json = cached?.result === result ? cached.json : undefined;
        if (json === undefined) {
          json = String(reply.serialize(balanceResultView(result)));
          cached = { result, json };
        }
        // Fastify sends a string as it is; the type provider only knows the object form.
        const body = json as unknown as BalanceResultView;
        return reply.type('application/json; charset=utf-8').send(body);
      }
      const view = balanceResultView(result);
      return {
        ...view,
        substations: view.substations.filter(
          (s) =>
            (!status || s.status === status) &&
            (!position || s.position === position) &&
            (!branch || s.branch === branch),
        ),
      };
    },
  );
};
