import swagger from '@fastify/swagger';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installAccess } from '../../src/api/access.ts';
import { Authenticator } from '../../src/api/auth.ts';
import { installErrorHandler } from '../../src/api/error-handler.ts';
import { docsRoutes } from '../../src/api/routes/docs.ts';

/** Routes are deny-by-default (DESIGN §3): open to someone only because they say so. */

const VIEWER = 'viewer-token-0000000001';

function app(anonymousRead = false) {
  const auth = new Authenticator({
    host: '127.0.0.1',
    port: 0,
    anonymousRead,
    tokens: [{ name: 'viewer-user', token: VIEWER, role: 'viewer' }],
  });
  const f = Fastify();
  f.decorateRequest('principal', null);
  installErrorHandler(f);
  installAccess(f, auth);
  return f;
}

describe('route access declarations', () => {
  it('refuses to start with a route that declares no access, naming it', async () => {
    const f = app(true);
    f.get('/declared', { config: { access: 'read' } }, async () => ({ ok: true }));
    await f.register(async (child) => {
      child.post('/forgot', async () => ({ ok: true }));
    });
    await expect(f.ready()).rejects.toThrow(/without an access declaration: POST \/forgot/);
  });

  it('starts when every route declares, and enforces what each says', async () => {
    const f = app(false);
    f.get('/open', { config: { access: 'public' } }, async () => ({ ok: true }));
    f.get('/read', { config: { access: 'read' } }, async (r) => ({ who: r.principal?.name }));
    f.post('/write', { config: { access: ['dispatcher'] } }, async () => ({ ok: true }));
    await f.ready();
    expect((await f.inject({ url: '/open' })).statusCode).toBe(200);
    const anonymous = await f.inject({ url: '/read' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    const auth = { authorization: `Bearer ${VIEWER}` };
    expect((await f.inject({ url: '/read', headers: auth })).json()).toEqual({
      who: 'viewer-user',
    });
    const weak = await f.inject({ method: 'POST', url: '/write', headers: auth });
    expect(weak.statusCode).toBe(403);
    expect(weak.json()).toMatchObject({ code: 'FORBIDDEN', message: /needs dispatcher/ });
  });

  it('checks access before the body is parsed', async () => {
    const f = app(false);
    f.post('/write', { config: { access: ['dispatcher'] } }, async () => ({ ok: true }));
    const res = await f.inject({
      method: 'POST',
      url: '/write',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(res.statusCode).toBe(401);
  });

  it('keeps an unknown route a 404, not a refusal', async () => {
    const res = await app(false).inject({ url: '/nowhere' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps /docs open to anyone, also when reads need a token', async () => {
    const f = app(false);
    await f.register(swagger, { openapi: { info: { title: 't', version: '0' } } });
    await f.register(docsRoutes);
    f.get('/read', { config: { access: 'read' } }, async () => ({ ok: true }));
    await f.ready();
    const doc = await f.inject({ url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    expect(doc.json().paths).toHaveProperty('/read');
    expect((await f.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
  });
});
