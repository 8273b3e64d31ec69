import { ChannelError } from './channel.ts';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * One HTTP request with a timeout. No answer, a 5xx, 408 and 429 are worth retrying;
 * another 4xx is not (the request itself is wrong: a revoked key, a bad body).
 */
export async function request(
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string },
  timeoutMs: number,
): Promise<HttpAnswer> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = err instanceof Error ? (err.cause ?? err) : err;
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new ChannelError(`no answer from ${redactUrl(url)}: ${message}`, true);
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return { status: response.status, headers: response.headers, text };
  const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
  throw new ChannelError(
    `HTTP ${response.status} from ${redactUrl(url)}: ${text.slice(0, 200)}`,
    retryable,
    retryAfter(response.headers.get('retry-after')),
  );
}

/** Retry-After in seconds or as an HTTP date. */
function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** A robot URL carries its key in the query: never log it. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(url)';
  }
}

/** A JSON body, or a retryable error naming what came back instead. */
export function parseJson(answer: HttpAnswer, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(answer.text);
    if (value && typeof value === 'object') return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ChannelError(
    `${what} answered something that is not JSON: ${answer.text.slice(0, 100)}`,
    true,
  );
}
