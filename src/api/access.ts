import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { HeatnetError } from '../core/errors.ts';
import type { Access, Authenticator } from './auth.ts';
import type { ErrorBody } from './refusals.ts';

/**
 * Who may call a route. Every route says it in its options (`config`), and a route
 * that does not is refused (DESIGN §3 "Routes are deny-by-default"; fastify/demo's
 * autohooks are the model): a route is open to anonymous readers or to a role only
 * because it declares so.
 */
export interface RouteAccess {
  /**
   * `public`: anyone, with or without a token (the API's own docs); `read`: any role,
   * or anonymous callers when `api.anonymousRead`; a list: those roles (and admin).
   */
  access: 'public' | Access;
  /** Only the listed roles, admin not included (a pump change is the dispatcher's). */
  exclusive?: boolean;
  /**
   * Records a refusal this route answers without an audit entry of its own (401, 403,
   * a body refused before the handler) and returns the entry's id; the error handler
   * calls it and the answer points at the row (the control routes: every refused
   * attempt is in the safety record, issues 5 and 15).
   */
  auditRefusal?: (request: FastifyRequest, answer: ErrorBody) => Promise<number>;
}

declare module 'fastify' {
  interface FastifyContextConfig extends Partial<RouteAccess> {}
}

const describe = (r: RouteOptions) => `${String(r.method)} ${r.url}`;

/**
 * Enforces every route's declared access before anything else runs (before the body is
 * parsed, so a caller without the right learns nothing about bodies). A route registered
 * without a declaration stops the app at `ready()`, naming it; were one to slip through
 * anyway, it answers 403 to everyone.
 */
export function installAccess(app: FastifyInstance, auth: Authenticator): void {
  let routes: RouteOptions[] = [];
  // Checked when the app is ready, not as each route is added: a plugin may declare the
  // access of routes it cannot give options to (swagger-ui's) in its own onRoute hook,
  // which runs after this one.
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  app.addHook('onReady', async () => {
    const undeclared = routes.filter((r) => r.config?.access === undefined);
    routes = [];
    if (undeclared.length > 0) {
      const names = undeclared.map(describe).join(', ');
      throw new HeatnetError('INTERNAL', `routes without an access declaration: ${names}`);
    }
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return;
    const { access, exclusive } = request.routeOptions.config;
    if (access === 'public') return;
    if (access === undefined) throw new HeatnetError('FORBIDDEN', 'this route declares no access');
    await auth.authorize(request, reply, access, { exclusive });
  });
}

/**
 * Declares the access of every route a plugin registers from here on, for routes whose
 * options a third-party plugin writes (swagger-ui's pages and assets).
 */
export function declareAccessOfAll(instance: FastifyInstance, access: RouteAccess['access']) {
  instance.addHook('onRoute', (route) => {
    route.config = { ...route.config, access };
  });
}
