import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { type LineTransport, rejected } from '../../src/storage/transport.ts';
import { BatchingWriter, type WriterOptions } from '../../src/storage/writer.ts';

/** In-memory transport: records every attempt; fails as told; can hold a send open. */
class FakeTransport implements LineTransport {
  readonly kind = 'influx-v1' as const;
  readonly target = 'fake://db';
  readonly attempts: string[][] = [];
  readonly delivered: string[][] = [];
  /** Outcomes of the next attempts, in order; after them, `always` (or success). */
  readonly failures: Error[] = [];
  always: Error | undefined;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  closed = false;

  /** Lines the server calls invalid: a batch with any of them gets a 400. */
  refuse: ((line: string) => boolean) | undefined;

  async send(lines: readonly string[]): Promise<void> {
    this.attempts.push([...lines]);
    const failure = this.failures.shift() ?? this.always;
    if (this.gate) await this.gate;
    if (failure) throw failure;
    const refuse = this.refuse;
    if (refuse && lines.some((l) => refuse(l))) {
      throw rejected('HTTP 400: unable to parse', 400);
    }
    this.delivered.push([...lines]);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Holds every send until release() is called. */
  hold(): void {
    this.gate = new Promise((resolve) => {
      this.openGate = resolve;
    });
  }

  release(): void {
    this.gate = undefined;
    this.openGate?.();
  }

  deliveredLines(): string[] {
    return this.delivered.flat();
  }
}

const T0 = 1_700_000_000_000;
const reading = (i: number): Reading => ({
  measurement: 'm',
  tags: { s: 'S01' },
  fields: { n: i },
  time: T0 + i,
});
const line = (i: number) => `m,s=S01 n=${i} ${T0 + i}`;
const readings = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => reading(from + k));
const lines = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => line(from + k));

const writers: BatchingWriter[] = [];

function makeWriter(
  transport: LineTransport,
  options: Partial<WriterOptions> = {},
): BatchingWriter {
  const w = new BatchingWriter(
    transport,
    { batchSize: 3, flushIntervalMs: 60_000, maxBufferedLines: 1000, ...options },
    silentLogger(),
  );
  writers.push(w);
  return w;
}

afterEach(async () => {
  // Stop timers of writers a test left running; their transports no longer fail.
  for (const w of writers.splice(0)) await w.stop().catch(() => undefined);
});

const waitFor = (check: () => void) => vi.waitFor(check, { timeout: 2000, interval: 5 });

describe('BatchingWriter batching', () => {
  it('sends full batches of batchSize at once, one in flight at a time, and keeps the rest', async () => {
    const t = new FakeTransport();
    const w = makeWriter(t, { batchSize: 3 });
    w.write(readings(0, 7));
    await waitFor(() => expect(t.attempts).toHaveLength(2));
    expect(t.delivered).toEqual([lines(0, 3), lines(3, 6)]);
    expect(w.health().backlogLines).toBe(1);
    await w.flush();
    expect(t.delivered).toEqual([lines(0, 3), lines(3, 6), lines(6, 7)]);
    expect(w.health()).toMatchObject({ backlogLines: 0, writtenLines: 7 });
  });

  it('does not send a partial batch before the interval', async () => {
    const t = new FakeTransport();
    const w = makeWriter(t, { batchSize: 3 });
    await w.start();
    w.write(readings(0, 2));
    await new Promise((r) => setTimeout(r, 30));
    expect(t.attempts).toEqual([]);
  });

  it('flushes a partial batch on the interval', async () => {
    const t = new FakeTransport();
    const w = makeWriter(t, { batchSize: 100, flushIntervalMs: 20 });
    await w.start();
    w.write(readings(0, 2));
    expect(t.attempts).toEqual([]);
    await waitFor(() => expect(t.delivered).toEqual([lines(0, 2)]));
    w.write(readings(2, 3));
    await waitFor(() => expect(t.delivered).toEqual([lines(0, 2), lines(2, 3)]));
  });

  it('buffers nothing for readings without a writable field', async () => {
    const t = new FakeTransport();
    const w = makeWriter(t);
    w.write([{ measurement: 'm', tags: {}, fields: { n: Number.NaN }, time: T0 }]);
    expect(w.health().backlogLines).toBe(0);
    await w.flush();
    expect(t.attempts).toEqual([]);
  });
});

