import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HeatnetError } from '../../core/errors.ts';
import { complianceCounts } from '../../ledger/ledger-db.ts';
import { complianceDays } from '../../service/compliance.ts';
import type { Store } from '../../store/store.ts';
import {
  ComplianceQuery,
  ComplianceSchema,
  type ComplianceView,
  ledgerErrors,
} from '../schemas-ledger.ts';

export interface ComplianceRoutesOptions {
  store: Store;
  minC: number;
  target: number;
}

/** A year of days is the most one answer carries (a season is 151). */
const MAX_DAYS = 366;

/** `GET /api/compliance`: share of measured rooms ≥ the minimum per day, per substation and network. */
export const complianceRoutes: FastifyPluginAsyncTypebox<ComplianceRoutesOptions> = async (
  api,
  options,
) => {
  api.get(
    '/api/compliance',
    {
      config: { access: 'read' },
      schema: {
        summary:
          'Room-temperature compliance per day, per substation and network, against the target',
        tags: ['service'],
        querystring: ComplianceQuery,
        response: { 200: ComplianceSchema, ...ledgerErrors(400, 401) },
      },
    },
    async (request): Promise<ComplianceView> => {
      const { from, to, substation } = request.query;
      const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
      if (!(span >= 0 && span < MAX_DAYS)) {
        throw new HeatnetError('BAD_REQUEST', `from..to must be 1 to ${MAX_DAYS} days`, {
          field: 'to',
        });
      }
      const counts = await complianceCounts(options.store.db, options.minC, from, to, substation);
      return {
        minC: options.minC,
        target: options.target,
        days: complianceDays(counts, options.target),
      };
    },
  );
};
