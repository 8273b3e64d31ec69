import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { AuditStore } from '../../control/audit-store.ts';
import type { AutoBalancer } from '../../control/auto-balancer.ts';
import type { PumpControl } from '../../control/pump-control.ts';
import { ControlError } from '../../control/types.ts';
import { HeatnetError, isHeatnetError } from '../../core/errors.ts';
import type { Authenticator } from '../auth.ts';
import { ErrorSchema, IdParams, Nullable } from '../schemas.ts';

/** What the control routes need; the composition root supplies it. */
export interface ControlRouteDeps {
  control: Pick<PumpControl, 'setFrequency' | 'recordDenied'>;
  audit: Pick<AuditStore, 'list'>;
  auto?: Pick<AutoBalancer, 'status' | 'switchTo'>;
}

const Time = Type.String({ format: 'date-time' });

export const FrequencyBody = Type.Object(
  {
    hz: Type.Number({ description: 'New frequency setpoint, Hz' }),
    reason: Type.String({
      minLength: 3,
      maxLength: 500,
      pattern: '\\S',
      description: 'Why (kept in the audit log)',
    }),
  },
  { additionalProperties: false },
);

export const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  at: Time,
  actor: Type.String(),
  role: Nullable(Type.String()),
  source: Type.String({ description: 'api | auto' }),
  pump: Type.String(),
  substation: Nullable(Type.String()),
  device: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  beforeHz: Nullable(Type.Number()),
  requestedHz: Nullable(Type.Number()),
  readBackHz: Nullable(Type.Number({ description: 'Read from the drive after the write' })),
  result: Type.String({
    description: 'confirmed | unconfirmed | failed | refused | pending | interrupted',
  }),
  code: Nullable(Type.String({ description: 'Why it was refused or failed' })),
  error: Nullable(Type.String()),
  completedAt: Nullable(Time),
  effect: Nullable(
    Type.Object({
      verdict: Type.String({ description: 'pending | improved | worsened | no-change | unknown' }),
      deviationBeforeC: Nullable(Type.Number()),
      deviationAfterC: Nullable(Type.Number()),
      judgedAt: Nullable(Time),
    }),
  ),
});

export const ControlErrorSchema = Type.Object({
  ...ErrorSchema.properties,
  code: Type.Optional(Type.String()),
  auditId: Type.Optional(Type.Integer({ description: 'The audit entry of this attempt' })),
});

const AuditQuery = Type.Object(
  {
    pump: Type.Optional(IdParams.properties.id),
    substation: Type.Optional(IdParams.properties.id),
    since: Type.Optional(Type.String({ description: 'ISO time; entries at or after it' })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);

const AutoStatusSchema = Type.Object({
  enabled: Type.Boolean(),
  state: Type.String({ description: 'off | suspended | active | paused' }),
  switchedBy: Nullable(
    Type.Object({ enabled: Type.Boolean(), actor: Type.String(), at: Time, reason: Type.String() }),
  ),
  paused: Type.Array(Type.Object({ scope: Type.String(), reason: Type.String(), since: Time })),
  lastRoundAt: Nullable(Time),
  lastActions: Type.Array(
    Type.Object({
      pump: Type.String(),
      fromHz: Type.Number(),
      targetHz: Type.Number(),
      result: Type.String(),
      auditId: Nullable(Type.Integer()),
      message: Nullable(Type.String()),
    }),
  ),
});

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, ControlErrorSchema] as const));

/**
 * Runs the dispatcher-only guard and audits what it refuses (issue 5: unauthorised and
 * forbidden attempts on the control route are part of the safety record). It runs
 * first, before the body is even parsed: a malformed body from a caller without the
 * right is audited as the denial it is, and the caller learns nothing about bodies.
 */
