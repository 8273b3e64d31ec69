import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installAccess } from '../../src/api/access.ts';
import { Authenticator } from '../../src/api/auth.ts';
import { installErrorHandler } from '../../src/api/error-handler.ts';
import type { ApiConfig } from '../../src/config/schema.ts';

const TOKENS = {
  viewer: 'viewer-token-0000000001',
  service: 'service-token-000000002',
  dispatcher: 'dispatch-token-00000003',
  admin: 'admin-token-000000000004',
};

function app(anonymousRead: boolean) {
  const config: Pick<ApiConfig, 'host' | 'port' | 'anonymousRead' | 'tokens'> = {
    host: '127.0.0.1',
    port: 0,
    anonymousRead,
    tokens: Object.entries(TOKENS).map(([role, token]) => ({
      name: `${role}-user`,
      token,
      role: role as keyof typeof TOKENS,
    })),
  };
  const auth = new Authenticator(config);
  const f = Fastify();
  f.decorateRequest('principal', null);
  installErrorHandler(f);
  installAccess(f, auth);
  f.get('/read', { config: { access: 'read' } }, async (req) => ({ who: req.principal }));
  f.post('/control', { config: { access: ['dispatcher'] } }, async (req) => ({
    who: req.principal?.name,
  }));
  return f;
}

const call = (f: ReturnType<typeof app>, method: 'GET' | 'POST', url: string, token?: string) =>
  f.inject({ method, url, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });

describe('bearer-token auth', () => {
  it('opens reads to anonymous users only when configured', async () => {
    expect((await call(app(true), 'GET', '/read')).statusCode).toBe(200);
    const closed = await call(app(false), 'GET', '/read');
    expect(closed.statusCode).toBe(401);
    expect(closed.json()).toMatchObject({ error: 'Unauthorized', message: /token is required/ });
  });

  it('never opens writes to anonymous users', async () => {
    expect((await call(app(true), 'POST', '/control')).statusCode).toBe(401);
  });

  it('answers 403 for a valid token whose role is too weak, naming the role needed', async () => {
    for (const role of ['viewer', 'service'] as const) {
      const res = await call(app(false), 'POST', '/control', TOKENS[role]);
      expect(res.statusCode, role).toBe(403);
      expect(res.json().message).toMatch(/needs dispatcher/);
    }
  });

  it('lets the dispatcher and the admin write', async () => {
    for (const role of ['dispatcher', 'admin'] as const) {
      const res = await call(app(false), 'POST', '/control', TOKENS[role]);
      expect(res.statusCode, role).toBe(200);
      expect(res.json().who).toBe(`${role}-user`);
    }
  });

  it('rejects an unknown token even where anonymous reads are open', async () => {
    const res = await call(app(true), 'GET', '/read', 'not-a-configured-token');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/invalid_token/);
  });

  it('rejects a malformed Authorization header', async () => {
    const res = await app(false).inject({
      method: 'GET',
      url: '/read',
      headers: { authorization: `Basic ${TOKENS.admin}` },
    });
    expect(res.statusCode).toBe(401);
  });

  it('identifies the caller for the audit trail', async () => {
    const res = await call(app(false), 'GET', '/read', TOKENS.service);
    expect(res.json().who).toEqual({ name: 'service-user', role: 'service' });
  });
});
