/**
 * Errors that cross a component boundary carry a stable code and context, so the
 * HTTP layer, logs and metrics can tell them apart without parsing messages
 * (pattern borrowed from zwave-js' ZWaveError).
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'BAD_REQUEST'
  | 'MODBUS_TIMEOUT'
  | 'MODBUS_EXCEPTION'
  | 'MODBUS_CONNECTION'
  | 'DECODE_FAILED'
  | 'STORAGE_WRITE_FAILED'
  | 'INTERNAL';

export class HeatnetError extends Error {
  readonly code: ErrorCode;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    context: Record<string, unknown> = {},
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

/** A message for logs and health pages from anything thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'message' in err) return String(err.message);
  return String(err);
}
