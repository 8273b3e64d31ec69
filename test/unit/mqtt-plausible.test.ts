import fc from 'fast-check';
import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import type { MqttSubscription, NetworkConfig } from '../../src/config/schema.ts';
import { MqttSubscriptionSchema } from '../../src/config/schema-ingest.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { Topology } from '../../src/domain/topology.ts';
import { mapPayload } from '../../src/ingest/mqtt/payload.ts';
import { defaultRange, fieldRules, GENERIC_RANGE } from '../../src/ingest/mqtt/plausible.ts';
import { MessageRouter } from '../../src/ingest/mqtt/router.ts';

/** Issue 15, defects 1 and 2: every number that enters over MQTT is finite and plausible. */

const room: MqttSubscription = {
  topic: 'heatnet/room/{household}',
  measurement: 'room',
  format: 'json',
  fields: { temp_c: 'temp_c' },
  time: 'ts',
  qos: 1,
};
const meter: MqttSubscription = {
  topic: 'heatnet/building/{building}',
  measurement: 'building',
  format: 'json',
  fields: {
    supply_temp_c: 'supply',
    return_temp_c: 'return',
    flow_m3h: 'flow',
    heat_power_kw: 'power',
    n: 'meta.n',
  },
  qos: 1,
};
const declared: MqttSubscription = {
  ...room,
  fields: { temp_c: { path: 'v', range: [10, 30], sentinels: [25] } },
};
const TS = 1_700_000_000_000;
const emptyNetwork = {
  design: {},
  sources: [],
  substations: [],
} as unknown as NetworkConfig;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('MQTT field plausibility', () => {
  it('refuses the repro values of issue 15 by range, with the reason', () => {
    for (const text of ['1e+308', '5000', '-1e308', '61', '-30.5']) {
      const r = mapPayload(room, Buffer.from(`{"temp_c":${text},"ts":${TS}}`));
      expect(r, text).toMatchObject({ ok: false, kind: 'range' });
      if (!r.ok) expect(r.reason).toMatch(/^temp_c: .* outside \[-30, 60\]$/);
    }
    expect(mapPayload(room, json({ temp_c: 21.4, ts: TS }))).toMatchObject({ ok: true });
    expect(mapPayload(room, json({ temp_c: 60, ts: TS }))).toMatchObject({ ok: true });
  });

  it('refuses the usual sentinels unless a field declares otherwise', () => {
    expect(mapPayload(meter, json({ meta: { n: -999 } }))).toMatchObject({
      ok: false,
      kind: 'sentinel',
    });
    expect(mapPayload(meter, json({ meta: { n: 32767 } }))).toMatchObject({
      ok: false,
      kind: 'sentinel',
    });
    expect(mapPayload(declared, json({ v: 25, ts: TS }))).toMatchObject({ kind: 'sentinel' });
    expect(mapPayload(declared, json({ v: 31, ts: TS }))).toMatchObject({ kind: 'range' });
    expect(mapPayload(declared, json({ v: 29, ts: TS }))).toMatchObject({ ok: true });
    const none = { ...meter, fields: { n: { path: 'n', sentinels: false } } };
    expect(mapPayload(none, json({ n: -999 }))).toMatchObject({ ok: true, fields: { n: -999 } });
  });

  it('has a default range for every known measurement, and a bound for any other', () => {
    expect(defaultRange('room', 'temp_c')).toEqual([-30, 60]);
    expect(defaultRange('weather', 'outdoor_temp_c')).toEqual([-60, 60]);
    expect(defaultRange('building', 'supply_temp_c')).toEqual([0, 150]);
    expect(defaultRange('building', 'return_temp_c')).toEqual([0, 150]);
    expect(defaultRange('building', 'flow_m3h')[0]).toBe(0);
    expect(defaultRange('building', 'heat_power_kw')[0]).toBe(0);
    expect(defaultRange('x', 'whatever')).toEqual(GENERIC_RANGE);
    expect(fieldRules(declared)[0]).toEqual({
      field: 'temp_c',
      path: 'v',
      range: [10, 30],
      sentinels: [25],
    });
  });

  it('takes a path or a path with range and sentinels in the config, nothing else', () => {
    expect(Value.Check(MqttSubscriptionSchema, declared)).toBe(true);
    expect(Value.Check(MqttSubscriptionSchema, room)).toBe(true);
    const bad = (spec: unknown) => ({ ...room, fields: { temp_c: spec } });
    expect(Value.Check(MqttSubscriptionSchema, bad({ path: 'v', range: [1] }))).toBe(false);
    expect(Value.Check(MqttSubscriptionSchema, bad({ path: 'v', limit: 3 }))).toBe(false);
    expect(Value.Check(MqttSubscriptionSchema, bad({ range: [0, 1] }))).toBe(false);
  });

  it('refuses negative flows and powers, turns -0 into 0', () => {
    expect(mapPayload(meter, json({ flow: -0.5 }))).toMatchObject({ kind: 'range' });
    expect(mapPayload(meter, json({ power: -1 }))).toMatchObject({ kind: 'range' });
    const r = mapPayload(meter, Buffer.from('{"flow":-0}'));
    expect(r.ok && Object.is(r.fields.flow_m3h, 0)).toBe(true);
  });

  it('counts refusals per subscription by reason', () => {
    const router = new MessageRouter([room], undefined, new Topology(emptyNetwork), silentLogger());
    const topic = 'heatnet/room/H1';
    router.route(topic, Buffer.from(`{"temp_c":1e+308,"ts":${TS}}`), TS);
    router.route(topic, json({ temp_c: 5000, ts: TS }), TS);
    router.route(topic, Buffer.from(`{"temp_c":1e999,"ts":${TS}}`), TS);
    router.route(topic, json({ temp_c: -999, ts: TS }), TS);
    router.route(topic, json({ temp_c: 'warm', ts: TS }), TS);
    expect(router.route(topic, json({ temp_c: 20, ts: TS }), TS)).toHaveLength(1);
    const [h] = router.health;
    expect(h).toMatchObject({ messages: 1, malformed: 5 });
    expect(h!.rejected).toMatchObject({ range: 2, 'not-finite': 1, sentinel: 1, type: 1 });
  });
});