function auditedGuard(auth: Authenticator, deps: ControlRouteDeps) {
  const guard = auth.guard(['dispatcher'], { exclusive: true });
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      await guard(request, reply);
    } catch (err) {
      if (!isHeatnetError(err, 'UNAUTHORIZED') && !isHeatnetError(err, 'FORBIDDEN')) throw err;
      const pump = String((request.params as { id?: unknown }).id ?? '').slice(0, 64);
      const entry = await deps.control.recordDenied({
        pump,
        hz: null,
        reason: null,
        actor:
          request.principal?.name ??
          (request.headers.authorization ? 'invalid token' : 'anonymous'),
        role: request.principal?.role ?? null,
        code: err.code as 'UNAUTHORIZED' | 'FORBIDDEN',
        message: err.message,
      });
      throw new ControlError(err.code as 'UNAUTHORIZED' | 'FORBIDDEN', err.message, {
        auditId: entry.id,
      });
    }
  };
}

export function controlRoutes(app: FastifyInstance, auth: Authenticator, deps: ControlRouteDeps) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post(
    '/api/control/pumps/:id/frequency',
    {
      onRequest: auditedGuard(auth, deps),
      schema: {
        summary: 'Change a pump’s frequency setpoint: guarded, written, read back and audited',
        description:
          'Dispatcher role only (not admin). Refused outside the pump’s min/max Hz, beyond ' +
          'maxStepHz from the current setpoint, within control.minIntervalS of the last change, ' +
          'or while the drive is not up. Every attempt is in GET /api/control/audit.',
        tags: ['control'],
        params: IdParams,
        body: FrequencyBody,
        response: { 200: AuditEntrySchema, ...errors(400, 401, 403, 404, 409, 502, 503) },
      },
    },
    async (request) => {
      const who = request.principal!;
      return deps.control.setFrequency({
        pump: request.params.id,
        hz: request.body.hz,
        reason: request.body.reason.trim(),
        actor: who.name,
        role: who.role,
        source: 'api',
      });
    },
  );
  api.get(
    '/api/control/audit',
    {
      preHandler: auth.guard('read'),
      schema: {
        summary: 'Who changed which pump, when, why: before, requested, read back, result',
        tags: ['control'],
        querystring: AuditQuery,
        response: {
          200: Type.Object({ count: Type.Integer(), entries: Type.Array(AuditEntrySchema) }),
          ...errors(400, 401, 503),
        },
      },
    },
    async (request) => {
      const { pump, substation, since, limit } = request.query;
      const sinceMs = since === undefined ? undefined : Date.parse(since);
      if (sinceMs !== undefined && Number.isNaN(sinceMs)) {
        throw new HeatnetError('BAD_REQUEST', `since "${since}" is not an ISO time`, {
          field: 'since',
        });
      }
      const entries = await deps.audit.list({ pump, substation, since: sinceMs, limit });
      return { count: entries.length, entries };
    },
  );
  api.get(
    '/api/control/auto',
    {
      preHandler: auth.guard('read'),
      schema: {
        summary: 'Auto-balancing: on or off, paused (and why), the last round’s actions',
        tags: ['control'],
        response: { 200: AutoStatusSchema, 401: ErrorSchema },
      },
    },
    async () =>
      deps.auto?.status() ?? {
        enabled: false,
        state: 'off',
        switchedBy: null,
        paused: [],
        lastRoundAt: null,
        lastActions: [],
      },
  );
  api.post(
    '/api/control/auto',
    {
      onRequest: auth.guard(['dispatcher'], { exclusive: true }),
      schema: {
        summary: 'Switch auto-balancing off (at once) or on again; kept across restarts',
        tags: ['control'],
        body: Type.Object(
          {
            enabled: Type.Boolean(),
            reason: Type.String({ minLength: 3, maxLength: 500, pattern: '\\S' }),
          },
          { additionalProperties: false },
        ),
        response: { 200: AutoStatusSchema, ...errors(400, 401, 403, 409, 503) },
      },
    },
    async (request) => {
      if (!deps.auto) {
        throw new ControlError('NOT_CONTROLLABLE', 'auto-balancing is not available', {
          field: 'enabled',
        });
      }
      const who = request.principal!;
      return deps.auto.switchTo(request.body.enabled, who.name, request.body.reason.trim());
    },
  );
}
