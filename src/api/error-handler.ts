import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type ErrorCode,
  type HeatnetError,
  httpStatus,
  isHeatnetError,
  isMessageExposed,
} from '../core/errors.ts';
import { type DoorCounts, type ErrorBody, errorBody, fastifyRefusal } from './refusals.ts';

export type { ErrorBody } from './refusals.ts';
export { clientErrorAnswer } from './refusals.ts';

/** A HeatnetError's answer, or undefined when its message must not leave the service. */
function heatnetBody(err: HeatnetError): ErrorBody | undefined {
  if (!isMessageExposed(err.code)) return undefined;
  const { field, auditId } = err.context;
  return {
    ...errorBody(httpStatus(err.code), err.code, err.message, field),
    ...(auditId === undefined ? {} : { auditId }),
  };
}

/** Validation errors → 400 naming the field (the first one; ajv stops there). */
function validationBody(err: FastifyError): ErrorBody {
  const v = err.validation![0]!;
  const missing = (v.params as { missingProperty?: string }).missingProperty;
  const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const field = [path, missing].filter(Boolean).join('.') || undefined;
  const where = err.validationContext ?? 'request';
  const message = `${where}${field ? `.${field}` : ''} ${v.message ?? 'is invalid'}`;
  return errorBody(400, 'BAD_REQUEST' satisfies ErrorCode, message, field);
}

/** The answer to `err`, or undefined for a 5xx whose internals stay inside. */
function answerOf(err: FastifyError): ErrorBody | undefined {
  if (err.validation && err.validation.length > 0) return validationBody(err);
  if (isHeatnetError(err)) return heatnetBody(err);
  return fastifyRefusal(err);
}

/**
 * A route that audits its refusals (the control routes: every refused attempt is part
 * of the safety record, issue 15) sees each 4xx answered without an audit entry — 401,
 * 403, a malformed, oversized or mistyped body — and the answer points at its row.
 */
async function audited(request: FastifyRequest, answer: ErrorBody): Promise<ErrorBody> {
  const audit = request.routeOptions?.config?.auditRefusal;
  if (!audit || answer.statusCode >= 500 || answer.auditId !== undefined) return answer;
  if (request.is404) return answer;
  return { ...answer, auditId: await audit(request, answer) };
}

/**
 * The one error handler: validation errors → 400 naming the field; HeatnetErrors →
 * their code's status (core/errors.ts); Fastify's refusals → the same shape in our
 * words; anything else → 500 without internals (logged with the request id). Every
 * body carries a `code` (DESIGN §4.3).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (err: FastifyError, request, reply) => {
    let answer = answerOf(err);
    if (answer && answer.statusCode < 500) {
      try {
        answer = await audited(request, answer);
      } catch (auditErr) {
        answer = isHeatnetError(auditErr) ? heatnetBody(auditErr) : undefined;
        err = auditErr as FastifyError;
      }
    }
    if (answer) {
      if (answer.statusCode >= 500) request.log.warn({ err, code: answer.code }, 'request failed');
      return reply.status(answer.statusCode).send(answer);
    }
    request.log.error({ err }, 'request failed');
    return reply
      .status(500)
      .send(
        errorBody(500, 'INTERNAL' satisfies ErrorCode, `internal error (request ${request.id})`),
      );
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // The path is the caller's; quoted only while short (a long one is no route anyway).
    const shown = path.length <= 200 ? ` ${path}` : '';
    reply
      .status(404)
      .send(errorBody(404, 'NOT_FOUND' satisfies ErrorCode, `no route ${request.method}${shown}`));
  });
}

/**
 * Fastify's `frameworkErrors`: a URL the router cannot take (bad percent-encoding, a
 * path segment over `maxParamLength`), refused before any route is known — so not
 * audited, but counted in the log like Node's own refusals.
 */
export function refuseAtTheDoor(
  err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
  counts: DoorCounts,
) {
  const answer = fastifyRefusal(err) ?? errorBody(400, 'BAD_REQUEST', 'the request is not valid');
  const count = counts.add(answer.code);
  request.log.warn(
    { code: answer.code, status: answer.statusCode, count },
    'request refused before routing',
  );
  return reply.status(answer.statusCode).send(answer);
}
