import { afterEach, describe, expect, it } from 'vitest';
import type { ModbusDeviceConfig, RegisterField } from '../../src/config/schema.ts';
import { isHeatnetError } from '../../src/core/errors.ts';
import { ModbusConnection } from '../../src/ingest/modbus/connection.ts';
import { ModbusDevice, type PollOutcome } from '../../src/ingest/modbus/device.ts';
import { planRequests } from '../../src/ingest/modbus/plan.ts';
import { newPollStats, type PollStats } from '../../src/ingest/modbus/poll-stats.ts';
import { parseModbusUrl } from '../../src/ingest/modbus/url.ts';
import { frameOf, registerValue, type WireAction, WireServer } from './modbus-wire-server.ts';

/**
 * Link faults over real TCP loopback, from small node:net servers that misbehave on
 * purpose: wrong transaction ids, stale late answers, torn frames, silent and closed
 * sockets (Telegraf #14317, node-red-contrib-modbus #263/#489). Every poll ends within
 * its timeout, and the poll after a fault reads the right values again.
 */
const TIMEOUT_MS = 200;
const answer: WireAction = { kind: 'answer' };

const fields: RegisterField[] = [0, 1, 2].map((address) => ({
  field: `r${address}`,
  area: 'holding',
  address,
  type: 'uint16',
  order: 'ABCD',
  scale: 1,
  offset: 0,
  sentinels: false,
  writable: false,
}));
const EXPECTED = { r0: registerValue(0), r1: registerValue(1), r2: registerValue(2) };

let servers: WireServer[] = [];
let links: ModbusConnection[] = [];

afterEach(async () => {
  await Promise.all(links.map((l) => l.close()));
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  links = [];
});

async function setup(handle: ConstructorParameters<typeof WireServer>[0], units = [1]) {
  const server = new WireServer(handle);
  servers.push(server);
  const port = await server.listen();
  const url = `tcp://127.0.0.1:${port}`;
  const link = new ModbusConnection(parseModbusUrl(url));
  links.push(link);
  const requests = planRequests(fields, {
    maxRegistersPerRequest: 125,
    maxBitsPerRequest: 2000,
    maxGapRegisters: 0,
  });
  const devices = units.map((unitId) => {
    const config: ModbusDeviceConfig = {
      id: `dev-${unitId}`,
      substation: 'S01',
      kind: 'substation',
      url,
      unitId,
      map: 'm',
      enabled: true,
    };
    return new ModbusDevice(config, requests, link, 'P1');
  });
  return { server, link, port, devices, device: devices[0]! };
}

type Result =
  | { ok: PollOutcome; stats: PollStats; ms: number }
  | { err: string; stats: PollStats; ms: number };

/** One poll: its outcome or the error code, its stats and how long it took. */
async function poll(device: ModbusDevice): Promise<Result> {
  const stats = newPollStats();
  const started = performance.now();
  try {
    const ok = await device.poll(TIMEOUT_MS, Date.now, stats);
    return { ok, stats, ms: performance.now() - started };
  } catch (err) {
    const code = isHeatnetError(err) ? err.code : String(err);
    return { err: code, stats, ms: performance.now() - started };
  }
}

function fieldsOf(r: Result) {
  return 'ok' in r ? r.ok.reading?.fields : r.err;
}

