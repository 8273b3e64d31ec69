import type { Server } from 'node:http';
import AjvCompiler from '@fastify/ajv-compiler';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyHttpOptions,
  type FastifyInstance,
  LogController,
} from 'fastify';
import type { ApiConfig } from '../config/schema.ts';
import type { Logger } from '../core/logger.ts';
import { installAccess } from './access.ts';
import { Authenticator } from './auth.ts';
import { clientErrorAnswer, installErrorHandler, refuseAtTheDoor } from './error-handler.ts';
import { DoorCounts } from './refusals.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Requests refused before any route, by code (for `/metrics`). */
    refusedAtTheDoor: DoorCounts;
  }
}

/**
 * Request parts whose values arrive as strings and may be coerced to the schema's type
 * (`?limit=5`). A body is JSON: it has types of its own, and a write route takes them as
 * they are — `"0x2D"`, `true` or `[60]` for a number is a 400 naming the field, never 45,
 * 1 or 60 (issue 15).
 */
const COERCED_PARTS = new Set(['querystring', 'params', 'headers']);

const AJV_BASE = { allErrors: false, removeAdditional: false } as const;

/** Fastify's own Ajv set-up (formats and all), one instance coercing, one strict. */
type BuildValidator = ReturnType<typeof AjvCompiler>;
type Compile = ReturnType<BuildValidator>;

function buildValidator(...[externalSchemas]: Parameters<BuildValidator>): Compile {
  const coercing = AjvCompiler()(externalSchemas, {
    customOptions: { ...AJV_BASE, coerceTypes: 'array' },
  });
  const strict = AjvCompiler()(externalSchemas, {
    customOptions: { ...AJV_BASE, coerceTypes: false },
  });
  return (route: Parameters<Compile>[0] & { httpPart?: string }) =>
    COERCED_PARTS.has(route.httpPart ?? 'body') ? coercing(route) : strict(route);
}

/** Node's own limits on a request's arrival; Fastify sets `requestTimeout` itself. */
function serverTimeouts(api: ApiConfig): FastifyHttpOptions<Server> {
  const requestTimeout = api.requestTimeoutMs;
  return {
    requestTimeout,
    connectionTimeout: api.idleTimeoutMs,
    http: {
      // Node refuses headersTimeout > requestTimeout.
      headersTimeout: Math.min(api.headersTimeoutMs, requestTimeout),
      requestTimeout,
      // Node checks the two timeouts every 30 s by default: a 1 s timeout would then
      // hold up to 31 s. Checking each second costs a walk over open connections.
      connectionsCheckingInterval: Math.min(1000, api.headersTimeoutMs),
    },
  };
}

export interface HttpOptions {
  api: ApiConfig;
  log: Logger;
}

/**
 * The Fastify instance every API is built on (the app, and tests that mount a few route
 * plugins): validators (strict bodies), timeouts, the one error shape for Fastify's and
 * Node's own refusals, and deny-by-default access. Routes are registered on it after.
 */
export function createHttp({ api, log }: HttpOptions): FastifyInstance {
  const counts = new DoorCounts();
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    schemaController: { compilersFactory: { buildValidator } },
    ...serverTimeouts(api),
    frameworkErrors: (err, request, reply) => refuseAtTheDoor(err, request, reply, counts),
    clientErrorHandler: (err, socket) => clientErrorAnswer(err, socket, log, counts),
  });
  app.decorate('refusedAtTheDoor', counts);
  app.decorateRequest('principal', null);
  installErrorHandler(app);
  installAccess(app, new Authenticator(api));
  return app;
}
