import { signal } from '@preact/signals';
import { authHeaders, token } from './api.ts';
import { ALL_PARTS, has, type Part, refresh } from './state.ts';

/**
 * The live link: `GET /api/events` read with fetch() (EventSource cannot send the bearer
 * token), reconnecting by itself with backoff. Each event names what changed; the parts it
 * touches are fetched again, a few at a time. Without the stream (an older server, a
 * proxy that refuses it) the console polls instead, and says so.
 */
export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'polling';
export const liveState = signal<LiveState>('connecting');
export const POLL_S = 5;

/** Which parts an event touches, by the start of its name (readings, balance, ticket …). */
const TOUCHES: [RegExp, Part[]][] = [
  [/^snapshot/, ALL_PARTS],
  [/^reading/, ['substations']],
  [/^(balance|evaluation)/, ['balance', 'substations']],
  [/^(audit|control)/, ['audit', 'auto', 'substations']],
  [/^auto/, ['auto']],
  [/^(complaint|incident|ticket|sla)/, ['desk']],
  [/^(alert|silence|oncall)/, ['alerts']],
];

const pending = new Set<Part>();
let flushTimer: ReturnType<typeof setTimeout> | undefined;

/** Gathers what events touch and fetches it once per 300 ms, however many events came. */
function touch(event: string): void {
  for (const [pattern, parts] of TOUCHES)
    if (pattern.test(event)) for (const p of parts) pending.add(p);
  if (flushTimer !== undefined || pending.size === 0) return;
  flushTimer = setTimeout(() => {
    flushTimer = undefined;
    const parts = [...pending];
    pending.clear();
    void refresh(parts);
  }, 300);
}

/** Splits an SSE byte stream into events (WHATWG server-sent events, the parts used). */
export function sseParser(onEvent: (name: string, data: string) => void) {
  let buffer = '';
  return (chunk: string) => {
    buffer += chunk.replace(/\r\n?/g, '\n');
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') name = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0 || name !== 'message') onEvent(name, data.join('\n'));
      end = buffer.indexOf('\n\n');
    }
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One connection: resolves when the stream ends; 'absent' when the server has no stream. */
async function connectOnce(abort: AbortSignal): Promise<'ended' | 'absent'> {
  const response = await fetch('/api/events', {
    headers: { accept: 'text/event-stream', ...authHeaders() },
    signal: abort,
    cache: 'no-store',
  });
  if (response.status === 404) return 'absent';
  if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
  liveState.value = 'open';
  // What happened while we were away: everything, once (the server's snapshot may say so too).
  void refresh(ALL_PARTS);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const feed = sseParser((name) => touch(name));
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return 'ended';
    feed(value);
  }
}

let controller: AbortController | undefined;

/** Runs the live link until the page goes; a new token restarts it with the new header. */
export async function startLive(): Promise<void> {
  controller?.abort();
  const mine = new AbortController();
  controller = mine;
  if (!has('events')) return poll(mine.signal);
  let failures = 0;
  while (!mine.signal.aborted) {
    try {
      const outcome = await connectOnce(mine.signal);
      if (outcome === 'absent') return poll(mine.signal);
      failures = 0;
    } catch {
      if (mine.signal.aborted) return;
      failures += 1;
    }
    liveState.value = 'reconnecting';
    // 1, 2, 4 … 15 s, with jitter so a room of consoles does not return in step.
    const backoff = Math.min(15_000, 1000 * 2 ** Math.min(failures, 4));
    await sleep(backoff * (0.75 + Math.random() * 0.5));
  }
}

async function poll(abort: AbortSignal): Promise<void> {
  liveState.value = 'polling';
  while (!abort.aborted) {
    await sleep(POLL_S * 1000);
    await refresh(['balance', 'substations', 'audit', 'auto', 'desk', 'alerts']);
  }
}

let lastToken = token.peek();
token.subscribe((value) => {
  if (value === lastToken) return;
  lastToken = value;
  liveState.value = 'connecting';
  void startLive();
});
