import type { FastifyRequest } from 'fastify';
import type { PumpControl } from '../../control/pump-control.ts';
import type { AuditAction } from '../../control/types.ts';
import type { ErrorBody } from '../refusals.ts';

/** What a control route needs to audit the attempts it refuses itself. */
export type RefusalRecorder = Pick<PumpControl, 'recordDenied'>;

/** Ids and messages as the audit keeps them: bounded, whatever a caller sent. */
const MAX_PUMP_CHARS = 64;
const MAX_MESSAGE_CHARS = 300;

const actorOf = (request: FastifyRequest) =>
  request.principal?.name ?? (request.headers.authorization ? 'invalid token' : 'anonymous');

/**
 * The control routes' `auditRefusal` (issue 15: every refused control attempt leaves a
 * durable trace): a 401/403, or a body refused before the handler (400, 413, 415), is
 * recorded as refused with nothing of the body taken in — it did not validate, or was
 * never read — and the answer points at the row.
 */
export function auditRefusals(control: RefusalRecorder, action: AuditAction) {
  return async (request: FastifyRequest, answer: ErrorBody): Promise<number> => {
    const params = request.params as { id?: unknown } | undefined;
    const pump = action === 'frequency' ? String(params?.id ?? '').slice(0, MAX_PUMP_CHARS) : '';
    const entry = await control.recordDenied({
      pump,
      action,
      hz: null,
      reason: null,
      actor: actorOf(request),
      role: request.principal?.role ?? null,
      code: answer.code,
      message: answer.message.slice(0, MAX_MESSAGE_CHARS),
    });
    return entry.id;
  };
}