describe('BatchingWriter failures', () => {
  it('keeps lines after a retryable error and retries later, in order', async () => {
    const t = new FakeTransport();
    t.failures.push(rejected('HTTP 503: busy', 503, 20));
    const w = makeWriter(t, { batchSize: 2, flushIntervalMs: 10 });
    await w.start();
    w.write(readings(0, 2));
    // The failure is booked a few microtasks after the attempt: wait for the booking.
    await waitFor(() => expect(w.health().failedAttempts).toBe(1));
    w.write(readings(2, 4));
    expect(w.health()).toMatchObject({
      state: 'retrying',
      backlogLines: 4,
      failedAttempts: 1,
      lastError: 'HTTP 503: busy',
      writtenLines: 0,
    });
    await waitFor(() => expect(t.deliveredLines()).toEqual(lines(0, 4)));
    expect(t.attempts[0]).toEqual(lines(0, 2));
    expect(t.attempts[1]).toEqual(lines(0, 2));
    expect(w.health()).toMatchObject({ state: 'ok', lastError: null, writtenLines: 4 });
  });

  it('waits out Retry-After instead of retrying at the next tick', async () => {
    const t = new FakeTransport();
    t.failures.push(rejected('HTTP 429', 429, 200));
    const w = makeWriter(t, { batchSize: 1, flushIntervalMs: 10 });
    await w.start();
    const before = Date.now();
    w.write(readings(0, 1));
    await waitFor(() => expect(t.delivered).toHaveLength(1));
    // Jitter is ±20 %: never before 160 ms.
    expect(Date.now() - before).toBeGreaterThanOrEqual(150);
    expect(t.attempts).toHaveLength(2);
  });

  it('treats a plain Error (network failure) as retryable', async () => {
    const t = new FakeTransport();
    t.failures.push(new Error('connect ECONNREFUSED'));
    const w = makeWriter(t, { batchSize: 2 });
    w.write(readings(0, 2));
    await waitFor(() => expect(w.health().failedAttempts).toBe(1));
    expect(w.health()).toMatchObject({ state: 'retrying', backlogLines: 2, rejectedLines: 0 });
    await w.flush();
    expect(t.deliveredLines()).toEqual(lines(0, 2));
  });

  // Changed with the spool (issue 4): a 400 drops only the offending lines, found by halving
  // the batch, not the whole batch.
  it('drops only the lines the server rejects as invalid (400), counts them and goes on', async () => {
    const t = new FakeTransport();
    t.refuse = (l) => l === line(1);
    const w = makeWriter(t, { batchSize: 4 });
    w.write(readings(0, 4));
    await w.flush();
    expect(t.deliveredLines()).toEqual([line(0), line(2), line(3)]);
    expect(w.health()).toMatchObject({
      state: 'ok',
      rejectedLines: 1,
      writtenLines: 3,
      backlogLines: 0,
      failedAttempts: 0,
      lastError: null,
    });
  });

  it('keeps the lines on 401 and pauses writes instead of retrying at every tick', async () => {
    const t = new FakeTransport();
    t.failures.push(rejected('HTTP 401: unauthorized', 401));
    const w = makeWriter(t, { batchSize: 2, flushIntervalMs: 10 });
    await w.start();
    w.write(readings(0, 2));
    await waitFor(() => expect(w.health().failedAttempts).toBe(1));
    await new Promise((r) => setTimeout(r, 60));
    expect(t.attempts).toHaveLength(1);
    expect(w.health()).toMatchObject({
      backlogLines: 2,
      rejectedLines: 0,
      lastError: 'HTTP 401: unauthorized',
    });
    expect(w.health().state).not.toBe('ok');
    // An explicit flush tries again (credentials fixed).
    await w.flush();
    expect(t.deliveredLines()).toEqual(lines(0, 2));
  });

  it('keeps the lines on 403 too', async () => {
    const t = new FakeTransport();
    t.failures.push(rejected('HTTP 403', 403));
    const w = makeWriter(t, { batchSize: 1 });
    w.write(readings(0, 1));
    await waitFor(() => expect(w.health().failedAttempts).toBe(1));
    expect(w.health()).toMatchObject({ backlogLines: 1, rejectedLines: 0, authFailed: true });
  });

  it('flush() gives up after a failed attempt rather than spinning', async () => {
    const t = new FakeTransport();
    t.always = rejected('HTTP 503', 503);
    const w = makeWriter(t, { batchSize: 10 });
    w.write(readings(0, 3));
    await w.flush();
    expect(t.attempts).toHaveLength(1);
    expect(w.health().backlogLines).toBe(3);
  });
});

