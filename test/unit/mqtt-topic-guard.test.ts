import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  filterRefusal,
  MAX_TOPIC_BYTES,
  MAX_TOPIC_LEVELS,
  publishTopicRefusal,
} from '../../src/ingest/mqtt/topic-guard.ts';

/** A topic level as heatnet's devices write them: printable, no wildcard, not empty. */
const level = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/);
const goodTopic = fc
  .array(level, { minLength: 1, maxLength: 8 })
  .map((levels) => levels.join('/'))
  .filter((t) => !t.startsWith('$'));

describe('the embedded broker topic gate (issue 15, defect 3)', () => {
  it('accepts heatnet topics', () => {
    for (const topic of [
      'heatnet/room/S22/S22-B1/S22-B1-0101',
      'heatnet/building/S01/S01-B1',
      'heatnet/weather/ws1',
    ]) {
      expect(publishTopicRefusal(topic), topic).toBeNull();
    }
    fc.assert(fc.property(goodTopic, (t) => publishTopicRefusal(t) === null));
  });

  it('refuses each malformed shape with its reason', () => {
    expect(publishTopicRefusal('')).toBe('empty');
    expect(publishTopicRefusal('heatnet/building//S01')).toBe('empty-level');
    expect(publishTopicRefusal('/heatnet')).toBe('empty-level');
    expect(publishTopicRefusal('heatnet/')).toBe('empty-level');
    expect(publishTopicRefusal('heatnet/+/x')).toBe('wildcard');
    expect(publishTopicRefusal('heatnet/#')).toBe('wildcard');
    expect(publishTopicRefusal('$SYS/broker')).toBe('reserved');
    expect(publishTopicRefusal('heatnet/\u0000/x')).toBe('control-char');
    expect(publishTopicRefusal('heatnet/a\u009bb')).toBe('control-char');
    expect(publishTopicRefusal(`heatnet/${'é'.repeat(MAX_TOPIC_BYTES / 2)}`)).toBe('too-long');
    expect(
      publishTopicRefusal(
        Array(MAX_TOPIC_LEVELS + 1)
          .fill('a')
          .join('/'),
      ),
    ).toBe('too-long');
  });

  it('refuses every topic with an empty level, wherever it is', () => {
    fc.assert(
      fc.property(fc.array(level, { minLength: 1, maxLength: 6 }), fc.nat(6), (levels, at) => {
        const withEmpty = [...levels];
        withEmpty.splice(at % (levels.length + 1), 0, '');
        return publishTopicRefusal(withEmpty.join('/')) !== null;
      }),
    );
  });

  it('never throws, whatever the string (odd unicode, huge)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (s) => {
        const reason = publishTopicRefusal(s);
        return reason === null || typeof reason === 'string';
      }),
    );
  });

  it('lets subscriptions use wildcards, but not control characters', () => {
    expect(filterRefusal('heatnet/room/+/+/+')).toBeNull();
    expect(filterRefusal('heatnet/#')).toBeNull();
    expect(filterRefusal('heatnet/\u0001')).toBe('control-char');
    expect(filterRefusal('')).toBe('empty');
  });
});
