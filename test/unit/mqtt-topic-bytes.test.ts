import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopicBytesMap } from '../../src/ingest/mqtt/topic-bytes.ts';

describe('TopicBytesMap', () => {
  it('finds a topic by its bytes anywhere in a buffer, exactly as a Map of strings would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.nat()), { maxLength: 40 }),
        fc.string(),
        (entries, pad) => {
          const bytes = new TopicBytesMap<number>(1000);
          const strings = new Map<string, number>();
          const at = (topic: string) => {
            const data = Buffer.from(pad + topic + pad);
            const start = Buffer.byteLength(pad);
            return [data, start, start + Buffer.byteLength(topic)] as const;
          };
          for (const [topic, value] of entries) {
            if (bytes.get(...at(topic)) === undefined) bytes.set(...at(topic), topic, value);
            if (!strings.has(topic)) strings.set(topic, value);
          }
          for (const [topic] of entries) expect(bytes.get(...at(topic))).toBe(strings.get(topic));
          expect(bytes.get(...at('never-set/topic'))).toBeUndefined();
        },
      ),
    );
  });

  it('keeps colliding topics apart and starts over past its bound', () => {
    // 'costarring' and 'liquid' collide in 32-bit FNV-1a; the 30-bit key keeps them together.
    const map = new TopicBytesMap<string>(3);
    for (const t of ['costarring', 'liquid']) map.set(Buffer.from(t), 0, t.length, t, t);
    expect(map.get(Buffer.from('costarring'), 0, 10)).toBe('costarring');
    expect(map.get(Buffer.from('liquid'), 0, 6)).toBe('liquid');
    // A topic that is not ASCII is compared byte by byte (its bytes are not its characters).
    const other = new TopicBytesMap<string>(10);
    const utf8 = Buffer.from('xx/é/топик/xx');
    other.set(utf8, 3, utf8.length - 3, 'é/топик', 'found');
    expect(other.get(Buffer.from('é/топик'), 0, Buffer.byteLength('é/топик'))).toBe('found');
    expect(other.get(Buffer.from('é/топиk'), 0, Buffer.byteLength('é/топиk'))).toBeUndefined();
    map.set(Buffer.from('c'), 0, 1, 'c', 'c');
    map.set(Buffer.from('d'), 0, 1, 'd', 'd'); // the fourth: the map starts over with it
    expect(map.get(Buffer.from('liquid'), 0, 6)).toBeUndefined();
    expect(map.get(Buffer.from('d'), 0, 1)).toBe('d');
  });

  it('finds every topic again after its chains doubled, several times over', () => {
    const map = new TopicBytesMap<number>(100_000);
    const topic = (k: number) => `heatnet/room/S${k % 37}/B${k % 401}/H${k}`;
    for (let k = 0; k < 10_000; k++) {
      const t = Buffer.from(topic(k));
      map.set(t, 0, t.length, topic(k), k);
    }
    for (let k = 0; k < 10_000; k++) {
      const t = Buffer.from(topic(k));
      expect(map.get(t, 0, t.length)).toBe(k);
    }
    const unknown = Buffer.from(topic(10_000));
    expect(map.get(unknown, 0, unknown.length)).toBeUndefined();
  });
});
