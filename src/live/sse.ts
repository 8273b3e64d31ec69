import type { LiveEventName } from './events-contract.ts';

/**
 * Where one client's stream is written: the HTTP layer adapts its response to this, so
 * the hub knows nothing of Fastify (and tests drive it with a plain object).
 */
export interface StreamSink {
  /** Queues a chunk; false once the socket's buffer is past its high-water mark. */
  write(chunk: string): boolean;
  /** Bytes written but not yet taken by the socket. */
  bufferedBytes(): number;
  /** Calls `fn` once when the buffer has drained. */
  onceDrained(fn: () => void): void;
  /** Ends the response; the client sees the stream close and reconnects. */
  end(): void;
}

/** One event frame's name and serialised payload, built once per broadcast. */
export interface Frame {
  event: LiveEventName;
  data: string;
}

/** How long a client waits before reconnecting (the `retry:` hint, ms). */
export const RETRY_MS = 3000;

/** The frame `data:` line: JSON has no raw newlines, so one line always suffices. */
const frameText = (id: number, f: Frame) => `id: ${id}\nevent: ${f.event}\ndata: ${f.data}\n\n`;

/**
 * One connected client. A client that reads slower than events come would make the
 * server buffer without bound; instead, once its unsent bytes pass `maxBufferedBytes`,
 * it is marked lagging: events for it are dropped (not queued) until its socket drains,
 * then it gets a fresh snapshot (`reason: resync`) and follows the stream from there.
 * Memory per client is thus bounded by about `maxBufferedBytes` plus one snapshot.
 */
export class LiveClient {
  private nextId = 1;
  private mode: 'snapshot' | 'live' | 'lagging' | 'closed' = 'snapshot';
  /** Events that came while a snapshot was being built, sent right after it. */
  private held: Frame[] = [];
  /** Frames dropped while lagging (for the logs and tests). */
  dropped = 0;
  resyncs = 0;

  constructor(
    private readonly sink: StreamSink,
    private readonly maxBufferedBytes: number,
    /** Builds the frame of a fresh snapshot (async: it reads the store). */
    private readonly snapshot: (reason: 'connect' | 'resync') => Promise<Frame>,
    private readonly onError: (err: unknown) => void,
  ) {}

  get isClosed(): boolean {
    return this.mode === 'closed';
  }

  /** Sends the retry hint and the first snapshot. */
  async open(): Promise<void> {
    this.sink.write(`retry: ${RETRY_MS}\n\n`);
    await this.sendSnapshot('connect');
  }

  send(frame: Frame): void {
    if (this.mode === 'snapshot') {
      // The snapshot may have read its state before this event: send it after, so
      // nothing is missed (a repeat is harmless: every event replaces what it names).
      if (this.held.length < MAX_HELD) this.held.push(frame);
      else this.startLagging();
      return;
    }
    if (this.mode === 'lagging') this.dropped++;
    if (this.mode !== 'live') return;
    if (this.sink.bufferedBytes() > this.maxBufferedBytes) {
      this.startLagging();
      return;
    }
    this.sink.write(frameText(this.nextId++, frame));
  }

  /** A comment line: keeps proxies and idle timers from closing a quiet stream. */
  heartbeat(at: string): void {
    if (this.mode !== 'live') return;
    this.sink.write(`: hb ${at}\n\n`);
  }

  close(): void {
    if (this.mode === 'closed') return;
    this.mode = 'closed';
    this.held = [];
    this.sink.end();
  }

  /** Too far behind: drop what comes until the socket drains, then start from a snapshot. */
  private startLagging(): void {
    this.mode = 'lagging';
    this.held = [];
    this.dropped++;
    this.sink.onceDrained(() => {
      if (this.mode !== 'lagging') return;
      this.resyncs++;
      void this.sendSnapshot('resync');
    });
  }

  private async sendSnapshot(reason: 'connect' | 'resync'): Promise<void> {
    this.mode = 'snapshot';
    try {
      const frame = await this.snapshot(reason);
      if (this.mode !== 'snapshot') return;
      this.sink.write(frameText(this.nextId++, frame));
      const held = this.held;
      this.held = [];
      this.mode = 'live';
      for (const f of held) this.send(f);
    } catch (err) {
      this.onError(err);
      this.close();
    }
  }
}

/** Events held while one snapshot is built; more means the client starts over. */
const MAX_HELD = 1000;
