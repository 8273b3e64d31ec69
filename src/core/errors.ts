/**
 * Errors that cross a component boundary carry a stable code and context, so the
 * HTTP layer, logs and metrics can tell them apart without parsing messages
 * (pattern borrowed from zwave-js' ZWaveError). One family for the whole service
 * (DESIGN §3 "Errors"): the control path's refusals and the storage transport's
 * failures are codes here, not classes of their own.
 */

interface CodeSpec {
  /** The HTTP status an API answer carries for this code. */
  readonly status: number;
  /**
   * The message is written for the caller (the limit a control request hit, the
   * drive's answer), so it is shown even with a 5xx status; other 5xx messages may
   * hold internals and are replaced by a neutral one.
   */
  readonly exposed?: true;
}

/** Every code, with its HTTP status: the one table the error handler answers from. */
const CODES = {
  BAD_REQUEST: { status: 400 },
  UNAUTHORIZED: { status: 401 },
  FORBIDDEN: { status: 403 },
  NOT_FOUND: { status: 404 },
  /** The live stream (issue 13) has as many clients as it serves; retry later. */
  TOO_MANY_STREAMS: { status: 503, exposed: true },
  /** A state change that is not allowed, or an idempotency key reused with another body. */
  CONFLICT: { status: 409 },
  INTERNAL: { status: 500 },
  CONFIG_INVALID: { status: 500 },
  // The Modbus adapter (ingest/modbus).
  MODBUS_TIMEOUT: { status: 500 },
  MODBUS_EXCEPTION: { status: 500 },
  MODBUS_CONNECTION: { status: 500 },
  DECODE_FAILED: { status: 500 },
  // The storage transport: no HTTP answer at all, or one that is not a success
  // (context `status`, `retryAfterMs`); storage/transport.ts classifies them.
  STORAGE_UNREACHABLE: { status: 503 },
  STORAGE_REJECTED: { status: 502 },
  // The guarded control path (issue 5): refusals and failures of a pump change.
  PUMP_NOT_FOUND: { status: 404 },
  NOT_CONTROLLABLE: { status: 409 },
  PUMP_BUSY: { status: 409 },
  TOO_FREQUENT: { status: 409 },
  SETPOINT_MOVED: { status: 409 },
  OUT_OF_RANGE: { status: 400 },
  STEP_TOO_LARGE: { status: 400 },
  WRITE_FAILED: { status: 502, exposed: true },
  NOT_CONFIRMED: { status: 502, exposed: true },
  DEVICE_UNHEALTHY: { status: 503, exposed: true },
  AUDIT_FAILED: { status: 503, exposed: true },
  // The service desk (issue 10): a complaint that could not be committed is not taken.
  STORE_FAILED: { status: 503, exposed: true },
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof CODES;

/** What an error says beyond its message; `field` and `auditId` reach the API's body. */
export interface ErrorContext {
  /** The request field at fault. */
  readonly field?: string;
  /** The control audit entry that recorded the attempt. */
  readonly auditId?: number;
  readonly [key: string]: unknown;
}

export class HeatnetError extends Error {
  readonly code: ErrorCode;
  readonly context: ErrorContext;

  constructor(
    code: ErrorCode,
    message: string,
    context: ErrorContext = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'HeatnetError';
    this.code = code;
    this.context = context;
  }
}

export function isHeatnetError(err: unknown, code?: ErrorCode): err is HeatnetError {
  return err instanceof HeatnetError && (code === undefined || err.code === code);
}

/** The HTTP status of a code (DESIGN §4.3). */
export function httpStatus(code: ErrorCode): number {
  return CODES[code].status;
}

/** Whether an API answer may show the error's message as it is. */
export function isMessageExposed(code: ErrorCode): boolean {
  const spec: CodeSpec = CODES[code];
  return spec.status < 500 || spec.exposed === true;
}

/** A message for logs and health pages from anything thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'message' in err) return String(err.message);
  return String(err);
}
