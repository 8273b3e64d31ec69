import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { MqttConfig, MqttSubscription, NetworkConfig } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { Topology } from '../../src/domain/topology.ts';
import { backoffDelay } from '../../src/ingest/mqtt/backoff.ts';
import { type Accept, DeliverySession } from '../../src/ingest/mqtt/delivery.ts';
import { MqttIngestor } from '../../src/ingest/mqtt/ingestor.ts';
import { mapPayload, noRejections, parseTime } from '../../src/ingest/mqtt/payload.ts';
import { compileTopicTemplate } from '../../src/ingest/mqtt/topic-template.ts';
import { StaleWatchdog } from '../../src/ingest/mqtt/watchdog.ts';

describe('compileTopicTemplate', () => {
  const room = compileTopicTemplate('heatnet/room/{substation}/{building}/{household}');

  it('subscribes with + in place of each {name}', () => {
    expect(room.filter).toBe('heatnet/room/+/+/+');
    expect(compileTopicTemplate('heatnet/weather/{station}').filter).toBe('heatnet/weather/+');
    expect(compileTopicTemplate('a/b/c').filter).toBe('a/b/c');
  });

  it('captures each placeholder level as a tag', () => {
    expect(room.match('heatnet/room/S01/S01-B1/S01-B1-0304')).toEqual({
      substation: 'S01',
      building: 'S01-B1',
      household: 'S01-B1-0304',
    });
  });

  it('requires literal levels to match exactly', () => {
    expect(room.match('heatnet/rooms/S01/B1/H1')).toBeUndefined();
    expect(room.match('heatnet/Room/S01/B1/H1')).toBeUndefined();
    expect(room.match('other/room/S01/B1/H1')).toBeUndefined();
  });

  it('rejects topics with too few or too many levels', () => {
    expect(room.match('heatnet/room/S01/B1')).toBeUndefined();
    expect(room.match('heatnet/room/S01/B1/H1/extra')).toBeUndefined();
    expect(room.match('heatnet/room/S01/B1/H1/')).toBeUndefined();
  });

  it('does not capture an empty level as a tag', () => {
    expect(room.match('heatnet/room//B1/H1')).toBeUndefined();
  });

  it('keeps a literal + as a wildcard that is not captured', () => {
    const t = compileTopicTemplate('site/+/{station}');
    expect(t.filter).toBe('site/+/+');
    expect(t.match('site/anything/W1')).toEqual({ station: 'W1' });
  });

  it('lets a trailing # match any number of levels, including none', () => {
    const t = compileTopicTemplate('meters/{building}/#');
    expect(t.filter).toBe('meters/+/#');
    expect(t.match('meters/B1/a/b/c')).toEqual({ building: 'B1' });
    expect(t.match('meters/B1/x')).toEqual({ building: 'B1' });
    // MQTT: "sport/#" also matches "sport".
    expect(t.match('meters/B1')).toEqual({ building: 'B1' });
    expect(t.match('meters')).toBeUndefined();
    expect(t.match('other/B1/x')).toBeUndefined();
  });

  it('treats a non-placeholder brace level as a literal', () => {
    const t = compileTopicTemplate('a/{Upper}');
    expect(t.filter).toBe('a/{Upper}');
    expect(t.match('a/x')).toBeUndefined();
    expect(t.match('a/{Upper}')).toEqual({});
  });
});

