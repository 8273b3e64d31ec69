import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Complaint, requestBody } from './complaints.ts';

/**
 * Where residents' calls go: a JSON-lines file, or heatnet's `POST /api/complaints`
 * as a hotline operator would post them (DESIGN §4.7), each with its idempotency key.
 */

/**
 * What one attempt came to. `unreachable` (no answer) and `unavailable` (5xx, 408, 429)
 * are worth another attempt with the same key; the others settle the call.
 */
export type Outcome = 'delivered' | 'not-found' | 'rejected' | 'unreachable' | 'unavailable';

export const RETRY_OUTCOMES: ReadonlySet<Outcome> = new Set(['unreachable', 'unavailable']);

export interface Attempt {
  outcome: Outcome;
  /** The HTTP status, when there was an answer. */
  status?: number;
  detail?: string;
}

export interface ComplaintSink {
  readonly target: string;
  /** One attempt; `signal` aborts it (the simulator stopping). Never throws. */
  send(call: Complaint, signal?: AbortSignal): Promise<Attempt>;
}

const HTTP_TIMEOUT_MS = 5_000;

/** `file:PATH` (JSON lines, appended) or an `http(s)://…/api/complaints` URL. */
export function createSink(target: string, token?: string): ComplaintSink {
  if (target.startsWith('file:')) return fileSink(target.slice('file:'.length));
  if (/^https?:\/\//.test(target)) return httpSink(target, token);
  throw new Error(`simulation.complaints.target "${target}": expected file:PATH or http(s)://…`);
}

function fileSink(path: string): ComplaintSink {
  let ready: Promise<unknown> | undefined;
  return {
    target: `file:${path}`,
    async send(call) {
      try {
        ready ??= mkdir(dirname(path), { recursive: true });
        await ready;
        await appendFile(path, `${JSON.stringify(call)}\n`);
        return { outcome: 'delivered' };
      } catch (err) {
        return { outcome: 'unreachable', detail: (err as Error).message };
      }
    },
  };
}

function httpSink(url: string, token?: string): ComplaintSink {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return {
    target: url,
    async send(call, signal) {
      const timeout = AbortSignal.timeout(HTTP_TIMEOUT_MS);
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { ...headers, 'idempotency-key': call.key },
          body: JSON.stringify(requestBody(call)),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        const text = await res.text();
        if (res.ok) return { outcome: 'delivered' };
        const detail = `HTTP ${res.status}: ${messageOf(text)}`;
        return { outcome: outcomeOf(res.status), status: res.status, detail };
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code;
        return { outcome: 'unreachable', detail: cause ?? (err as Error).message };
      }
    },
  };
}

/** 5xx, 408 and 429 say "later"; 404 says the route is missing; any other 4xx refuses the call. */
function outcomeOf(status: number): Outcome {
  if (status >= 500 || status === 408 || status === 429) return 'unavailable';
  return status === 404 ? 'not-found' : 'rejected';
}

/** The error body's message (heatnet answers `{ statusCode, message }`), else its start. */
function messageOf(text: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  } catch {
    // Not JSON: the text itself says what it can.
  }
  return text.slice(0, 200);
}
