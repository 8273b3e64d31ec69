import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Reading } from '../../src/core/reading.ts';
import { RetryLog } from '../../src/ingest/mqtt/retry-log.ts';

/**
 * The delivery session keeps a refused group's readings compactly for the retry (issue 14):
 * what comes back must equal what went in, in order, whatever the readings hold.
 */

const tags = Object.freeze({ household: 'S01-B1-0001', substation: 'S01' });
const ints: ReadonlySet<string> = new Set(['count']);

describe('RetryLog', () => {
  it('gives back room readings, several-field, string and integer readings, in order', () => {
    const readings: Reading[] = [
      { measurement: 'room', tags, fields: { temp_c: 21.5 }, time: 1_700_000_000_000 },
      { measurement: 'room', tags, fields: { temp_c: -0.25 }, time: 1_700_000_001_000 },
      { measurement: 'meter', tags, fields: { flow: 1.5, power: 3 }, time: 5 },
      { measurement: 'meter', tags, fields: { state: 'ok' }, time: 6 },
      { measurement: 'meter', tags, fields: { on: true }, time: 7 },
      { measurement: 'meter', tags, fields: { count: 4 }, intFields: ints, time: 8 },
      { measurement: 'room', tags: { household: 'x' }, fields: { temp_c: 20 }, time: 9 },
      { measurement: 'room', tags, fields: {}, time: 10 },
    ];
    const log = new RetryLog();
    log.append(readings.slice(0, 3));
    log.append(readings.slice(3));
    expect(log.size).toBe(readings.length);
    const back = log.readings();
    expect(back).toEqual(readings);
    // Tags and integer fields stay the very objects storage and the router key by.
    expect(back[0]!.tags).toBe(tags);
    expect(back[5]!.intFields).toBe(ints);
    expect('intFields' in back[0]!).toBe(false);
  });

  it('gives back the readings asked for as the very objects', () => {
    const kept: Reading = { measurement: 'room', tags, fields: { temp_c: 99 }, time: 2 };
    const other: Reading = { measurement: 'room', tags, fields: { temp_c: 20 }, time: 1 };
    const log = new RetryLog();
    log.append([other, kept], new Set([kept]));
    const back = log.readings();
    expect(back[1]).toBe(kept);
    expect(back[0]).not.toBe(other);
    expect(back[0]).toEqual(other);
  });

  it('gives back any readings unchanged (property)', () => {
    const value = fc.oneof(fc.double(), fc.integer(), fc.boolean(), fc.string());
    const reading = fc.record({
      measurement: fc.constantFrom('room', 'meter'),
      tags: fc.constantFrom(tags, { a: 'b' }),
      fields: fc.dictionary(fc.constantFrom('temp_c', 'flow', 'state'), value),
      time: fc.oneof(fc.integer(), fc.double()),
    });
    fc.assert(
      fc.property(fc.array(fc.array(reading, { maxLength: 8 }), { maxLength: 6 }), (batches) => {
        const log = new RetryLog();
        for (const b of batches) log.append(b);
        expect(log.readings()).toEqual(batches.flat());
      }),
      { numRuns: 2_000 },
    );
  });
});
