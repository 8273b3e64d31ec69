/**
 * Reads a server-sent-events stream the way the console does: `fetch()` with headers (the
 * browser's EventSource cannot send a token), parsing frames as they arrive.
 */
export interface SseFrame {
  id: string | null;
  event: string;
  data: string;
  /** A comment line (`: …`, the heartbeat), when the frame is only that. */
  comment: string | null;
  retry: number | null;
}

export interface SseStream {
  status: number;
  headers: Headers;
  frames: SseFrame[];
  /** Resolves when the server ends the stream (true) — never rejects. */
  ended: Promise<boolean>;
  /** The first frame after `from` that matches, waiting for it if needed. */
  next(match: (f: SseFrame) => boolean, from?: number, timeoutMs?: number): Promise<SseFrame>;
  close(): void;
}

export function parseFrame(block: string): SseFrame {
  const frame: SseFrame = { id: null, event: 'message', data: '', comment: null, retry: null };
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const [field, value] = [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, '')];
    if (field === 'id') frame.id = value;
    else if (field === 'event') frame.event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry') frame.retry = Number(value);
  }
  frame.data = data.join('\n');
  return frame;
}

export async function openSse(
  url: string,
  headers: Record<string, string> = {},
): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const frames: SseFrame[] = [];
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };
  const ended = (async () => {
    if (!res.body) return true;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          frames.push(parseFrame(buffer.slice(0, end)));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
        wake();
      }
      return true;
    } catch {
      return false;
    } finally {
      wake();
    }
  })();
  let done = false;
  void ended.then(() => {
    done = true;
  });
  async function next(match: (f: SseFrame) => boolean, from = 0, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = frames.slice(from).find(match);
      if (found) return found;
      if (done) throw new Error('the stream ended before the frame came');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a frame');
      await new Promise<void>((resolve) => {
        const w = () => {
          waiters.delete(w);
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(w, left);
        waiters.add(w);
      });
    }
  }
  return {
    status: res.status,
    headers: res.headers,
    frames,
    ended,
    next,
    close: () => abort.abort(),
  };
}

export const eventNamed = (name: string) => (f: SseFrame) => f.event === name;
