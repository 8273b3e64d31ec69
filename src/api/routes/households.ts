import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ComplaintBook } from '../../complaints/complaints.ts';
import { HeatnetError } from '../../core/errors.ts';
import type { Topology } from '../../domain/topology.ts';
import type { LiveState } from '../../state/live-state.ts';
import { IdParams } from '../schemas.ts';
import { errors, type HouseholdView, HouseholdViewSchema } from '../schemas-complaints.ts';
import type { SeasonSummaryView } from '../schemas-ledger.ts';
import { iso } from '../views.ts';
import { storedView } from '../views-complaints.ts';
import { seesContact } from './complaints.ts';

export interface HouseholdRoutesOptions {
  topology: Topology;
  state: LiveState;
  complaints: Pick<ComplaintBook, 'list'>;
  /** The household's season in the regulation ledger (issue 11); absent without the ledger. */
  ledger?: ((id: string) => Promise<SeasonSummaryView | null>) | undefined;
}

/** A household's page shows its latest calls (the count of all is in GET /api/complaints). */
const CALLS_SHOWN = 100;

/** `GET /api/households/:id`: place in the topology, latest room reading, its complaints. */
export const householdRoutes: FastifyPluginAsyncTypebox<HouseholdRoutesOptions> = async (
  api,
  { topology, state, complaints, ledger },
) => {
  api.get(
    '/api/households/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'A household: building, zone, floor and unit, its room reading, its complaints',
        tags: ['service'],
        params: IdParams,
        response: { 200: HouseholdViewSchema, ...errors(401, 404, 503) },
      },
    },
    async (request): Promise<HouseholdView> => {
      const h = topology.household(request.params.id);
      if (!h) {
        throw new HeatnetError('NOT_FOUND', `no household "${request.params.id}"`, { field: 'id' });
      }
      const temp = state.latest('room', 'household', h.id).get('temp_c');
      const calls = await complaints.list({ household: h.id, limit: CALLS_SHOWN });
      const show = seesContact(request);
      return {
        id: h.id,
        floor: h.floor,
        unit: h.unit ?? null,
        zone: h.zone,
        building: h.building,
        substation: h.substation,
        areaM2: h.areaM2,
        room:
          temp && typeof temp.value === 'number' ? { tempC: temp.value, at: iso(temp.time) } : null,
        complaints: calls.map((c) => storedView(c, show)),
        ...(ledger ? { ledger: await ledger(h.id) } : {}),
      };
    },
  );
};