describe('BatchingWriter memory bound', () => {
  it('drops the oldest lines beyond maxBufferedLines and counts them', async () => {
    const t = new FakeTransport();
    const w = makeWriter(t, { batchSize: 100, maxBufferedLines: 5 });
    w.write(readings(0, 8));
    expect(w.health()).toMatchObject({ droppedLines: 3, backlogLines: 5 });
    await w.flush();
    expect(t.deliveredLines()).toEqual(lines(3, 8));
  });

  // Dropping the oldest lines while a batch is in flight (a full buffer: exactly when the database
  // is slow) must not make the batch's success remove unsent lines: every line ends up delivered,
  // dropped or buffered, and counted once.
  it('never loses an unsent line when dropping while a batch is in flight', async () => {
    const t = new FakeTransport();
    t.hold();
    const w = makeWriter(t, { batchSize: 2, maxBufferedLines: 3 });
    w.write(readings(0, 2)); // batch [0, 1] in flight
    await waitFor(() => expect(t.attempts).toHaveLength(1));
    w.write(readings(2, 4)); // 4 lines > 3: the oldest one is dropped
    t.release();
    await w.flush();
    const h = w.health();
    const sent = t.deliveredLines();
    // Every line is either delivered or counted as dropped, and none twice.
    expect(sent.length + h.droppedLines + h.backlogLines).toBe(4);
    expect(sent).toContain(line(2));
    expect(sent).toContain(line(3));
  });
});

describe('BatchingWriter stop and health', () => {
  it('stop() sends what is left to the database and closes it', async () => {
    const t = new FakeTransport();
    const fallback = new FakeTransport();
    const w = makeWriter(t, { batchSize: 10, fallback });
    await w.start();
    w.write(readings(0, 4));
    await w.stop();
    expect(t.deliveredLines()).toEqual(lines(0, 4));
    expect(fallback.attempts).toEqual([]);
    expect(t.closed).toBe(true);
  });

  it('stop() with a failing database spools the remainder to the fallback, in order', async () => {
    const t = new FakeTransport();
    t.always = rejected('HTTP 503', 503);
    const fallback = new FakeTransport();
    const w = makeWriter(t, { batchSize: 2, fallback });
    w.write(readings(0, 5));
    await w.stop();
    expect(t.delivered).toEqual([]);
    expect(fallback.deliveredLines()).toEqual(lines(0, 5));
    expect(w.health().backlogLines).toBe(0);
    expect(t.closed).toBe(true);
  });

  it('stop() waits for the batch in flight before deciding what is left', async () => {
    const t = new FakeTransport();
    t.hold();
    const fallback = new FakeTransport();
    const w = makeWriter(t, { batchSize: 2, fallback });
    w.write(readings(0, 3));
    await waitFor(() => expect(t.attempts).toHaveLength(1));
    const stopped = w.stop();
    t.release();
    await stopped;
    expect(t.deliveredLines()).toEqual(lines(0, 3));
    expect(fallback.attempts).toEqual([]);
  });

  it('reports kind, target and counters', async () => {
    const t = new FakeTransport();
    const w = makeWriter(t, { batchSize: 2 });
    expect(w.health()).toEqual({
      kind: 'influx-v1',
      target: 'fake://db',
      state: 'ok',
      authFailed: false,
      backlogLines: 0,
      writtenLines: 0,
      rejectedLines: 0,
      droppedLines: 0,
      failedAttempts: 0,
      lastWriteAt: null,
      lastError: null,
      spool: null,
    });
    const before = Date.now();
    w.write(readings(0, 2));
    await waitFor(() => expect(w.health().writtenLines).toBe(2));
    const h = w.health();
    expect(h.lastWriteAt).toBeGreaterThanOrEqual(before);
    expect(h.lastWriteAt).toBeLessThanOrEqual(Date.now());
  });
});

describe('BatchingWriter with batches side by side (issue 14)', () => {
  it('sends up to maxInFlight full batches at once and puts a failed one back in front', async () => {
    const t = new FakeTransport();
    const w = makeWriter(t, { batchSize: 3, maxInFlight: 3, maxBackoffMs: 5 });
    t.hold();
    t.failures.push(new Error('connect ECONNREFUSED')); // the first batch fails
    const durable = w.accept(readings(0, 11));
    await waitFor(() => expect(t.attempts).toHaveLength(3));
    expect(t.attempts).toEqual([lines(0, 3), lines(3, 6), lines(6, 9)]);
    t.release();
    await waitFor(() => expect(w.health().failedAttempts).toBe(1));
    await w.flush(); // the retry (the interval timer is a minute away)
    await durable;
    // The failed batch went back before what was still buffered; every line arrived once.
    expect(t.deliveredLines().sort()).toEqual(lines(0, 11).sort());
    expect(t.attempts[3]).toEqual(lines(0, 3));
    expect(w.health()).toMatchObject({ backlogLines: 0, writtenLines: 11 });
  });
});
