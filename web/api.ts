import { signal } from '@preact/signals';

/**
 * The console's one way to the API: same origin, the session's bearer token if there is
 * one (issue 13: entered once per browser session, kept in sessionStorage), JSON both ways.
 */
const TOKEN_KEY = 'heatnet.token';

export const token = signal<string | null>(readToken());

function readToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(value: string | null): void {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
  token.value = value;
}

/** An answer that was not 2xx, with the API's error body (code, message, field, auditId). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
}

export interface ApiErrorBody {
  statusCode?: number;
  code: string;
  message: string;
  field?: string;
  auditId?: number;
}

export function authHeaders(): Record<string, string> {
  return token.value ? { authorization: `Bearer ${token.value}` } : {};
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const body = (parsed ?? {}) as Partial<ApiErrorBody>;
    throw new ApiError(response.status, {
      ...body,
      code: body.code ?? `HTTP_${response.status}`,
      message: body.message ?? response.statusText,
    });
  }
  return parsed as T;
}

/** GET that answers null for a route this service does not have (404 of the route). */
export async function optional<T>(path: string): Promise<T | null> {
  try {
    return await api<T>(path);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 403)) return null;
    throw err;
  }
}
