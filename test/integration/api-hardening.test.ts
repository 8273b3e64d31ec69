import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import type { AutoBalanceStatus } from '../../src/control/auto-balancer.ts';
import { type HealthSnapshots, healthReport } from '../../src/health/report.ts';
import { TEST_TOKENS, testConfig } from '../support/config.ts';
import { type ControlApi, controlApi } from '../support/control-api.ts';
import { freshTarget } from '../support/store.ts';

/**
 * Issue 15, defects 4, 5 and 7, over the wire: the API listens on a loopback port and
 * the requests are real HTTP (fetch, or raw bytes on a socket where the defect is in
 * how a request arrives).
 */

const DISPATCHER = TEST_TOKENS.HEATNET_DISPATCH_TOKEN;
const ERROR_KEYS = ['statusCode', 'error', 'message', 'code', 'field', 'auditId'];

/** An error answer (or the audit list's count), as the tests read it. */
interface Answer {
  statusCode: number;
  error: string;
  message: string;
  code: string;
  field?: string;
  auditId: number;
  count: number;
}
const json = async (res: Response): Promise<Answer> => (await res.json()) as Answer;

/** Raw bytes to the server; resolves with everything it answered once it closes. */
function raw(port: number, bytes: string, { timeoutMs = 20_000 } = {}) {
  return new Promise<{ text: string; closedAfterMs: number }>((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('error', () => undefined); // a reset after the answer: the answer counts
    socket.on('close', () => resolve({ text, closedAfterMs: Date.now() - started }));
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got ${JSON.stringify(text)}`));
    });
    socket.write(bytes);
  });
}

function statusAndBody(text: string) {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
  return { status, body };
}

function expectErrorShape(body: object, status: number) {
  expect(
    Object.keys(body).every((k) => ERROR_KEYS.includes(k)),
    JSON.stringify(body),
  ).toBe(true);
  expect(body).toMatchObject({
    statusCode: status,
    error: expect.any(String),
    message: expect.any(String),
    code: expect.stringMatching(/^[A-Z_]+$/),
  });
  expect((body as Answer).error).not.toBe('Error');
  expect((body as Answer).code).not.toMatch(/^FST_/);
}

describe('the API refuses hostile requests over the wire (issue 15)', () => {
  let config: Config;
  let api: ControlApi;
  let base: string;
  let port: number;
  let pump: string;
  const health = healthReport(
    {
      startedAt: Date.now(),
      modbus: { devices: [], reconnects: 0 },
      mqtt: {
        url: 'embedded',
        connected: true,
        pendingAcks: 0,
        subscriptions: [],
      } as unknown as HealthSnapshots['mqtt'],
      broker: 'embedded',
      refused: { 'not-finite': 0, 'bad-time': 0, 'time-ahead': 0 },
      storage: {
        kind: 'local',
        target: '/var/lib/heatnet/data/local',
        state: 'failing',
        backlogLines: 3,
        lastError: "EACCES: permission denied, open '/var/lib/heatnet/data/local/0001.lp'",
        spool: null,
      } as unknown as HealthSnapshots['storage'],
      store: { engine: 'sqlite', open: true },
      stateSeries: 0,
      balance: {
        enabled: false,
        intervalS: 300,
        cron: false,
        lastEvaluatedAt: null,
        rejectedUnknownHouseholds: 0,
      },
      control: {
        auditOpen: true,
        auto: { enabled: false, state: 'off', paused: [] } as unknown as AutoBalanceStatus,
      },
    },
    Date.now(),
  );

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const asDispatcher = { authorization: `Bearer ${DISPATCHER}` };
  const frequency = (body: string, headers = asDispatcher, p = pump) =>
    post(`/api/control/pumps/${p}/frequency`, body, headers);
  const rows = async () => api.audit.list({ limit: 1000 });

  beforeAll(async () => {
    config = await testConfig({ substations: 2 });
    pump = config.network.substations[0]!.pumps[0]!.id;
    api = await controlApi(config, await freshTarget('sqlite'), {
      // Short, so the slow-body test ends quickly; the defaults are 10 s and 30 s.
      api: { headersTimeoutMs: 1000, requestTimeoutMs: 1500 },
      health,
    });
    const address = await api.http.listen({ host: '127.0.0.1', port: 0 });
    base = address;
    port = Number(new URL(address).port);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('defect 4: refuses a mistyped hz or reason (400 naming the field), writes nothing, audits it', async () => {
    const before = (await rows()).length;
    const res = await frequency('{"hz":"0x2D","reason":[12345]}');
    expect(res.status).toBe(400);
    const body = await json(res);
    expectErrorShape(body, 400);
    expect(body).toMatchObject({ code: 'BAD_REQUEST', field: 'hz', auditId: expect.any(Number) });
    for (const hz of ['true', 'null', 'false', '"0x3C"', '[60]', '"45"']) {
      const r = await frequency(`{"hz":${hz},"reason":"far end cold"}`);
      expect(r.status, hz).toBe(400);
      expect((await json(r)).field, hz).toBe('hz');
    }
    const reason = await frequency('{"hz":45,"reason":[12345]}');
    expect((await json(reason)).field).toBe('reason');
    expect(api.writes).toEqual([]);
    const [row] = await rows();
    expect(row).toMatchObject({
      id: body.auditId,
      actor: 'demo-dispatcher',
      pump,
      result: 'refused',
      code: 'BAD_REQUEST',
      requestedHz: null,
      reason: null,
    });
    // One caller, one code: the refusals share a row that counts all of them.
    expect(await rows()).toHaveLength(before + 1);
    expect(row!.series?.attempts).toBe(8);
    // A well-typed request still goes through; reads keep coercing their query.
    const ok = await frequency('{"hz":42,"reason":"far end cold"}');
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(api.writes).toEqual([42]);
    const listed = await fetch(`${base}/api/control/audit?limit=1`);
    expect((await json(listed)).count).toBe(1);
  });

  it('defect 5: counts every denial durably, with every pump named, through a shutdown', async () => {
    const other = config.network.substations[1]!.pumps[0]!.id;
    const ids: number[] = [];
    for (const p of [pump, other, pump, other, pump, pump]) {
      const res = await frequency('{"hz":45,"reason":"mine now"}', {} as never, p);
      expect(res.status).toBe(401);
      ids.push((await json(res)).auditId);
    }
    expect(new Set(ids).size).toBe(1);
    // Refusals of the auto-balancing switch are audited too.
    const auto = await post('/api/control/auto', '{"enabled":false,"reason":"x"}');
    expect(auto.status).toBe(401);
    const autoId = (await json(auto)).auditId;
    // A shutdown right after the answers (SIGTERM stops the API, the audit, the store):
    // everything answered is in the store when it is opened again.
    await api.close();
    api = await controlApi(config, api.store.target, {
      api: { headersTimeoutMs: 1000, requestTimeoutMs: 1500 },
      health,
    });
    base = await api.http.listen({ host: '127.0.0.1', port: 0 });
    port = Number(new URL(base).port);
    const all = await rows();
    expect(all.find((r) => r.id === ids[0])).toMatchObject({
      actor: 'anonymous',
      code: 'UNAUTHORIZED',
      series: { attempts: 6, pumps: [pump, other] },
    });
    expect(all.find((r) => r.id === autoId)).toMatchObject({
      action: 'auto-switch',
      pump: '',
      code: 'UNAUTHORIZED',
      result: 'refused',
    });
  });

  it('defect 5: audits a dispatcher’s bodies refused before the handler (400, 413, 415)', async () => {
    const bad = await frequency('{"hz": 4');
    const big = await frequency(JSON.stringify({ hz: 45, reason: 'x'.repeat(1_100_000) }));
    const text = await post(`/api/control/pumps/${pump}/frequency`, 'hz=45', {
      ...asDispatcher,
      'content-type': 'application/x-www-form-urlencoded',
    });
    const switchBad = await post('/api/control/auto', '{"enabled":"no","reason":"works"}', {
      ...asDispatcher,
    });
    const answers = [
      [bad, 400, 'BAD_REQUEST'],
      [big, 413, 'PAYLOAD_TOO_LARGE'],
      [text, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [switchBad, 400, 'BAD_REQUEST'],
    ] as const;
    for (const [res, status, code] of answers) {
      expect(res.status).toBe(status);
      const body = await json(res);
      expectErrorShape(body, status);
      expect(body.code).toBe(code);
      const row = (await rows()).find((r) => r.id === body.auditId);
      expect(row, code).toMatchObject({ actor: 'demo-dispatcher', code, result: 'refused' });
    }
    expect(api.switches).toEqual([]);
  });

  it('defect 7: answers an incomplete body with 408 and closes, instead of holding it open', async () => {
    const head =
      `POST /api/control/pumps/${pump}/frequency HTTP/1.1\r\nHost: x\r\n` +
      `Authorization: Bearer ${DISPATCHER}\r\nContent-Type: application/json\r\n` +
      'Content-Length: 100\r\n\r\n{"hz":';
    const { text, closedAfterMs } = await raw(port, head);
    // requestTimeoutMs 1500, checked each second: closed in about 1.5–2.5 s.
    expect(closedAfterMs).toBeLessThan(15_000);
    const { status, body } = statusAndBody(text);
    expect(status).toBe(408);
    expectErrorShape(body, 408);
    expect(body.code).toBe('REQUEST_TIMEOUT');
    // Headers that never end are cut off too.
    const slowHead = await raw(port, 'GET /api/control/auto HTTP/1.1\r\nHost: x\r\n');
    expect(statusAndBody(slowHead.text).status).toBe(408);
  });

  it('defect 7: answers 414 and 431 in the one shape without echoing the request', async () => {
    const longId = 'P'.repeat(300);
    const res = await frequency('{"hz":45,"reason":"far end cold"}', asDispatcher, longId);
    expect(res.status).toBe(414);
    const body = await json(res);
    expectErrorShape(body, 414);
    expect(body.code).toBe('URI_TOO_LONG');
    expect(JSON.stringify(body)).not.toContain(longId);
    const huge = `GET /api/control/auto HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`;
    const answer = await raw(port, huge);
    const { status, body: b431 } = statusAndBody(answer.text);
    expect(status).toBe(431);
    expectErrorShape(b431, 431);
    expect(b431.code).toBe('HEADERS_TOO_LARGE');
    // Refused before any route, so no audit row: counted for /metrics instead.
    expect(api.http.refusedAtTheDoor.snapshot()).toMatchObject({
      URI_TOO_LONG: 1,
      HEADERS_TOO_LARGE: 1,
    });
    expect(api.http.refusedAtTheDoor.prometheus()).toContain(
      'heatnet_http_refused_before_routing_total{code="URI_TOO_LONG"} 1',
    );
  });

  it('defect 7: names __proto__ and out-of-range numbers for what they are', async () => {
    const proto = await frequency('{"hz":45,"reason":"ok then","__proto__":{"admin":true}}');
    expect(proto.status).toBe(400);
    const pb = await json(proto);
    expectErrorShape(pb, 400);
    expect(pb).toMatchObject({ field: '__proto__', message: expect.stringMatching(/__proto__/) });
    expect(pb.message).not.toMatch(/valid JSON/);
    const huge = await frequency('{"hz":1e308,"reason":"far end cold"}');
    const hb = await json(huge);
    expect(huge.status).toBe(400);
    expect(hb).toMatchObject({ field: 'hz', message: 'body.hz must be <= 1000' });
    expect(api.writes).toEqual([]); // (this server started after the restart above)
  });

  it('defect 7: shows no filesystem path to an anonymous reader of /api/health', async () => {
    const anonymous = await (await fetch(`${base}/api/health`)).text();
    expect(anonymous).not.toContain('/var/lib/heatnet');
    expect(JSON.parse(anonymous).storage).toMatchObject({
      kind: 'local',
      lastError: "EACCES: permission denied, open '<path>'",
    });
    const authed = await fetch(`${base}/api/health`, { headers: asDispatcher });
    expect(((await authed.json()) as { storage: { target: string } }).storage.target).toBe(
      '/var/lib/heatnet/data/local',
    );
  });
});
