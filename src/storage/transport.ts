import { HeatnetError, isHeatnetError } from '../core/errors.ts';

/** Sends one batch of line-protocol lines somewhere durable, or throws. */
export interface LineTransport {
  readonly kind: 'influx-v1' | 'influx-v2' | 'local';
  /** A human description for logs and health (no credentials). */
  readonly target: string;
  send(lines: readonly string[]): Promise<void>;
  /**
   * The same for lines already encoded as one body (a newline after each line), for a
   * transport that can pass bytes on as they are: no text is made for them (issue 14).
   */
  sendBody?(body: Buffer): Promise<void>;
  /** The same for a body in parts, sent one after the other as one request. */
  sendParts?(parts: readonly Buffer[]): Promise<void>;
  close?(): Promise<void>;
}

/** Lines the writer hands on: their count, their text, and their bytes as one body. */
export interface LineBatch {
  readonly count: number;
  readonly lines: readonly string[];
  body(): Buffer;
  /** The body as parts that, one after the other, are `body()`. */
  parts?(): Buffer[];
}

/**
 * A batch that never got an HTTP answer (refused connection, DNS, timeout): the
 * database may take it later.
 */
export function unreachable(message: string): HeatnetError {
  return new HeatnetError('STORAGE_UNREACHABLE', message);
}

/** A batch the database answered with an error status (and maybe a Retry-After). */
export function rejected(message: string, status: number, retryAfterMs?: number): HeatnetError {
  return new HeatnetError('STORAGE_REJECTED', message, {
    status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** The error for an HTTP error answer, its body and Retry-After header. */
export function classifyStatus(
  status: number,
  body: string,
  retryAfter: string | null,
): HeatnetError {
  return rejected(`HTTP ${status}: ${body.slice(0, 300)}`, status, retryAfterMs(retryAfter));
}

/** The HTTP status a failed write was answered with; undefined when none came. */
export function rejectionStatus(err: unknown): number | undefined {
  if (!isHeatnetError(err, 'STORAGE_REJECTED')) return undefined;
  const { status } = err.context;
  return typeof status === 'number' ? status : undefined;
}

/** How long the database asked us to wait before the next write, if it said. */
export function retryDelayMs(err: unknown): number | undefined {
  if (!isHeatnetError(err, 'STORAGE_REJECTED')) return undefined;
  const { retryAfterMs } = err.context;
  return typeof retryAfterMs === 'number' ? retryAfterMs : undefined;
}

/**
 * What a failed write means for the lines in it:
 * - `retry`: the database may take them later (429, 5xx, no answer, and any other status
 *   such as 404 "database not found" — a setup problem, not bad data, so nothing is dropped);
 * - `auth`: 401/403, they are kept until the credentials work;
 * - `too-large`: 413, the same lines go through in smaller requests;
 * - `invalid`: 400/422, some lines will never be accepted.
 */
export type FailureKind = 'retry' | 'auth' | 'too-large' | 'invalid';

export function failureKind(err: unknown): FailureKind {
  const status = rejectionStatus(err);
  if (status === 401 || status === 403) return 'auth';
  if (status === 413) return 'too-large';
  if (status === 400 || status === 422) return 'invalid';
  return 'retry';
}

/** Retry-After is delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/**
 * Why a request never got an HTTP answer: fetch hides the socket error
 * (ECONNREFUSED, ENOTFOUND …) in `cause`, and that is what an operator needs.
 */
export function networkReason(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string; cause?: unknown };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  const cause = e?.cause as { code?: string; message?: string } | undefined;
  const code = cause?.code ?? e?.code;
  const detail = cause?.message ?? e?.message ?? String(err);
  return code && !detail.includes(code) ? `${code}: ${detail}` : detail;
}
