import type { Socket } from 'node:net';
import type { FastifyError } from 'fastify';
import type { Logger } from '../core/logger.ts';

/**
 * The one error body (DESIGN §4.3): `{ statusCode, error, message, code, field? }`, for
 * heatnet's own errors and for Fastify's and Node's refusals alike (issue 15: a 414 used
 * to echo the whole URL with a Fastify code, 413/415 said `"error":"Error"`).
 */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  field?: string;
  /** The stable code: an ErrorCode, or one of FrameworkCode for refusals before a route. */
  code: string;
  /** The audit entry that recorded a control attempt. */
  auditId?: number;
}

/** Codes of refusals that happen before heatnet's code runs (body, URL, connection). */
export type FrameworkCode =
  | 'BAD_REQUEST'
  | 'REQUEST_TIMEOUT'
  | 'PAYLOAD_TOO_LARGE'
  | 'URI_TOO_LONG'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'HEADERS_TOO_LARGE';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** A status's reason phrase; an unlisted 4xx/5xx reads as its class, never "Error". */
export function reasonOf(statusCode: number): string {
  return REASONS[statusCode] ?? (statusCode < 500 ? 'Bad Request' : 'Internal Server Error');
}

export function errorBody(
  statusCode: number,
  code: string,
  message: string,
  field?: string,
): ErrorBody {
  return {
    statusCode,
    error: reasonOf(statusCode),
    message,
    ...(field === undefined ? {} : { field }),
    code,
  };
}

/**
 * Fastify's own request errors, in our words: its messages may quote the request (a
 * 414 quoted the whole URL), and its codes are its own. Unlisted 4xx keep their status
 * with a neutral message.
 */
const FASTIFY_REFUSALS: Record<string, [number, FrameworkCode, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', 'the request body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'the body must be application/json',
  ],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
    400,
    'BAD_REQUEST',
    'the Content-Length does not match the body',
  ],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'BAD_REQUEST', 'the JSON body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'BAD_REQUEST', 'the body is not valid JSON'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'URI_TOO_LONG', 'a path segment of the URL is too long'],
  FST_ERR_BAD_URL: [400, 'BAD_REQUEST', 'the URL is not valid (bad percent-encoding)'],
};

/** A Fastify 4xx error as the one body; undefined for anything else. */
export function fastifyRefusal(err: FastifyError): ErrorBody | undefined {
  const known = typeof err.code === 'string' ? FASTIFY_REFUSALS[err.code] : undefined;
  if (known) return errorBody(...known);
  const status = err.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  return errorBody(status, 'BAD_REQUEST', `the request was refused (${reasonOf(status)})`);
}

/** Node's refusals before any request exists, by its error code. */
const CLIENT_ERRORS: Record<string, [number, FrameworkCode, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'the request line or headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'the request did not arrive in full in time'],
  ERR_HTTP_HEADERS_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'the request headers did not arrive in time'],
};

/**
 * Requests refused before any route (Node's 408/431 and malformed HTTP, the router's
 * 414 and bad URLs): no route means no audit row, so they are counted, by code, and
 * exposed on `/metrics` as `heatnet_http_refused_before_routing_total`.
 */
export class DoorCounts {
  private readonly counts = new Map<string, number>();

  add(code: string): number {
    const n = (this.counts.get(code) ?? 0) + 1;
    this.counts.set(code, n);
    return n;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** The Prometheus text of the counter family. */
  prometheus(): string {
    const name = 'heatnet_http_refused_before_routing_total';
    const lines = [...this.counts].map(([code, n]) => `${name}{code="${code}"} ${n}`);
    return [
      `# HELP ${name} HTTP requests refused before routing (timeouts, oversized, malformed), by code`,
      `# TYPE ${name} counter`,
      ...lines,
      '',
    ].join('\n');
  }
}

/**
 * Node's `clientError`: the request never reached Fastify (oversized request line or
 * headers, a timeout, bytes that are not HTTP). There is no route, so no audit row: it
 * is counted and logged (without the request's bytes) and answered in the one shape.
 */
export function clientErrorAnswer(
  err: Error & { code?: string },
  socket: Socket,
  log: Logger,
  counts: DoorCounts,
): void {
  const [status, code, message] = CLIENT_ERRORS[err.code ?? ''] ?? [
    400,
    'BAD_REQUEST',
    'the request is not valid HTTP',
  ];
  const count = counts.add(code);
  log.warn({ code, status, count, remote: socket.remoteAddress }, 'request refused before routing');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const payload = JSON.stringify(errorBody(status, code, message));
  socket.end(
    `HTTP/1.1 ${status} ${reasonOf(status)}\r\nConnection: close\r\n` +
      `Content-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
  );
}
