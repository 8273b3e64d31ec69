import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { ComplaintBook } from '../../complaints/complaints.ts';
import type { Intake } from '../../complaints/intake.ts';
import { HeatnetError } from '../../core/errors.ts';
import { IdParams } from '../schemas.ts';
import {
  ComplaintBody,
  ComplaintListSchema,
  ComplaintQuery,
  ComplaintViewSchema,
  errors,
  IdempotencyHeaders,
  IntakeAnswerSchema,
} from '../schemas-complaints.ts';
import { intakeView, storedView } from '../views-complaints.ts';

export interface ComplaintRoutesOptions {
  intake: Pick<Intake, 'submit'>;
  complaints: Pick<ComplaintBook, 'list' | 'get'>;
  /** Service clock (for `overdue`). */
  now: () => number;
}

/** Contact details are for the roles that call residents back, not for viewers or anonymous readers. */
export const seesContact = (request: FastifyRequest) =>
  request.principal !== null && request.principal.role !== 'viewer';

/** An ISO time from a request field, as epoch ms. */
export function timeField(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new HeatnetError('BAD_REQUEST', `${field} "${value}" is not an ISO time`, { field });
  }
  return ms;
}

type Api = Parameters<FastifyPluginAsyncTypebox<ComplaintRoutesOptions>>[0];

/** `POST /api/complaints` (intake), `GET /api/complaints`, `GET /api/complaints/:id` (issue 10). */
export const complaintRoutes: FastifyPluginAsyncTypebox<ComplaintRoutesOptions> = async (
  api,
  options,
) => {
  postComplaint(api, options);
  listComplaints(api, options);
  oneComplaint(api, options);
};

function postComplaint(api: Api, { intake }: Pick<ComplaintRoutesOptions, 'intake'>) {
  api.post(
    '/api/complaints',
    {
      config: { access: ['service', 'dispatcher'] },
      schema: {
        summary: 'Take a resident’s call: diagnosed, grouped into an incident, ticket opened',
        description:
          'The household by id or by address (building, floor, unit). 201 only once the ' +
          'complaint, its ticket and its incident are committed. A retried post with the same ' +
          'Idempotency-Key answers the first result (header Idempotent-Replayed: true); the ' +
          'same key with another body is a 409.',
        tags: ['service'],
        headers: IdempotencyHeaders,
        body: ComplaintBody,
        response: { 201: IntakeAnswerSchema, ...errors(400, 401, 403, 409, 503) },
      },
    },
    async (request, reply) => {
      const { reportedAt, ...body } = request.body;
      const call = { ...body, reportedAt: timeField(reportedAt, 'reportedAt') };
      const key = request.headers['idempotency-key'];
      const { answer, replayed } = await intake.submit(call, request.principal!.name, key);
      if (replayed) reply.header('Idempotent-Replayed', 'true');
      return reply.code(201).send(intakeView(answer));
    },
  );
}

function listComplaints(api: Api, { complaints, now }: Omit<ComplaintRoutesOptions, 'intake'>) {
  api.get(
    '/api/complaints',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Complaints, newest first (contact details only for service roles)',
        tags: ['service'],
        querystring: ComplaintQuery,
        response: { 200: ComplaintListSchema, ...errors(400, 401, 503) },
      },
    },
    async (request) => {
      const q = request.query;
      const found = await complaints.list({
        ticketState: q.state,
        level: q.level,
        substation: q.substation,
        building: q.building,
        from: timeField(q.from, 'from'),
        to: timeField(q.to, 'to'),
        overdueAt: q.overdue ? now() : undefined,
        limit: q.limit,
      });
      const show = seesContact(request);
      return { count: found.length, complaints: found.map((c) => storedView(c, show)) };
    },
  );
}

function oneComplaint(api: Api, { complaints }: Pick<ComplaintRoutesOptions, 'complaints'>) {
  api.get(
    '/api/complaints/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'One complaint with its diagnosis, evidence and ticket',
        tags: ['service'],
        params: IdParams,
        response: { 200: ComplaintViewSchema, ...errors(401, 404, 503) },
      },
    },
    async (request) => storedView(await complaints.get(request.params.id), seesContact(request)),
  );
}
