import { signal } from '@preact/signals';
import type { LiveEvents } from '../src/live/events-contract.ts';
import { authHeaders, token } from './api.ts';
import {
  applyBalance,
  applyClock,
  audit,
  auto,
  coreAlerts,
  has,
  type Part,
  refresh,
  substations,
} from './state.ts';

/**
 * The live link: `GET /api/events` read with fetch() (EventSource cannot send the bearer
 * token; src/live/events-contract.ts is the contract), reconnecting by itself with
 * backoff. Events that carry what the screen shows (snapshot, readings, balance, audit)
 * update it directly; the others say which part to fetch again, a few at a time. Without
 * the stream (a service without it) the console polls instead, and says so.
 */
export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'polling';
export const liveState = signal<LiveState>('connecting');
export const POLL_S = 5;

/** Which parts an event leaves to a fetch (the rest it carries itself). */
const TOUCHES: Record<string, Part[]> = {
  snapshot: ['audit', 'desk', 'alerts'],
  audit: ['auto'],
  complaint: ['desk'],
  incident: ['desk'],
  ticket: ['desk'],
  alert: ['alerts'],
  device: [],
};

/** No byte for this long (two heartbeats of ~15 s, and some): the link is dead. */
const SILENCE_MS = 35_000;

const pending = new Set<Part>();
let flushTimer: ReturnType<typeof setTimeout> | undefined;

/** Gathers what events touch and fetches it once per 300 ms, however many events came. */
function touch(event: string): void {
  for (const p of TOUCHES[event] ?? []) pending.add(p);
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

type Handlers = { [K in keyof LiveEvents]?: (data: LiveEvents[K]) => void };

const HANDLERS: Handlers = {
  snapshot: (d) => {
    applyClock(d.site.clock);
    if (d.balance) applyBalance(d.balance);
    substations.value = d.substations;
    if (d.auto) auto.value = d.auto;
    coreAlerts.value = d.alerts;
  },
  alert: (d) => {
    if (d.kind === 'changed') return;
    const rest = coreAlerts.value.filter(
      (a) => a.source !== d.alert.source || a.code !== d.alert.code,
    );
    coreAlerts.value = d.kind === 'raised' ? [...rest, d.alert] : rest;
  },
  readings: (d) => {
    const fresh = new Map(d.substations.map((s) => [s.id, s]));
    substations.value = substations.value.map((s) => fresh.get(s.id) ?? s);
  },
  balance: (d) => applyBalance(d),
  audit: (row) => {
    const rest = audit.value.filter((e) => e.id !== row.id);
    audit.value = [row, ...rest].sort((a, b) => b.id - a.id).slice(0, 200);
  },
};

/** One event off the wire: shown at once if it carries its data, else fetched. */
function dispatch(name: string, data: string): void {
  const handle = HANDLERS[name as keyof LiveEvents] as ((d: unknown) => void) | undefined;
  if (handle) handle(JSON.parse(data));
  touch(name);
}

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
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const feed = sseParser(dispatch);
  // A link that went silent (a cable pulled, a proxy that holds it) is dropped and redone.
  let watchdog = setTimeout(() => void reader.cancel(), SILENCE_MS);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return 'ended';
      clearTimeout(watchdog);
      watchdog = setTimeout(() => void reader.cancel(), SILENCE_MS);
      feed(value);
    }
  } finally {
    clearTimeout(watchdog);
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
    if (mine.signal.aborted) return;
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
