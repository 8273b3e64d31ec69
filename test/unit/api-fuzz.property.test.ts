import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import type { AuditEntry } from '../../src/control/types.ts';
import { TEST_TOKENS, testConfig } from '../support/config.ts';
import { type ControlApi, controlApi } from '../support/control-api.ts';
import { freshTarget } from '../support/store.ts';

/**
 * Issue 15: every write route's body, fuzzed through `inject` with hostile values —
 * wrong types, non-finite and huge numbers, deep nesting, odd unicode, prototype keys,
 * raw bytes that are not JSON. Whatever comes in: no 5xx, the one error shape, nothing
 * but a plausible finite number reaches a drive, and every audit row stays well-formed.
 */

const ERROR_KEYS = new Set(['statusCode', 'error', 'message', 'code', 'field', 'auditId']);
const RUNS = 150;

/** Values of every JSON type, hostile ones weighted in. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    1e308,
    -1e308,
    5e-324,
    0,
    -0,
    45,
    '0x2D',
    '45',
    '',
    true,
    false,
    null,
    '\u0000',
    '\uD800',
    '\u202E45',
    '𝟒𝟓',
    'x'.repeat(600),
  ),
  fc.double(),
  fc.integer(),
  fc.string({ unit: 'binary' }),
  fc.jsonValue({ maxDepth: 4 }),
  fc.array(fc.integer(), { maxLength: 3 }),
);

/** Nesting deeper than any schema expects (a loop in the parser, not recursion). */
const deep = fc.integer({ min: 1, max: 5000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`);

const prototypeKeys = fc
  .constantFrom('__proto__', 'constructor', 'prototype', '\\u005f_proto__')
  .map((k) => `{"hz":45,"reason":"far end cold","${k}":{"polluted":true}}`);

/** A body as raw text: JSON objects with hostile fields, or something that is not JSON. */
const body: fc.Arbitrary<string> = fc.oneof(
  fc
    .record(
      { hz: hostileValue, reason: hostileValue, enabled: hostileValue, extra: hostileValue },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('{"hz":1e309,"reason":"far end cold"}', '{"hz":NaN}', '{"hz":Infinity}', '{'),
  deep,
  prototypeKeys,
);

function expectWellFormed(e: AuditEntry) {
  expect(typeof e.id).toBe('number');
  expect(typeof e.actor).toBe('string');
  expect(e.pump.length).toBeLessThanOrEqual(64);
  for (const hz of [e.requestedHz, e.beforeHz, e.readBackHz]) {
    if (hz !== null) expect(Number.isFinite(hz)).toBe(true);
  }
  expect(e.reason === null || typeof e.reason === 'string').toBe(true);
  if (e.series) {
    expect(Number.isInteger(e.series.attempts) && e.series.attempts > 1).toBe(true);
    expect(e.series.pumps.every((p) => typeof p === 'string')).toBe(true);
  }
}

describe('every write route’s body, fuzzed (issue 15)', () => {
  let config: Config;
  let api: ControlApi;
  let pump: string;

  beforeAll(async () => {
    config = await testConfig({ substations: 1 });
    pump = config.network.substations[0]!.pumps[0]!.id;
    api = await controlApi(config, await freshTarget('sqlite'));
  });

  afterAll(async () => {
    await api?.close();
  });

  const routes = () => [`/api/control/pumps/${pump}/frequency`, '/api/control/auto'];

  it('answers 2xx or 4xx in the one shape, never 5xx, and writes only plausible values', async () => {
    const pumpConfig = config.network.substations[0]!.pumps[0]!;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes()),
        body,
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain'),
        fc.boolean(),
        async (url, payload, contentType, authorised) => {
          const res = await api.http.inject({
            method: 'POST',
            url,
            payload,
            headers: {
              'content-type': contentType,
              ...(authorised
                ? { authorization: `Bearer ${TEST_TOKENS.HEATNET_DISPATCH_TOKEN}` }
                : {}),
            },
          });
          expect(res.statusCode, res.body).toBeLessThan(500);
          if (res.statusCode >= 400) {
            const answer = res.json() as Record<string, unknown>;
            expect(
              Object.keys(answer).every((k) => ERROR_KEYS.has(k)),
              res.body,
            ).toBe(true);
            expect(answer).toMatchObject({
              statusCode: res.statusCode,
              error: expect.any(String),
              message: expect.any(String),
              code: expect.stringMatching(/^(?!FST_)[A-Z_]+$/),
            });
            expect(answer.error).not.toBe('Error');
          }
        },
      ),
      { numRuns: RUNS },
    );
    for (const hz of api.writes) {
      expect(hz).toBeGreaterThanOrEqual(pumpConfig.minHz);
      expect(hz).toBeLessThanOrEqual(pumpConfig.maxHz);
    }
    expect(api.switches.every((s) => typeof s === 'boolean')).toBe(true);
    const rows = await api.audit.list({ limit: 1000 });
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expectWellFormed(row);
    // No prototype was polluted on the way.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
