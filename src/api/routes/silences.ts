import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AlertDesk } from '../../alerts/desk.ts';
import {
  AlertIdParams,
  SilenceBody,
  SilenceListSchema,
  SilenceQuery,
  SilenceViewSchema,
} from '../schemas-alerts.ts';
import { errors } from '../schemas-complaints.ts';
import { silenceView } from '../views-alerts.ts';
import { timeField } from './complaints.ts';

export interface SilenceRoutesOptions {
  alerts: Pick<AlertDesk, 'silences' | 'silence' | 'createSilence' | 'endSilence'>;
  now: () => number;
}

type Api = Parameters<FastifyPluginAsyncTypebox<SilenceRoutesOptions>>[0];

/** `GET/POST /api/silences`, `GET/DELETE /api/silences/:id` (issue 12). */
export const silenceRoutes: FastifyPluginAsyncTypebox<SilenceRoutesOptions> = async (
  api,
  options,
) => {
  list(api, options);
  one(api, options);
  create(api, options);
  end(api, options);
};

function list(api: Api, { alerts, now }: SilenceRoutesOptions) {
  api.get(
    '/api/silences',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Silences: active and pending, soonest expiry first',
        tags: ['alerts'],
        querystring: SilenceQuery,
        response: { 200: SilenceListSchema, ...errors(400, 401) },
      },
    },
    async (request) => {
      const found = alerts.silences(request.query.expired);
      return { count: found.length, silences: found.map((s) => silenceView(s, now())) };
    },
  );
}

function one(api: Api, { alerts, now }: SilenceRoutesOptions) {
  api.get(
    '/api/silences/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'One silence',
        tags: ['alerts'],
        params: AlertIdParams,
        response: { 200: SilenceViewSchema, ...errors(401, 404, 503) },
      },
    },
    async (request) => silenceView(await alerts.silence(request.params.id), now()),
  );
}

function create(api: Api, { alerts, now }: SilenceRoutesOptions) {
  api.post(
    '/api/silences',
    {
      config: { access: ['service', 'dispatcher'] },
      schema: {
        summary: 'Silence the alerts that match; an owner and an expiry are mandatory',
        description:
          'A missing owner or expiry, an expiry in the past or beyond alerts.silences.maxHours is a 400 naming the field. ' +
          'When a silence expires by itself while alerts it muted still fire, that is notified as an alert.',
        tags: ['alerts'],
        body: SilenceBody,
        response: { 201: SilenceViewSchema, ...errors(400, 401, 403, 503) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const s = await alerts.createSilence(
        {
          matchers: b.matchers.map((m) => ({ ...m, isRegex: m.isRegex ?? false })),
          owner: b.owner,
          comment: b.comment,
          startsAt: timeField(b.startsAt, 'startsAt'),
          endsAt: timeField(b.endsAt, 'endsAt'),
        },
        request.principal!.name,
      );
      reply.code(201);
      return silenceView(s, now());
    },
  );
}

function end(api: Api, { alerts, now }: SilenceRoutesOptions) {
  api.delete(
    '/api/silences/:id',
    {
      config: { access: ['service', 'dispatcher'] },
      schema: {
        summary: 'End a silence now',
        tags: ['alerts'],
        params: AlertIdParams,
        response: { 200: SilenceViewSchema, ...errors(401, 403, 404, 409, 503) },
      },
    },
    async (request) => silenceView(await alerts.endSilence(request.params.id), now()),
  );
}