/** Values a broken or hostile sensor might send where a number belongs. */
const hostileValue = fc.oneof(
  fc.double(),
  fc.double({ min: -1e308, max: 1e308 }),
  fc.constantFrom(1e308, -1e308, Number.MAX_VALUE, -0, 5e-324, 2 ** 53, 32767, -32768, 65535),
  fc.integer(),
  fc.string(),
  fc.constantFrom('1e400', '-1e400', 'NaN', 'Infinity', ' 21.5 ', '0x1F', '1_000', '２１', '-0'),
  fc.string({ unit: 'grapheme' }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.double(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.double(), { maxKeys: 3 }),
  fc.jsonValue({ depthSize: 'large', maxDepth: 12 }),
);

/** A document with hostile values at the mapped paths, and noise around them. */
const hostileDoc = fc.record({
  temp_c: hostileValue,
  ts: fc.oneof(fc.constant(TS), hostileValue),
  supply: hostileValue,
  return: hostileValue,
  flow: hostileValue,
  power: hostileValue,
  meta: fc.oneof(fc.record({ n: hostileValue }), hostileValue),
  v: hostileValue,
  ['__proto__' as string]: hostileValue,
});

/** A JSON text keeping what JSON.stringify would lose: ±Infinity as ±1e400, -0 as -0. */
function text(doc: Record<string, unknown>): string {
  const marked = JSON.stringify(doc, (_k, v: unknown) => {
    if (typeof v !== 'number') return v;
    if (Number.isNaN(v)) return '<<NaN>>';
    if (!Number.isFinite(v)) return v > 0 ? '<<1e400>>' : '<<-1e400>>';
    return Object.is(v, -0) ? '<<-0>>' : v;
  });
  return marked.replace(/"<<(.*?)>>"/g, (_m, raw: string) => (raw === 'NaN' ? '"NaN"' : raw));
}

describe('MQTT payload mapping under hostile input (property)', () => {
  const subs = [room, meter, declared];

  it('never throws and passes on only finite, in-range, non-sentinel numbers', () => {
    fc.assert(
      fc.property(hostileDoc, fc.constantFrom(...subs), (doc, sub) => {
        const r = mapPayload(sub, Buffer.from(text(doc)));
        if (!r.ok) {
          expect(r.reason.length).toBeGreaterThan(0);
          return;
        }
        const rules = new Map(fieldRules(sub).map((rule) => [rule.field, rule]));
        for (const [field, v] of Object.entries(r.fields)) {
          const rule = rules.get(field)!;
          expect(typeof v).toBe('number');
          expect(Number.isFinite(v)).toBe(true);
          expect(Object.is(v, -0)).toBe(false);
          expect(v).toBeGreaterThanOrEqual(rule.range[0]);
          expect(v).toBeLessThanOrEqual(rule.range[1]);
          expect(rule.sentinels).not.toContain(v);
        }
        if (r.time !== undefined) expect(Number.isFinite(r.time)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on deep nesting, huge numbers or odd unicode spelled as raw JSON', () => {
    const deep = fc.integer({ min: 1, max: 5000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`);
    const huge = fc
      .tuple(fc.constantFrom('', '-'), fc.integer({ min: 300, max: 100000 }))
      .map(([sign, exp]) => `${sign}1e${exp}`);
    const body = fc.oneof(
      deep.map((d) => `{"temp_c":${d},"ts":${TS}}`),
      huge.map((h) => `{"temp_c":${h},"ts":${TS},"supply":${h}}`),
      fc.string({ unit: 'binary' }).map((s) => `{"temp_c":${JSON.stringify(s)},"ts":${TS}}`),
      fc.string({ unit: 'binary' }).map((s) => `{${JSON.stringify(s)}:1,"temp_c":20,"ts":${TS}}`),
      fc.constantFrom(
        '{"temp_c":-0,"ts":1700000000}',
        '\uFEFF{"temp_c":20}',
        '{"temp_c":"\u0000"}',
      ),
    );
    fc.assert(
      fc.property(body, fc.constantFrom(...subs), (payload, sub) => {
        const r = mapPayload(sub, Buffer.from(payload));
        if (r.ok) {
          for (const v of Object.values(r.fields)) {
            expect(Number.isFinite(v) && Math.abs(v) <= 1e9).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
