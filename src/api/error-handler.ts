import type { FastifyError, FastifyInstance } from 'fastify';
import { ControlError, type ControlErrorCode } from '../control/types.ts';
import { type ErrorCode, isHeatnetError } from '../core/errors.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
};

/**
 * The control path's codes (issue 5). Their messages are written for the dispatcher
 * (the limit hit, the drive's answer), so they are shown for 5xx statuses too.
 */
const CONTROL_STATUS: Record<ControlErrorCode, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PUMP_NOT_FOUND: 404,
  NOT_CONTROLLABLE: 409,
  PUMP_BUSY: 409,
  TOO_FREQUENT: 409,
  SETPOINT_MOVED: 409,
  OUT_OF_RANGE: 400,
  STEP_TOO_LARGE: 400,
  WRITE_FAILED: 502,
  NOT_CONFIRMED: 502,
  DEVICE_UNHEALTHY: 503,
  AUDIT_FAILED: 503,
};

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  field?: string;
  /** The stable code of a control refusal or failure. */
  code?: string;
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

function body(statusCode: number, message: string, field?: string): ErrorBody {
  return {
    statusCode,
    error: REASONS[statusCode] ?? 'Error',
    message,
    ...(field === undefined ? {} : { field }),
  };
}

/**
 * The one error handler: validation errors → 400 naming the field; HeatnetErrors →
 * their status; anything else → 500 without internals (logged with the request id).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.validation && err.validation.length > 0) {
      const v = err.validation[0]!;
      const missing = (v.params as { missingProperty?: string }).missingProperty;
      const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
      const field = [path, missing].filter(Boolean).join('.') || undefined;
      const where = err.validationContext ?? 'request';
      const message = `${where}${field ? `.${field}` : ''} ${v.message ?? 'is invalid'}`;
      return reply.status(400).send(body(400, message, field));
    }
    if (err instanceof ControlError) {
      const status = CONTROL_STATUS[err.code];
      if (status >= 500) request.log.warn({ err, code: err.code }, 'control request failed');
      const { field, auditId } = err.context;
      return reply.status(status).send({
        ...body(status, err.message, field),
        code: err.code,
        ...(auditId === undefined ? {} : { auditId }),
      });
    }
    if (isHeatnetError(err)) {
      const status = STATUS[err.code] ?? 500;
      if (status < 500) {
        const field = typeof err.context.field === 'string' ? err.context.field : undefined;
        return reply.status(status).send(body(status, err.message, field));
      }
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send(body(err.statusCode, err.message));
    }
    request.log.error({ err }, 'request failed');
    return reply.status(500).send(body(500, `internal error (request ${request.id})`));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(body(404, `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
