import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHeatnetError } from '../../src/core/errors.ts';
import type { Reading } from '../../src/core/reading.ts';
import { InfluxV1Transport } from '../../src/storage/influx/v1.ts';
import { InfluxV2Transport } from '../../src/storage/influx/v2.ts';
import {
  failureKind,
  type LineTransport,
  rejectionStatus,
  retryDelayMs,
} from '../../src/storage/transport.ts';
import { BatchingWriter } from '../../src/storage/writer.ts';
import { type InfluxdHandle, startInfluxd } from '../support/influxd.ts';

/**
 * 413 and 400 through the real HTTP transports (v1 /write and the official v2 client).
 * A real InfluxDB cannot be made to answer 413 on demand, so a small node:http server
 * plays one: it refuses requests over a line limit with 413 and lines tagged `kind=BAD`
 * with 400 — either storing the rest first, like InfluxDB 1.x's "partial write", or
 * nothing, like 2.x. The 400 of a real InfluxDB 1.x (a field type conflict) is tested too.
 */

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
}

/** Answers like InfluxDB would to oversized requests and bad lines; records the rest. */
class FakeInflux {
  readonly stored: string[] = [];
  /** Lines per request, in the order they came. */
  readonly requests: number[] = [];
  maxLines = 100_000;
  /** Store the good lines of a request with bad ones (1.x) or nothing (2.x). */
  partial = true;
  /** Answer the next request with 429 and this Retry-After. */
  busy: string | undefined;
  url = '';
  private readonly server: Server = createServer((req, res) => {
    void body(req).then((text) =>
      this.answer(
        text.split('\n').filter((l) => l !== ''),
        res,
      ),
    );
  });

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset(maxLines: number, partial: boolean): void {
    this.stored.length = 0;
    this.requests.length = 0;
    this.maxLines = maxLines;
    this.partial = partial;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  private answer(lines: string[], res: ServerResponse): void {
    this.requests.push(lines.length);
    if (this.busy !== undefined) {
      res.writeHead(429, { 'retry-after': this.busy, 'content-type': 'application/json' });
      res.end('{"error":"too many requests"}');
      this.busy = undefined;
      return;
    }
    if (lines.length > this.maxLines) {
      res.writeHead(413, { 'content-type': 'application/json' });
      res.end('{"error":"Request Entity Too Large"}');
      return;
    }
    const bad = lines.filter((l) => l.includes('kind=BAD'));
    if (bad.length === 0 || this.partial)
      this.stored.push(...lines.filter((l) => !bad.includes(l)));
    if (bad.length === 0) {
      res.writeHead(204).end();
      return;
    }
    const why = `unable to parse '${bad[0]}': invalid field`;
    const answer = this.partial
      ? { error: `partial write: ${why} dropped=${bad.length}` }
      : { code: 'invalid', message: why };
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  }
}

const T0 = 1_700_000_000_000;
const reading = (i: number, bad = false): Reading => ({
  measurement: 'm',
  tags: { kind: bad ? 'BAD' : 'ok' },
  fields: { n: i },
  time: T0 + i,
});
const lineOf = (i: number, bad = false) => `m,kind=${bad ? 'BAD' : 'ok'} n=${i} ${T0 + i}`;

/** A logger whose records can be read back. */
function capturingLogger() {
  const records: { msg: string; firstLine?: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const l of chunk.toString().split('\n')) if (l) records.push(JSON.parse(l));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), records };
}

async function writeThrough(transport: LineTransport, readings: Reading[]) {
  const { log, records } = capturingLogger();
  const writer = new BatchingWriter(
    transport,
    { batchSize: 5000, flushIntervalMs: 60_000, maxBufferedLines: 100_000 },
    log,
  );
  writer.write(readings);
  await writer.flush();
  await writer.stop();
  return { health: writer.health(), records };
}

const transports = {
  'v1 /write': (url: string) => new InfluxV1Transport({ url, version: 1, db: 'heatnet' }),
  'v2 client': (url: string) =>
    new InfluxV2Transport({ url, version: 2, org: 'o', bucket: 'b', token: 't' }),
};

