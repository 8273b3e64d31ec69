import type { FastifyError, FastifyInstance } from 'fastify';
import {
  type ErrorCode,
  type HeatnetError,
  httpStatus,
  isHeatnetError,
  isMessageExposed,
} from '../core/errors.ts';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  field?: string;
  /** The stable code (an ErrorCode; Fastify's own code for its request errors). */
  code: string;
  /** The audit entry that recorded a control attempt. */
  auditId?: number;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

function body(statusCode: number, code: string, message: string, field?: string): ErrorBody {
  return {
    statusCode,
    error: REASONS[statusCode] ?? 'Error',
    message,
    ...(field === undefined ? {} : { field }),
    code,
  };
}

/** A HeatnetError's answer, or undefined when its message must not leave the service. */
function heatnetBody(err: HeatnetError): ErrorBody | undefined {
  if (!isMessageExposed(err.code)) return undefined;
  const { field, auditId } = err.context;
  return {
    ...body(httpStatus(err.code), err.code, err.message, field),
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
  return body(400, 'BAD_REQUEST' satisfies ErrorCode, message, field);
}

/**
 * The one error handler: validation errors → 400 naming the field; HeatnetErrors →
 * their code's status (core/errors.ts); anything else → 500 without internals (logged
 * with the request id). Every body carries a `code` (DESIGN §4.3).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.validation && err.validation.length > 0) {
      return reply.status(400).send(validationBody(err));
    }
    if (isHeatnetError(err)) {
      const answer = heatnetBody(err);
      if (answer) {
        if (answer.statusCode >= 500) request.log.warn({ err, code: err.code }, 'request failed');
        return reply.status(answer.statusCode).send(answer);
      }
    } else if (
      typeof err.statusCode === 'number' &&
      err.statusCode >= 400 &&
      err.statusCode < 500
    ) {
      // Fastify's own refusals (malformed JSON, body too large …) keep their FST_ code.
      const code = typeof err.code === 'string' ? err.code : 'BAD_REQUEST';
      return reply.status(err.statusCode).send(body(err.statusCode, code, err.message));
    }
    request.log.error({ err }, 'request failed');
    return reply
      .status(500)
      .send(body(500, 'INTERNAL' satisfies ErrorCode, `internal error (request ${request.id})`));
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(
        body(
          404,
          'NOT_FOUND' satisfies ErrorCode,
          `no route ${request.method} ${request.url.split('?')[0]}`,
        ),
      );
  });
}
