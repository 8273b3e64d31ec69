/** Sends one batch of line-protocol lines somewhere durable, or throws. */
export interface LineTransport {
  readonly kind: 'influx-v1' | 'influx-v2' | 'local';
  /** A human description for logs and health (no credentials). */
  readonly target: string;
  send(lines: readonly string[]): Promise<void>;
  close?(): Promise<void>;
}

/**
 * Why a batch failed, as far as the writer must know: retry later, or drop lines
 * that the server will never accept.
 */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** HTTP status → retry or not (429, 5xx and network errors are retried). */
export function classifyStatus(
  status: number,
  body: string,
  retryAfter: string | null,
): TransportError {
  const retryable = status === 429 || status >= 500;
  return new TransportError(
    `HTTP ${status}: ${body.slice(0, 300)}`,
    retryable,
    status,
    retryAfterMs(retryAfter),
  );
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
