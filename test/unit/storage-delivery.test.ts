import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HeatnetError } from '../../src/core/errors.ts';
import { deliver } from '../../src/storage/delivery.ts';
import {
  classifyStatus,
  failureKind,
  type LineTransport,
  rejected,
  retryAfterMs,
  retryDelayMs,
} from '../../src/storage/transport.ts';

/**
 * How a batch gets past what the database will not take: a 413 is split until it fits, a
 * 400/422 is split until the bad lines stand alone and only they are dropped — including
 * InfluxDB 1.x's "partial write", which stores the good points and still answers 400.
 */

type Judge = (lines: readonly string[]) => HeatnetError | undefined;

/** A database that stores what `judge` lets through; `partial` mimics InfluxDB 1.x. */
class FakeDb implements LineTransport {
  readonly kind = 'influx-v1';
  readonly target = 'fake://db';
  readonly stored: string[] = [];
  requests = 0;

  constructor(
    private readonly judge: Judge,
    private readonly bad: (line: string) => boolean = () => false,
    private readonly partial = false,
  ) {}

  async send(lines: readonly string[]): Promise<void> {
    this.requests++;
    const refused = this.judge(lines);
    if (refused) throw refused;
    const bad = lines.filter(this.bad);
    if (bad.length === 0) {
      this.stored.push(...lines);
      return;
    }
    if (this.partial) this.stored.push(...lines.filter((l) => !this.bad(l)));
    const message = this.partial
      ? `HTTP 400: {"error":"partial write: field type conflict dropped=${bad.length}"}`
      : 'HTTP 400: {"error":"unable to parse"}';
    throw rejected(message, 400);
  }
}

const lines = (n: number) => Array.from({ length: n }, (_, i) => `m v=${i} ${i}`);
const noJudge: Judge = () => undefined;

describe('deliver: 413', () => {
  it('halves a batch the server finds too large until every piece fits, in order', async () => {
    const db = new FakeDb((l) => (l.length > 300 ? rejected('HTTP 413', 413) : undefined));
    const report = await deliver(db, lines(2000));
    expect(db.stored).toEqual(lines(2000));
    expect(report).toMatchObject({ written: 2000, rejected: 0 });
    // 1 + 2 + 4 refused, then 8 pieces of 250.
    expect(db.requests).toBe(15);
  });

  it('drops a single line that is too large on its own, and says so', async () => {
    const big = `m s="${'x'.repeat(100)}" 1`;
    const db = new FakeDb((l) =>
      l.some((x) => x === big) ? rejected('HTTP 413', 413) : undefined,
    );
    const report = await deliver(db, ['m v=1 1', big, 'm v=2 2']);
    expect(db.stored).toEqual(['m v=1 1', 'm v=2 2']);
    expect(report.rejected).toBe(1);
    expect(report.firstRejected?.line).toBe(big);
  });
});

describe('deliver: a database limit', () => {
  it('settles a batch InfluxDB refused in part for its max-values-per-tag at once, naming the setting', async () => {
    const db = new FakeDb(noJudge, (l) => l.startsWith('m v=9'));
    db.send = async (batch) => {
      db.requests++;
      db.stored.push(...batch.filter((l) => !l.startsWith('m v=9')));
      const message = `HTTP 400: {"error":"partial write: max-values-per-tag limit exceeded (100000/100000): measurement=\\"room\\" tag=\\"household\\" value=\\"H100001\\" dropped=111"}`;
      throw rejected(message, 400);
    };
    const report = await deliver(db, lines(1000));
    expect(db.requests).toBe(1);
    expect(report).toMatchObject({ written: 889, rejected: 111 });
    expect(report.firstRejected?.reason).toMatch(/raise max-values-per-tag \(0 = no limit\)/);
  });
});

describe('deliver: 400/422', () => {
  it('drops exactly the bad lines, keeps the order of the rest, names the first bad one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 300 }),
        fc.uniqueArray(fc.nat(299), { maxLength: 12 }),
        fc.boolean(),
        async (n, badIndexes, partial) => {
          const all = lines(n);
          const bad = new Set(badIndexes.filter((i) => i < n).map((i) => all[i]!));
          const db = new FakeDb(noJudge, (l) => bad.has(l), partial);
          const report = await deliver(db, all);
          const good = all.filter((l) => !bad.has(l));
          // Partial writes store good points again on retries: same points, same times.
          expect([...new Set(db.stored)].sort()).toEqual([...good].sort());
          if (!partial) expect(db.stored).toEqual(good);
          expect(report.rejected).toBe(bad.size);
          expect(report.firstRejected?.line).toBe(all.find((l) => bad.has(l)));
          expect(db.requests).toBeLessThanOrEqual(1 + 2 * bad.size * Math.ceil(Math.log2(n) + 1));
        },
      ),
    );
  });

  it('drops a batch InfluxDB 1.x says it dropped whole without splitting it', async () => {
    const db = new FakeDb(noJudge, () => true, true);
    const report = await deliver(db, lines(500));
    expect(report).toMatchObject({ written: 0, rejected: 500 });
    expect(db.requests).toBe(1);
  });

  it('spends a bounded number of requests on a mostly bad batch, then drops what is left', async () => {
    const all = lines(5000);
    const db = new FakeDb(noJudge, (l) => Number(l.split(' ')[2]) % 2 === 0);
    const report = await deliver(db, all);
    expect(db.requests).toBeLessThanOrEqual(520);
    expect(report.requests).toBe(db.requests);
    expect(report.written + report.rejected).toBe(5000);
    expect(report.rejected).toBeGreaterThanOrEqual(2500);
    // Only bad lines or whole unresolved pieces go; every stored line is a good one.
    expect(db.stored.every((l) => Number(l.split(' ')[2]) % 2 === 1)).toBe(true);
  });

  it('treats 422 like 400', async () => {
    const db = new FakeDb((l) => (l.includes('m v=3 3') ? rejected('HTTP 422', 422) : undefined));
    const report = await deliver(db, lines(8));
    expect(db.stored).toEqual(lines(8).filter((l) => l !== 'm v=3 3'));
    expect(report.rejected).toBe(1);
  });
});

describe('deliver: errors that keep the data', () => {
  it.each([
    [rejected('HTTP 503', 503), 'retry'],
    [rejected('HTTP 429', 429, 1000), 'retry'],
    [rejected('HTTP 404: database not found', 404), 'retry'],
    [new Error('ECONNREFUSED'), 'retry'],
    [rejected('HTTP 401', 401), 'auth'],
    [rejected('HTTP 403', 403), 'auth'],
  ])('%s → %s, thrown to the caller', async (err, kind) => {
    expect(failureKind(err)).toBe(kind);
    const db = new FakeDb(() => err as HeatnetError);
    await expect(deliver(db, lines(4))).rejects.toBe(err);
    expect(db.requests).toBe(1);
  });
});

describe('Retry-After', () => {
  it('reads delay-seconds and HTTP-dates, and ignores garbage', () => {
    const now = Date.UTC(2024, 0, 1, 12, 0, 0);
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Mon, 01 Jan 2024 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Mon, 01 Jan 2024 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryDelayMs(classifyStatus(503, 'busy', '2'))).toBe(2000);
  });
});
