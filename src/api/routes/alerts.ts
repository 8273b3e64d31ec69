import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AlertDesk } from '../../alerts/desk.ts';
import {
  AckBody,
  AlertDetailSchema,
  AlertIdParams,
  AlertListSchema,
  AlertQuery,
  AssignBody,
} from '../schemas-alerts.ts';
import { errors } from '../schemas-complaints.ts';
import { alertDetailView, alertView } from '../views-alerts.ts';
import { timeField } from './complaints.ts';

export interface AlertRoutesOptions {
  alerts: Pick<AlertDesk, 'list' | 'get' | 'act'>;
}

type Api = Parameters<FastifyPluginAsyncTypebox<AlertRoutesOptions>>[0];

/** `GET /api/alerts`, `GET /api/alerts/:id`, `POST /api/alerts/:id/{ack,assign,resolve}` (issue 12). */
export const alertRoutes: FastifyPluginAsyncTypebox<AlertRoutesOptions> = async (api, options) => {
  listAlerts(api, options);
  oneAlert(api, options);
  actions(api, options);
};

function listAlerts(api: Api, { alerts }: AlertRoutesOptions) {
  api.get(
    '/api/alerts',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Alerts, newest first',
        tags: ['alerts'],
        querystring: AlertQuery,
        response: { 200: AlertListSchema, ...errors(400, 401, 503) },
      },
    },
    async (request) => {
      const q = request.query;
      const found = await alerts.list({
        ...q,
        from: timeField(q.from, 'from'),
        to: timeField(q.to, 'to'),
      });
      return { count: found.length, alerts: found.map(alertView) };
    },
  );
}

function oneAlert(api: Api, { alerts }: AlertRoutesOptions) {
  api.get(
    '/api/alerts/:id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'One alert: its history and the log of every message that carried it',
        tags: ['alerts'],
        params: AlertIdParams,
        response: { 200: AlertDetailSchema, ...errors(401, 404, 503) },
      },
    },
    async (request) => alertDetailView(await alerts.get(request.params.id)),
  );
}

const WRITE = { access: ['service', 'dispatcher'] as ('service' | 'dispatcher')[] };

function actions(api: Api, { alerts }: AlertRoutesOptions) {
  const schema = <B extends typeof AckBody | typeof AssignBody>(summary: string, body: B) => ({
    summary,
    description:
      'Written before the answer. A move its state does not allow is a 409 naming the states that would.',
    tags: ['alerts'],
    params: AlertIdParams,
    body,
    response: { 200: AlertDetailSchema, ...errors(400, 401, 403, 404, 409, 503) },
  });
  const moves = [
    ['ack', 'Acknowledge a firing alert: its escalation stops', AckBody],
    ['assign', 'Give an open alert to someone', AssignBody],
    ['resolve', 'Resolve an open alert by hand', AckBody],
  ] as const;
  for (const [action, summary, body] of moves) {
    api.post(
      `/api/alerts/:id/${action}`,
      { config: WRITE, schema: schema(summary, body) },
      async (request) => {
        const { note, assignee } = request.body as { note?: string; assignee?: string };
        const extra = { ...(assignee ? { assignee } : {}), ...(note ? { note } : {}) };
        const a = await alerts.act(request.params.id, action, request.principal!.name, extra);
        return alertDetailView(a);
      },
    );
  }
}