describe.each(Object.entries(transports))('storage errors through %s (fake server)', (_, make) => {
  const fake = new FakeInflux();
  beforeAll(() => fake.start());
  afterAll(() => fake.close());

  it('splits a batch answered with 413 until it fits; every line arrives once', async () => {
    fake.reset(1500, false);
    const n = 5000;
    const { health } = await writeThrough(
      make(fake.url),
      Array.from({ length: n }, (_, i) => reading(i)),
    );
    expect(fake.stored).toEqual(Array.from({ length: n }, (_, i) => lineOf(i)));
    expect(fake.requests).toEqual([5000, 2500, 1250, 1250, 2500, 1250, 1250]);
    expect(health).toMatchObject({ writtenLines: n, rejectedLines: 0, state: 'ok' });
  });

  it.each([true, false])(
    'drops only the lines answered with 400 (partial write: %s), logs the first once',
    async (partial) => {
      fake.reset(100_000, partial);
      const badAt = new Set([17, 1800, 1801, 4999]);
      const readings = Array.from({ length: 5000 }, (_, i) => reading(i, badAt.has(i)));
      const { health, records } = await writeThrough(make(fake.url), readings);
      const good = Array.from({ length: 5000 }, (_, i) => i).filter((i) => !badAt.has(i));
      expect([...new Set(fake.stored)].sort()).toEqual(good.map((i) => lineOf(i)).sort());
      expect(health).toMatchObject({
        rejectedLines: 4,
        writtenLines: 4996,
        state: 'ok',
        lastError: null,
      });
      const logged = records.filter((r) => r.msg === 'storage rejected lines; dropped');
      expect(logged).toHaveLength(1);
      expect(logged[0]?.firstLine).toBe(lineOf(17, true));
    },
  );
});

describe.each(Object.entries(transports))('Retry-After through %s', (_, make) => {
  const fake = new FakeInflux();
  beforeAll(() => fake.start());
  afterAll(() => fake.close());

  async function rejectionAfter(header: string) {
    fake.reset(100_000, true);
    fake.busy = header;
    const err = await make(fake.url)
      .send([lineOf(1)])
      .catch((e: unknown) => e);
    expect(isHeatnetError(err, 'STORAGE_REJECTED')).toBe(true);
    expect(rejectionStatus(err)).toBe(429);
    expect(failureKind(err)).toBe('retry');
    return retryDelayMs(err);
  }

  it('reads "2" as 2000 ms', async () => {
    expect(await rejectionAfter('2')).toBe(2000);
  });

  it('reads an HTTP-date a minute ahead as the time left until then', async () => {
    // Made when the request is sent, not when the file loads: a loaded machine may take
    // long between the two. An HTTP-date has whole seconds (up to 1 s lost), and the
    // time the request itself takes passes too.
    const sentAt = Date.now();
    const delay = await rejectionAfter(new Date(sentAt + 60_000).toUTCString());
    const took = Date.now() - sentAt;
    expect(delay).toBeGreaterThanOrEqual(59_000 - took);
    expect(delay).toBeLessThanOrEqual(60_000);
  });
});

describe('storage errors against a real InfluxDB 1.x', () => {
  let influx: InfluxdHandle;
  beforeAll(async () => {
    influx = await startInfluxd();
    await influx.createDatabase('heatnet');
  });
  afterAll(() => influx?.destroy());

  it('drops only the points of a field type conflict and stores the rest', async () => {
    const transport = () => new InfluxV1Transport({ url: influx.url, version: 1, db: 'heatnet' });
    // `level` is an integer field first …
    await writeThrough(transport(), [
      {
        measurement: 'tank',
        tags: { id: 't0' },
        fields: { level: 1 },
        intFields: new Set(['level']),
        time: T0,
      },
    ]);
    // … so later float values of it conflict, mixed among good points.
    const conflict = new Set([3, 250, 251, 999]);
    const readings = Array.from(
      { length: 1000 },
      (_, i): Reading =>
        conflict.has(i)
          ? { measurement: 'tank', tags: { id: `t${i}` }, fields: { level: i + 0.5 }, time: T0 + i }
          : { measurement: 'flow', tags: { id: `f${i % 10}` }, fields: { v: i }, time: T0 + i },
    );
    const { health, records } = await writeThrough(transport(), readings);
    expect(health).toMatchObject({ rejectedLines: 4, writtenLines: 996, lastError: null });
    const count = await influx.query('SELECT count(v) FROM flow', 'heatnet');
    expect(count[0]?.values[0]?.[1]).toBe(996);
    const tank = await influx.query('SELECT count(level) FROM tank', 'heatnet');
    expect(tank[0]?.values[0]?.[1]).toBe(1);
    const logged = records.filter((r) => r.msg === 'storage rejected lines; dropped');
    expect(logged).toHaveLength(1);
    expect(logged[0]?.firstLine).toMatch(/^tank,id=t3 level=3\.5 /);
  });
});
