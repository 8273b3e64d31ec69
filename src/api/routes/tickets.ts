import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HeatnetError } from '../../core/errors.ts';
import type { TicketDesk } from '../../tickets/desk.ts';
import { errors } from '../schemas-complaints.ts';
import {
  TicketDetailSchema,
  TicketIdParams,
  TicketListSchema,
  TicketPatchBody,
  TicketQuery,
  TimelinessQuery,
  TimelinessSchema,
} from '../schemas-tickets.ts';
import { ticketDetailView, ticketView, timelinessView } from '../views-tickets.ts';
import { timeField } from './complaints.ts';

export interface TicketRoutesOptions {
  tickets: Pick<TicketDesk, 'list' | 'get' | 'change' | 'timeliness'>;
}

type Api = Parameters<FastifyPluginAsyncTypebox<TicketRoutesOptions>>[0];

/** `GET /api/tickets`, `GET /api/tickets/timeliness`, `GET/PATCH /api/tickets/:id` (issue 11). */
export const ticketRoutes: FastifyPluginAsyncTypebox<TicketRoutesOptions> = async (
  api,
  options,
) => {
  listTickets(api, options);
  timeliness(api, options);
  oneTicket(api, options);
  patchTicket(api, options);
};

function listTickets(api: Api, { tickets }: TicketRoutesOptions) {
  api.get(
    '/api/tickets',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Work orders with their SLA clocks, newest first',
        tags: ['service'],
        querystring: TicketQuery,
        response: { 200: TicketListSchema, ...errors(400, 401, 503) },
      },
    },
    async (request) => {
      const q = request.query;
      const found = await tickets.list({
        ...q,
        from: timeField(q.from, 'from'),
        to: timeField(q.to, 'to'),
      });
      return { count: found.length, tickets: found.map(ticketView) };
    },
  );
}

function timeliness(api: Api, { tickets }: TicketRoutesOptions) {
  api.get(
    '/api/tickets/timeliness',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Per team: repair timeliness and closure of the tickets opened in [from, to)',
        tags: ['service'],
        querystring: TimelinessQuery,
        response: { 200: TimelinessSchema, ...errors(400, 401, 503) },
      },
    },
    async (request) => {
      const from = timeField(request.query.from, 'from')!;
      const to = timeField(request.query.to, 'to')!;
      if (to <= from)
        throw new HeatnetError('BAD_REQUEST', 'to must be after from', { field: 'to' });
      return timelinessView(await tickets.timeliness(from, to));
    },
  );
}

function oneTicket(api: Api, { tickets }: TicketRoutesOptions) {
  api.get(
    '/api/tickets/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'One work order: its history and SLA clocks',
        tags: ['service'],
        params: TicketIdParams,
        response: { 200: TicketDetailSchema, ...errors(401, 404, 503) },
      },
    },
    async (request) => ticketDetailView(await tickets.get(request.params.id)),
  );
}

function patchTicket(api: Api, { tickets }: TicketRoutesOptions) {
  api.patch(
    '/api/tickets/:id',
    {
      config: { access: ['service', 'dispatcher'] },
      schema: {
        summary: 'Move a work order along its line, assign it, reopen it',
        description:
          'received → dispatched → accepted → on-site → resolved → reported → called-back → ' +
          'closed; waiting-resident, reopened, cancelled and duplicate need a reason. Closing a ' +
          'cold-room ticket whose room sensor still reads below the minimum needs a reason. ' +
          'Any other move is a 409 naming the allowed states.',
        tags: ['service'],
        params: TicketIdParams,
        body: TicketPatchBody,
        response: { 200: TicketDetailSchema, ...errors(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const changed = await tickets.change(
        request.params.id,
        request.body,
        request.principal!.name,
      );
      return ticketDetailView(changed);
    },
  );
}
