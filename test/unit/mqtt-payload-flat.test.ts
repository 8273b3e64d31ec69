import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MqttSubscription } from '../../src/config/schema.ts';
import { mapPayload } from '../../src/ingest/mqtt/payload.ts';
import { flatPlan, readFlat } from '../../src/ingest/mqtt/payload-flat.ts';
import { fieldRules } from '../../src/ingest/mqtt/plausible.ts';

/** Issue 14: the usual flat payload read without JSON.parse, with JSON.parse's answers. */

const sub: MqttSubscription = {
  topic: 'heatnet/room/{household}',
  measurement: 'room',
  format: 'json',
  fields: { temp_c: 'temp_c', humidity_pct: 'rh' },
  time: 'ts',
  qos: 1,
};
const rules = fieldRules(sub);
const plan = () => flatPlan([...rules.map((r) => r.path), 'ts'])!;
const TS = 1_700_000_000;

/** The result with and without the plan: they must never differ. */
function both(text: string | Buffer) {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  return { flat: mapPayload(sub, buf, rules, plan()), parsed: mapPayload(sub, buf, rules) };
}

describe('readFlat', () => {
  it('reads the usual payloads itself, exactly', () => {
    const p = plan();
    const cases: [string, number[]][] = [
      [`{"temp_c":21.5,"ts":${TS}}`, [21.5, Number.NaN, TS]],
      [` { "ts" : ${TS}000 ,\n"temp_c":-0.1,"rh":4.5e1 } `, [-0.1, 45, TS * 1000]],
      [
        '{"other":1,"temp_c":0.30000000000000004,"rh":1E-2}',
        [0.30000000000000004, 0.01, Number.NaN],
      ],
      ['{"temp_c":1,"temp_c":2}', [2, Number.NaN, Number.NaN]],
      ['{}', [Number.NaN, Number.NaN, Number.NaN]],
    ];
    for (const [text, want] of cases) {
      expect(readFlat(Buffer.from(text), p), text).toBe(true);
      const got = [...p.values].map((v, k) => (p.seen[k] ? v : Number.NaN));
      expect(got, text).toEqual(want);
    }
  });

  it('leaves anything else to JSON.parse', () => {
    const p = plan();
    for (const text of [
      '{"temp_c":"21.5"}',
      '{"temp_c":21.5,"meta":{"a":1}}',
      '{"temp_c":01}',
      '{"temp_c":.5}',
      '{"temp_c":+1}',
      '{"temp_c":1.}',
      '{"temp_c":1e}',
      '{"te\\u006dp_c":1}',
      '{"temp_c":true}',
      '{"temp_c":null}',
      '{"temp_c":1,}',
      '{"temp_c":1} x',
      '[1]',
      '\ufeff{"temp_c":1}',
      '{"temp_c":1',
      '',
    ]) {
      expect(readFlat(Buffer.from(text), p), text).toBe(false);
    }
  });

  it('gives mapPayload the same answer as JSON.parse on golden payloads', () => {
    for (const text of [
      `{"temp_c":21.5,"ts":${TS}}`,
      `{"temp_c":-0,"ts":${TS}}`,
      `{"temp_c":1e400,"ts":${TS}}`,
      `{"temp_c":-999,"ts":${TS}}`,
      `{"temp_c":70,"ts":${TS}}`,
      `{"temp_c":21.5}`,
      `{"temp_c":21.5,"ts":12}`,
      `{"rh":50,"ts":${TS}}`,
      `{"ts":${TS}}`,
      `{"temp_c":21.123456789012345678,"ts":1.7e12}`,
    ]) {
      const { flat, parsed } = both(text);
      expect(flat, text).toEqual(parsed);
    }
  });
});

describe('readFlat against JSON.parse (property)', () => {
  const key = fc.constantFrom('temp_c', 'rh', 'ts', 'x', '__proto__', 'temp_', 'té');
  const digits = fc.stringMatching(/^[0-9]{1,25}$/);
  const numberText = fc.oneof(
    fc.double().map((d) => JSON.stringify(d) ?? 'null'),
    fc.integer().map(String),
    fc
      .tuple(
        fc.constantFrom('', '-', '+'),
        digits,
        fc.option(digits),
        fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits)),
      )
      .map(([s, i, f, e]) => `${s}${i}${f === null ? '' : `.${f}`}${e === null ? '' : e.join('')}`),
    fc.constantFrom(
      '-0',
      '0',
      '1e22',
      '1e23',
      '123456789012345',
      '1234567890123456',
      TS.toString(),
    ),
  );
  const space = fc.constantFrom('', ' ', '\n', '\t', '\r\n  ');
  const member = fc
    .tuple(key, numberText, space, space)
    .map(([k, v, a, b]) => `${a}"${k}"${b}:${a}${v}${b}`);
  const flatText = fc.array(member, { maxLength: 5 }).map((m) => `{${m.join(',')}}`);

  it('answers as JSON.parse does, on flat objects, any JSON and any bytes', () => {
    const payload = fc.oneof(
      flatText,
      fc.json(),
      fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b)),
      flatText.chain((t) => fc.nat(t.length).map((cut) => t.slice(0, cut) + t.slice(cut + 1))),
    );
    fc.assert(
      fc.property(payload, (text) => {
        const { flat, parsed } = both(text);
        expect(flat).toEqual(parsed);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('readFlat within a socket read', () => {
  it('reads only its own bytes, whatever lies around them', () => {
    fc.assert(
      fc.property(fc.json(), fc.string(), fc.string(), (text, before, after) => {
        const payload = Buffer.from(text);
        const data = Buffer.concat([Buffer.from(before), payload, Buffer.from(after)]);
        const start = Buffer.byteLength(before);
        const alone = plan();
        const inside = plan();
        const ok = readFlat(payload, alone);
        expect(readFlat(data, inside, start, start + payload.length)).toBe(ok);
        if (ok) {
          expect([...inside.seen]).toEqual([...alone.seen]);
          expect([...inside.values]).toEqual([...alone.values]);
        }
      }),
      { numRuns: 1000 },
    );
    // A number that would run on into the next frame's bytes stops at the payload's end.
    const data = Buffer.from('{"temp_c":21}5');
    const p = plan();
    expect(readFlat(data, p, 0, data.length - 1)).toBe(true);
    expect(p.values[0]).toBe(21);
  });
});
