import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { InfluxV2Transport } from '../../src/storage/influx/v2.ts';
import { BatchingWriter } from '../../src/storage/writer.ts';
import { eventually } from '../support/config.ts';
import { startVictoriaMetrics, type VictoriaMetricsHandle } from '../support/victoria.ts';

/**
 * The v2 write path as configured for production (batches of 5,000 lines, a flush at least
 * every second, gzip through the client's gzipThreshold) into VictoriaMetrics, a real
 * server implementing /api/v2/write (DESIGN §5). A pass-through proxy in front records
 * what went over the wire: lines per request and their encoding.
 */

interface Seen {
  at: number;
  lines: number;
  encoding: string | undefined;
}

/** Forwards every request to `target` unchanged and remembers what it carried. */
class RecordingProxy {
  readonly seen: Seen[] = [];
  url = '';
  private readonly server: Server = createServer((req, res) => void this.forward(req, res));

  constructor(private readonly target: string) {}

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const encoding = req.headers['content-encoding'];
    const text = (encoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
    this.seen.push({ at: Date.now(), lines: text.split('\n').filter(Boolean).length, encoding });
    // End-to-end headers only (no hop-by-hop ones such as transfer-encoding).
    const headers: Record<string, string> = {};
    for (const k of ['content-type', 'content-encoding', 'authorization', 'accept']) {
      const v = req.headers[k];
      if (typeof v === 'string') headers[k] = v;
    }
    try {
      const answer = await fetch(`${this.target}${req.url}`, {
        method: req.method,
        headers,
        body: raw,
      });
      const type = answer.headers.get('content-type') ?? 'text/plain';
      res.writeHead(answer.status, { 'content-type': type });
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch (err) {
      res.writeHead(502).end(String(err));
    }
  }
}

const T0 = Date.UTC(2024, 0, 15);
const reading = (i: number): Reading => ({
  measurement: 'v2test',
  tags: { series: `s${i % 5}` },
  fields: { n: i },
  time: T0 + i,
});

describe('storage v2 path into VictoriaMetrics', () => {
  let vm: VictoriaMetricsHandle;
  let proxy: RecordingProxy;
  let writer: BatchingWriter;

  beforeAll(async () => {
    vm = await startVictoriaMetrics();
    proxy = new RecordingProxy(vm.url);
    await proxy.start();
    const transport = new InfluxV2Transport({
      url: proxy.url,
      version: 2,
      org: 'heat',
      bucket: 'heatnet',
      token: 'test-token',
    });
    // The production settings (config defaults): 5,000 lines, 1 s.
    writer = new BatchingWriter(
      transport,
      { batchSize: 5000, flushIntervalMs: 1000, maxBufferedLines: 1_000_000 },
      silentLogger(),
    );
    await writer.start();
  });

  afterAll(async () => {
    await writer?.stop();
    await proxy?.close();
    await vm?.destroy();
  });

  // The client's own default flush interval is 60 s and the writer's is 1 s: the bounds
  // below tell the two apart with room for a loaded machine (issue 9: no test may depend on
  // speed), and the test's budget is 3× the longest of them.
  const FLUSH_BOUND_MS = 20_000;

  it(
    'sends full batches of 5,000 lines at once, gzipped, and the rest within a second',
    async () => {
      const start = Date.now();
      writer.write(Array.from({ length: 12_345 }, (_, i) => reading(i)));
      await eventually(() => proxy.seen.reduce((n, s) => n + s.lines, 0) === 12_345, {
        timeoutMs: FLUSH_BOUND_MS,
        what: 'all lines sent',
      });
      expect(proxy.seen.map((s) => s.lines)).toEqual([5000, 5000, 2345]);
      expect(proxy.seen.every((s) => s.encoding === 'gzip')).toBe(true);
      // The partial batch waited for the writer's interval timer (about a second), not
      // for the client's 60 s default.
      expect(proxy.seen[2]!.at - start).toBeLessThan(FLUSH_BOUND_MS);
      // The proxy sees the last batch before the writer has its answer: wait for that too.
      await eventually(() => writer.health().writtenLines === 12_345, {
        timeoutMs: FLUSH_BOUND_MS,
        what: 'the writer to count the last batch',
      });
      expect(writer.health()).toMatchObject({ writtenLines: 12_345, backlogLines: 0, state: 'ok' });
    },
    3 * FLUSH_BOUND_MS,
  );

  it(
    'flushes a trickle at least every second',
    async () => {
      const before = proxy.seen.length;
      const start = Date.now();
      writer.write([reading(20_000)]);
      await eventually(() => proxy.seen.length > before, {
        timeoutMs: FLUSH_BOUND_MS,
        what: 'a flush',
      });
      expect(Date.now() - start).toBeLessThan(FLUSH_BOUND_MS);
      // One line is under the client's gzipThreshold (1,000 bytes): sent plain.
      expect(proxy.seen.at(-1)).toMatchObject({ lines: 1, encoding: undefined });
    },
    3 * FLUSH_BOUND_MS,
  );

  it('stored every point with its value and time', async () => {
    await vm.flush();
    const res = await fetch(
      `${vm.url}/api/v1/export?${new URLSearchParams({ 'match[]': '{__name__="v2test_n"}' })}`,
    );
    const rows = (await res.text())
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { metric: { series: string }; values: number[]; timestamps: number[] },
      );
    expect(rows).toHaveLength(5);
    const points = rows.flatMap((r) =>
      r.values.map((v, k) => [v, r.timestamps[k], r.metric.series]),
    );
    expect(points).toHaveLength(12_346);
    for (const [v, t, series] of points) {
      expect(t).toBe(T0 + Number(v));
      expect(series).toBe(`s${Number(v) % 5}`);
    }
  });
});
