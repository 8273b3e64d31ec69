import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installErrorHandler } from '../../src/api/error-handler.ts';
import { HeatnetError } from '../../src/core/errors.ts';

/** One error family, one table of statuses (DESIGN §3 "Errors", §4.3 bodies carry `code`). */

async function answer(err: Error) {
  const f = Fastify({ logger: false });
  installErrorHandler(f);
  f.get('/', async () => {
    throw err;
  });
  const res = await f.inject({ url: '/' });
  return { status: res.statusCode, body: res.json() };
}

describe('the error handler', () => {
  it('answers a control refusal with its status, field, code and audit entry', async () => {
    const err = new HeatnetError('TOO_FREQUENT', 'changed 10 s ago', { field: 'id', auditId: 7 });
    expect(await answer(err)).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        error: 'Conflict',
        message: 'changed 10 s ago',
        field: 'id',
        code: 'TOO_FREQUENT',
        auditId: 7,
      },
    });
  });

  it('shows a 5xx message written for the caller, and hides any other', async () => {
    const drive = await answer(new HeatnetError('WRITE_FAILED', 'the drive refused it'));
    expect(drive).toMatchObject({ status: 502, body: { message: 'the drive refused it' } });
    const internal = await answer(new HeatnetError('MODBUS_TIMEOUT', 'unit 2 at 10.0.0.7'));
    expect(internal.status).toBe(500);
    expect(internal.body).toMatchObject({ code: 'INTERNAL', message: /^internal error/ });
    expect(JSON.stringify(internal.body)).not.toMatch(/10\.0\.0\.7/);
  });

  it('gives anything else a 500 without internals', async () => {
    const res = await answer(new Error('secret path /etc/heatnet'));
    expect(res).toMatchObject({ status: 500, body: { code: 'INTERNAL' } });
    expect(res.body.message).not.toMatch(/secret/);
  });
});
