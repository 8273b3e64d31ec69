import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { IncidentDesk } from '../../complaints/incidents.ts';
import { IdParams } from '../schemas.ts';
import {
  errors,
  IncidentDetailSchema,
  IncidentListSchema,
  IncidentPatchBody,
  IncidentQuery,
} from '../schemas-complaints.ts';
import { incidentDetailView, incidentView } from '../views-complaints.ts';
import { seesContact, timeField } from './complaints.ts';

export interface IncidentRoutesOptions {
  incidents: Pick<IncidentDesk, 'list' | 'get' | 'change'>;
}

type Api = Parameters<FastifyPluginAsyncTypebox<IncidentRoutesOptions>>[0];

/** `GET /api/incidents`, `GET /api/incidents/:id`, `PATCH /api/incidents/:id` (issue 10 §3). */
export const incidentRoutes: FastifyPluginAsyncTypebox<IncidentRoutesOptions> = async (
  api,
  options,
) => {
  listIncidents(api, options);
  oneIncident(api, options);
  patchIncident(api, options);
};

function listIncidents(api: Api, { incidents }: IncidentRoutesOptions) {
  api.get(
    '/api/incidents',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Faults grouped from calls and network data, newest first',
        tags: ['service'],
        querystring: IncidentQuery,
        response: { 200: IncidentListSchema, ...errors(400, 401, 503) },
      },
    },
    async (request) => {
      const found = await incidents.list(request.query);
      return { count: found.length, incidents: found.map(incidentView) };
    },
  );
}

function oneIncident(api: Api, { incidents }: IncidentRoutesOptions) {
  api.get(
    '/api/incidents/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'One incident: its calls, affected households and history',
        tags: ['service'],
        params: IdParams,
        response: { 200: IncidentDetailSchema, ...errors(401, 404, 503) },
      },
    },
    async (request) =>
      incidentDetailView(await incidents.get(request.params.id), seesContact(request)),
  );
}

function patchIncident(api: Api, { incidents }: IncidentRoutesOptions) {
  api.patch(
    '/api/incidents/:id',
    {
      config: { access: ['service', 'dispatcher'] },
      schema: {
        summary: 'Move an incident: confirmed, restoring (with etaAt), restored, closed, invalid',
        description:
          'suspected → confirmed → restoring (etaAt required) → restored → closed; invalid ' +
          '(reason required) from suspected or confirmed. Any other move is a 409 naming the ' +
          'allowed states. Calls joining a restoring incident are told its ETA.',
        tags: ['service'],
        params: IdParams,
        body: IncidentPatchBody,
        response: { 200: IncidentDetailSchema, ...errors(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const { etaAt, ...rest } = request.body;
      const patch = { ...rest, etaAt: timeField(etaAt, 'etaAt') };
      const changed = await incidents.change(request.params.id, patch, request.principal!.name);
      return incidentDetailView(changed, true);
    },
  );
}