describe('transaction-id desync', () => {
  it('an answer with the wrong transaction id times out that poll; the next one reads', async () => {
    const { device, link } = await setup((req) =>
      req.seq === 0 ? { kind: 'answer', transactionId: req.transactionId + 7 } : answer,
    );
    const first = await poll(device);
    expect('err' in first && first.err).toBe('MODBUS_TIMEOUT');
    expect(first.ms).toBeLessThan(TIMEOUT_MS + 300);
    expect(fieldsOf(await poll(device))).toEqual(EXPECTED);
    expect(link.reconnects).toBe(1); // bytes nobody claimed: the stream was started afresh
  });

  it('a connection stuck on wrong ids is dropped; the fresh one reads (no endless timeouts)', async () => {
    const { device, server } = await setup((req) =>
      req.connection === 0 ? { kind: 'answer', transactionId: req.transactionId ^ 0x55 } : answer,
    );
    expect(fieldsOf(await poll(device))).toBe('MODBUS_TIMEOUT');
    const second = await poll(device);
    expect(fieldsOf(second)).toEqual(EXPECTED);
    expect(second.stats.reconnects).toBe(1);
    expect(server.connectionCount).toBe(2);
  });

  it('a stale late answer arriving between polls is ignored; the next poll gets fresh values', async () => {
    const { device } = await setup((req) =>
      req.seq === 0 ? { kind: 'answer', delayMs: TIMEOUT_MS + 50, values: [1, 1, 1] } : answer,
    );
    expect(fieldsOf(await poll(device))).toBe('MODBUS_TIMEOUT');
    await new Promise((r) => setTimeout(r, 150)); // the stale answer lands while idle
    const next = await poll(device);
    expect(fieldsOf(next)).toEqual(EXPECTED);
    expect(next.stats.reconnects).toBe(0); // nothing was out of step for this request
  });

  it('a stale answer arriving during the next request is not taken for its answer', async () => {
    const { device } = await setup((req) =>
      req.seq === 0
        ? { kind: 'answer', delayMs: TIMEOUT_MS + 60, values: [1, 1, 1] }
        : { kind: 'answer', delayMs: 120 },
    );
    expect(fieldsOf(await poll(device))).toBe('MODBUS_TIMEOUT');
    expect(fieldsOf(await poll(device))).toEqual(EXPECTED);
  });

  it('a torn frame (length field lying) would misalign every later answer: the link is renewed', async () => {
    const { device, server } = await setup((req) => {
      if (req.connection > 0) return answer;
      // MBAP says 200 bytes follow; 5 do. A parser on this stream waits forever.
      const torn = frameOf(req.transactionId, req.unitId, Buffer.from([3, 2, 0, 1]));
      torn.writeUInt16BE(200, 4);
      return { kind: 'raw', bytes: torn };
    });
    expect(fieldsOf(await poll(device))).toBe('MODBUS_TIMEOUT');
    expect(fieldsOf(await poll(device))).toEqual(EXPECTED);
    expect(server.connectionCount).toBe(2);
  });

  it('a link that goes silent is reopened after a run of timeouts', async () => {
    const { device, server } = await setup((req) =>
      req.connection === 0 && req.seq > 0 ? { kind: 'silence' } : answer,
    );
    expect(fieldsOf(await poll(device))).toEqual(EXPECTED);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(fieldsOf(await poll(device)));
    expect(results).toEqual(['MODBUS_TIMEOUT', 'MODBUS_TIMEOUT', 'MODBUS_TIMEOUT', EXPECTED]);
    expect(server.connectionCount).toBe(2);
  });
});

describe('peer closing the connection', () => {
  it('reconnects after a peer that closes after every answer, counted per device', async () => {
    const { devices, server } = await setup(() => ({ kind: 'answer', thenClose: true }), [1, 2]);
    const reconnects: Record<string, number> = {};
    for (let round = 0; round < 3; round++) {
      for (const d of devices) {
        const r = await poll(d);
        expect(fieldsOf(r)).toEqual(EXPECTED);
        reconnects[d.config.id] = (reconnects[d.config.id] ?? 0) + r.stats.reconnects;
        await new Promise((res) => setTimeout(res, 20)); // the hang-up arrives while idle
      }
    }
    // The first poll opened the link; every later one found it closed and reopened it.
    expect(reconnects).toEqual({ 'dev-1': 2, 'dev-2': 3 });
    expect(server.connectionCount).toBe(6);
  });

  it('a hang-up racing the next request costs nothing: the read is repeated', async () => {
    const { device } = await setup(() => ({ kind: 'answer', thenClose: true }));
    // Back to back, so requests may meet the closing socket: every poll still reads.
    for (let i = 0; i < 5; i++) expect(fieldsOf(await poll(device))).toEqual(EXPECTED);
  });

  it('a close under a request in flight fails it at once and the read is repeated on a new link', async () => {
    const { device, link } = await setup((req) =>
      req.connection === 0 ? { kind: 'close' } : answer,
    );
    const r = await poll(device);
    expect(fieldsOf(r)).toEqual(EXPECTED);
    expect(r.ms).toBeLessThan(TIMEOUT_MS); // no waiting for the timeout
    expect(link.reconnects).toBe(1);
  });

  it('a peer that closes every connection at once costs a connection error, never a hang', async () => {
    const { device } = await setup(() => ({ kind: 'close' }));
    const r = await poll(device);
    expect('err' in r && r.err).toBe('MODBUS_CONNECTION');
    expect(r.stats.connectionErrors).toBe(1);
    expect(r.ms).toBeLessThan(TIMEOUT_MS);
  });

  it('a gateway that was away (connection refused) is read again once it is back', async () => {
    const { device, server, port } = await setup(() => answer);
    expect(fieldsOf(await poll(device))).toEqual(EXPECTED);
    await server.close();
    const refused = await poll(device);
    expect('err' in refused && refused.err).toBe('MODBUS_CONNECTION');
    const back = new WireServer(() => answer);
    servers.push(back);
    await back.listen(port);
    const again = await poll(device);
    expect(fieldsOf(again)).toEqual(EXPECTED);
    expect(again.stats.reconnects).toBe(1);
  });
});