function sub(fields: Record<string, string>, time?: string): MqttSubscription {
  return {
    topic: 'heatnet/room/{household}',
    measurement: 'room',
    format: 'json',
    fields,
    qos: 1,
    ...(time === undefined ? {} : { time }),
  };
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const raw = (s: string) => Buffer.from(s);

describe('mapPayload', () => {
  const s = sub({ temp_c: 'temp_c' }, 'ts');

  it('maps fields by top-level and nested dotted paths', () => {
    const nested = sub({ supply_temp_c: 'meter.supply.t', flow_m3h: 'meter.flow', n: 'n' });
    const r = mapPayload(nested, json({ meter: { supply: { t: 61.2 }, flow: 3.5 }, n: 4 }));
    expect(r).toEqual({
      ok: true,
      fields: { supply_temp_c: 61.2, flow_m3h: 3.5, n: 4 },
      time: undefined,
    });
  });

  it('reads time as epoch seconds, epoch milliseconds or ISO-8601', () => {
    expect(mapPayload(s, json({ temp_c: 20, ts: 1_700_000_000 }))).toMatchObject({
      ok: true,
      time: 1_700_000_000_000,
    });
    expect(mapPayload(s, json({ temp_c: 20, ts: 1_700_000_000_123 }))).toMatchObject({
      time: 1_700_000_000_123,
    });
    expect(mapPayload(s, json({ temp_c: 20, ts: 1_700_000_000.5 }))).toMatchObject({
      time: 1_700_000_000_500,
    });
    expect(mapPayload(s, json({ temp_c: 20, ts: '2024-01-15T08:00:00+08:00' }))).toMatchObject({
      time: Date.UTC(2024, 0, 15, 0, 0, 0),
    });
  });

  it('reads a nested time path', () => {
    const r = mapPayload(sub({ t: 'v' }, 'meta.at'), json({ v: 1, meta: { at: 1_700_000_000 } }));
    expect(r).toMatchObject({ ok: true, time: 1_700_000_000_000 });
  });

  it('rejects malformed JSON', () => {
    expect(mapPayload(s, raw('{"temp_c": 20,'))).toEqual({
      ok: false,
      kind: 'payload',
      reason: 'not JSON',
    });
    expect(mapPayload(s, raw(''))).toEqual({ ok: false, kind: 'payload', reason: 'not JSON' });
  });

  it('rejects JSON that is not an object', () => {
    for (const text of ['42', '"21.5"', 'null', 'true']) {
      expect(mapPayload(s, raw(text))).toEqual({
        ok: false,
        kind: 'payload',
        reason: 'not a JSON object',
      });
    }
  });

  it('rejects a payload with none of the mapped fields, null counting as absent', () => {
    const none = { ok: false, kind: 'payload', reason: 'none of the mapped fields present' };
    expect(mapPayload(s, json({ humidity: 40, ts: 1_700_000_000 }))).toEqual(none);
    expect(mapPayload(s, json({ temp_c: null, ts: 1_700_000_000 }))).toEqual(none);
    expect(mapPayload(s, json([1, 2]))).toEqual(none);
  });

  it('keeps the fields present when others are missing', () => {
    const two = sub({ temp_c: 'temp_c', rh: 'rh' });
    expect(mapPayload(two, json({ temp_c: 19 }))).toEqual({
      ok: true,
      fields: { temp_c: 19 },
      time: undefined,
    });
  });

  it('rejects a number that is not finite (1e999 parses to Infinity)', () => {
    expect(mapPayload(s, raw('{"temp_c": 1e999, "ts": 1700000000}'))).toEqual({
      ok: false,
      kind: 'not-finite',
      reason: 'temp_c: not a finite number',
    });
    expect(mapPayload(s, raw('{"temp_c": -1e999}'))).toMatchObject({ ok: false });
  });

  it('keeps fields numeric: decimal strings become numbers, anything else is refused', () => {
    expect(mapPayload(s, json({ temp_c: '21.5', ts: 1_700_000_000 }))).toMatchObject({
      ok: true,
      fields: { temp_c: 21.5 },
    });
    expect(mapPayload(s, json({ temp_c: true, ts: 1_700_000_000 }))).toEqual({
      ok: false,
      kind: 'type',
      reason: 'temp_c: a boolean where a number is expected',
    });
    for (const bad of ['error', '0x15', 'NaN', '']) {
      expect(mapPayload(s, json({ temp_c: bad, ts: 1_700_000_000 })), bad).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/is not a number/),
      });
    }
  });

  it('rejects objects and arrays where a value is expected', () => {
    expect(mapPayload(s, json({ temp_c: { v: 1 }, ts: 1_700_000_000 }))).toEqual({
      ok: false,
      kind: 'type',
      reason: 'temp_c: not a number where a number is expected',
    });
    expect(mapPayload(s, json({ temp_c: [20], ts: 1_700_000_000 }))).toMatchObject({
      ok: false,
      reason: 'temp_c: not a number where a number is expected',
    });
  });

  it('rejects a missing or unreadable time when the subscription names one', () => {
    const reason = {
      ok: false,
      kind: 'time',
      reason: 'ts: missing, unreadable or implausible time',
    };
    expect(mapPayload(s, json({ temp_c: 20 }))).toEqual(reason);
    expect(mapPayload(s, json({ temp_c: 20, ts: 'yesterday' }))).toEqual(reason);
    expect(mapPayload(s, json({ temp_c: 20, ts: true }))).toEqual(reason);
    expect(mapPayload(s, json({ temp_c: 20, ts: '2024-13-45T00:00:00Z' }))).toEqual(reason);
  });

  // A non-numeric string such as "NaN" is rejected here: stored as a string field it would clash
  // with the float series, and InfluxDB would refuse the whole batch (400).
  it('rejects a NaN-like string where a temperature is expected', () => {
    expect(mapPayload(s, json({ temp_c: 'NaN', ts: 1_700_000_000 }))).toMatchObject({
      ok: false,
    });
  });

  // Times past 2262 (InfluxDB's limit) and strings only a lenient Date.parse reads as dates
  // ("12345", "0") are rejected: one of them would make the server refuse the whole batch.
  it('rejects times InfluxDB cannot store or that are plainly not times', () => {
    for (const ts of [1e20, 99_999_999_999, '12345', '0']) {
      expect(mapPayload(s, json({ temp_c: 20, ts })), String(ts)).toMatchObject({ ok: false });
    }
  });

  it('never throws, whatever the bytes', () => {
    const subs = [s, sub({ a: 'a.b.c', b: '0', c: 'x' }), sub({ t: '__proto__.x' }, 'constructor')];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...subs), (bytes, sb) => {
        const r = mapPayload(sb, Buffer.from(bytes));
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on any JSON document, and only ever yields finite numbers', () => {
    const subs = [s, sub({ a: 'a', b: 'a.b', c: 'c.d.e' }, 'a'), sub({ x: 'length' })];
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...subs), (doc, sb) => {
        const r = mapPayload(sb, Buffer.from(JSON.stringify(doc) ?? ''));
        if (r.ok) {
          for (const v of Object.values(r.fields)) {
            expect(['number', 'boolean', 'string']).toContain(typeof v);
            if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
          }
          if (r.time !== undefined) expect(Number.isFinite(r.time)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseTime', () => {
  it('treats numbers below 1e11 as seconds and others as milliseconds', () => {
    expect(parseTime(1_700_000_000)).toBe(1_700_000_000_000);
    expect(parseTime(1_700_000_000_123)).toBe(1_700_000_000_123);
    expect(parseTime(1_700_000_000.25)).toBe(1_700_000_000_250);
    // 1e11 ms is 1973: a number, but before any plausible reading.
    expect(parseTime(100_000_000_000)).toBeUndefined();
    expect(parseTime(0)).toBeUndefined();
  });

  it("reads ISO-8601 times with their offset (how far ahead is the pipeline's rule)", () => {
    expect(parseTime('2026-11-22T09:00:00+08:00')).toBe(Date.UTC(2026, 10, 22, 1));
  });

  it('rejects non-finite numbers and non-time types', () => {
    expect(parseTime(Number.NaN)).toBeUndefined();
    expect(parseTime(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(parseTime(null)).toBeUndefined();
    expect(parseTime({})).toBeUndefined();
    expect(parseTime('')).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  const low = () => 0;
  const high = () => 1;

  it('starts at the minimum and doubles its ceiling per attempt up to the maximum', () => {
    expect(backoffDelay(0, 1000, 60_000, low)).toBe(1000);
    expect(backoffDelay(0, 1000, 60_000, high)).toBe(1000);
    expect([1, 2, 3].map((a) => backoffDelay(a, 1000, 60_000, high))).toEqual([2000, 4000, 8000]);
    expect(backoffDelay(10, 1000, 60_000, high)).toBe(60_000);
    expect(backoffDelay(1e6, 1000, 60_000, low)).toBe(30_000);
  });

  it('jitters within the upper half of the ceiling and never leaves [min, max]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, min, max, r) => {
          const d = backoffDelay(attempt, min, max, () => r);
          expect(d).toBeGreaterThanOrEqual(min);
          expect(d).toBeLessThanOrEqual(Math.max(min, max));
          expect(Number.isInteger(d)).toBe(true);
        },
      ),
    );
  });
});

const reading = (seq: number): Reading => ({
  measurement: 'probe',
  tags: {},
  fields: { seq },
  time: 1_700_000_000_000 + seq,
});

/** A promise per accept call, settled by the test. */
function deferredAccept() {
  const calls: { readings: Reading[]; resolve: () => void; reject: (e: Error) => void }[] = [];
  const accept = (readings: Reading[]) =>
    new Promise<void>((resolve, reject) => calls.push({ readings, resolve, reject }));
  return { calls, accept };
}

function session(accept: Accept) {
  const acks: number[] = [];
  const stats = { acked: 0, acceptFailures: 0, droppedQos0: 0 };
  const s = new DeliverySession({
    accept,
    sendAck: (id) => acks.push(id),
    stats,
    log: silentLogger(),
    retryMinMs: 5,
    retryMaxMs: 20,
  });
  return { s, acks, stats };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('DeliverySession', () => {
  it('acks QoS 1 in receive order, only after accept resolves', async () => {
    const { calls, accept } = deferredAccept();
    const { s, acks } = session(accept);
    s.deliver([reading(1)], 11);
    s.deliver([], 12); // malformed: nothing to store, acked in turn
    s.deliver([reading(3)], 13);
    expect(acks).toEqual([]);
    calls[1]!.resolve();
    await tick();
    expect(acks).toEqual([]); // 11 still pending holds back 12 and 13
    calls[0]!.resolve();
    await tick();
    expect(acks).toEqual([11, 12, 13]);
    expect(s.pending).toBe(0);
  });

  it('holds a refused message unacked, retries it (batched) and acks once accepted', async () => {
    const { calls, accept } = deferredAccept();
    const { s, acks, stats } = session(accept);
    s.deliver([reading(1)], 1);
    s.deliver([reading(2)], 2);
    calls[0]!.reject(new Error('down'));
    calls[1]!.reject(new Error('down'));
    await tick();
    expect(stats.acceptFailures).toBe(2);
    await vi.waitFor(() => expect(calls).toHaveLength(3));
    expect(calls[2]!.readings).toEqual([reading(1), reading(2)]);
    expect(acks).toEqual([]);
    calls[2]!.resolve();
    await vi.waitFor(() => expect(acks).toEqual([1, 2]));
  });

  it('never acks on a closed session: the broker redelivers on the next connection', async () => {
    const { calls, accept } = deferredAccept();
    const { s, acks } = session(accept);
    s.deliver([reading(1)], 1);
    s.close();
    calls[0]!.resolve();
    await tick();
    expect(acks).toEqual([]);
    expect(s.pending).toBe(0);
  });

  it('counts refused QoS 0 readings as dropped and treats a throwing sync sink as a refusal', async () => {
    const { s, acks, stats } = session(() => {
      throw new Error('sync sink failed');
    });
    s.deliver([reading(1), reading(2)]);
    await tick();
    expect(stats).toMatchObject({ acceptFailures: 1, droppedQos0: 2 });
    s.deliver([reading(3)], 7);
    await s.drain(100); // no retries once draining
    expect(acks).toEqual([]);
    const ok = session(() => {}); // the old fire-and-forget sink counts as durable on return
    ok.s.deliver([reading(4)], 8);
    await tick();
    expect(ok.acks).toEqual([8]);
  });
});

describe('StaleWatchdog', () => {
  it('flags a quiet subscription once, counting from start, and clears it on a message', () => {
    let now = 0;
    const h = { topic: 't', filter: 't', messages: 0, malformed: 0 } as const;
    const subs = [
      { ...h, rejected: noRejections(), lastMessageAt: null, lastError: null, stale: false },
    ];
    const events: string[] = [];
    const w = new StaleWatchdog(
      () => subs,
      1000,
      () => now,
      silentLogger(),
      {
        onStale: (t) => events.push(`stale ${t}`),
        onResumed: (t) => events.push(`resumed ${t}`),
      },
    );
    w.start();
    w.stop(); // checks driven by hand
    now = 999;
    w.check();
    expect(subs[0]!.stale).toBe(false);
    now = 1000;
    w.check();
    w.check();
    expect(events).toEqual(['stale t']);
    w.seen(subs[0]!);
    expect(subs[0]!.stale).toBe(false);
    expect(events).toEqual(['stale t', 'resumed t']);
  });
});

describe('MqttIngestor message handler (no broker)', () => {
  const subscriptions: MqttSubscription[] = [
    { ...sub({ temp_c: 'temp_c' }, 'ts'), topic: 'heatnet/room/{household}' },
    { ...sub({ t: 'outdoor.t' }), topic: 'heatnet/weather/{station}', measurement: 'weather' },
    { ...sub({ v: 'v' }), topic: 'meters/{building}/#', measurement: 'building', qos: 0 },
  ];
  const network: NetworkConfig = {
    design: {
      outdoorC: -13,
      indoorC: 20,
      primary: { supplyC: 110, returnC: 60 },
      secondary: { supplyC: 60, returnC: 45 },
      heatLoadWPerM2: 45,
      mainDropKpaPerKm: 14,
    },
    sources: [{ id: 'P1', differentialPressureMpa: 0.08 }],
    substations: [
      {
        id: 'S1',
        source: 'P1',
        branch: 'main',
        distanceM: 100,
        pumps: [],
        buildings: [
          {
            id: 'B1',
            floors: 2,
            unitsPerFloor: 2,
            areaPerUnitM2: 80,
            zones: [{ id: 'low', floors: [1, 2] }],
          },
        ],
      },
    ],
  };
  const topic = fc.oneof(
    fc.string(),
    fc
      .array(
        fc.oneof(
          fc.string(),
          fc.constantFrom('heatnet', 'room', 'weather', 'meters', 'B1-0101', '+', '#', ''),
        ),
        { maxLength: 6 },
      )
      .map((l) => l.join('/')),
    fc.constantFrom(
      'heatnet/room/B1-0101',
      'heatnet/room/nobody',
      'heatnet/weather/W1',
      'meters/B1',
    ),
  );
  const body = fc.oneof(
    fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b)),
    fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
    fc
      .record({
        temp_c: fc.jsonValue(),
        ts: fc.oneof(fc.jsonValue(), fc.integer()),
        outdoor: fc.jsonValue(),
        v: fc.jsonValue(),
      })
      .map((o) => JSON.stringify(o)),
  );
  const packet = fc.record({
    topic,
    payload: body,
    qos: fc.constantFrom(0, 1) as fc.Arbitrary<0 | 1>,
    messageId: fc.integer({ min: 1, max: 65535 }),
    dup: fc.boolean(),
  });

  it('never throws, calls back exactly once per packet and counts every matching message', async () => {
    const config = { ...mqttConfig(), subscriptions };
    const seen: Reading[] = [];
    const sinks: Accept[] = [
      (r) => void seen.push(...r),
      async (r) => void seen.push(...r),
      () => {
        throw new Error('refused');
      },
      async () => Promise.reject(new Error('refused')),
    ];
    for (const accept of sinks) {
      const ingestor = new MqttIngestor(
        config,
        () => 'mqtt://unused',
        new Topology(network),
        accept,
        silentLogger(),
      );
      fc.assert(
        fc.property(fc.array(packet, { maxLength: 20 }), (packets) => {
          const before = ingestor.health().subscriptions.map((s) => s.messages + s.malformed);
          let matches = 0;
          for (const p of packets) {
            matches += subscriptions.filter((s) =>
              compileTopicTemplate(s.topic).match(p.topic),
            ).length;
            let calls = 0;
            ingestor.onPublish({ cmd: 'publish', retain: false, length: 0, ...p }, () => calls++);
            expect(calls).toBe(1);
          }
          const after = ingestor.health().subscriptions.map((s) => s.messages + s.malformed);
          expect(after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0)).toBe(
            matches,
          );
        }),
        { numRuns: 200 },
      );
      // One packet known to be good, so the checks below never depend on what the
      // random packets happened to contain.
      const good = Buffer.from(`{"temp_c":21.5,"ts":${Math.floor(Date.now() / 1000)}}`);
      const known = { topic: 'heatnet/room/B1-0101', payload: good, qos: 0 as const, dup: false };
      ingestor.onPublish({ cmd: 'publish', retain: false, length: 0, ...known }, () => undefined);
      await ingestor.stop();
    }
    for (const r of seen) {
      for (const v of Object.values(r.fields)) expect(Number.isFinite(v)).toBe(true);
      expect(Number.isFinite(r.time)).toBe(true);
    }
    expect(seen.some((r) => r.fields.temp_c === 21.5)).toBe(true);
  });
});

function mqttConfig(): MqttConfig {
  return {
    url: 'mqtt://unused',
    embeddedPort: 0,
    embeddedHost: '127.0.0.1',
    embedded: {},
    clientId: 'unit',
    protocolVersion: 5,
    sessionExpiryS: 60,
    reconnectMinMs: 100,
    reconnectMaxMs: 1000,
    staleAfterS: 60,
    subscriptions: [],
  };
}
