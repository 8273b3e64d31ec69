import { describe, expect, it } from 'vitest';
import { SeriesRecord, SharedTags, seriesTags } from '../../src/core/series-tags.ts';

describe('seriesTags and SeriesRecord', () => {
  it('freezes the tags and shows only the tag values', () => {
    const tags = seriesTags({ substation: 'S01', household: 'H1' });
    expect(Object.isFrozen(tags)).toBe(true);
    expect(Object.keys(tags)).toEqual(['substation', 'household']);
    expect(JSON.stringify(tags)).toBe('{"substation":"S01","household":"H1"}');
    expect({ ...tags }).toEqual({ substation: 'S01', household: 'H1' });
    const seen: string[] = [];
    for (const k in tags) seen.push(k);
    expect(seen).toEqual(['substation', 'household']);
  });

  it('keeps one record per consumer and per tags object', () => {
    const a = new SeriesRecord<string>();
    const b = new SeriesRecord<number>();
    const one = seriesTags({ household: 'H1' });
    const two = seriesTags({ household: 'H1' });
    a.set(one, 'first');
    b.set(one, 7);
    expect(a.get(one)).toBe('first');
    expect(b.get(one)).toBe(7);
    // Equal tags in another object are another source's: nothing kept for them yet.
    expect(a.get(two)).toBeUndefined();
    a.set(one, 'again');
    expect(a.get(one)).toBe('again');
  });

  it('keeps nothing for tags that are not shared (a caller may change them)', () => {
    const record = new SeriesRecord<string>();
    const plain = { household: 'H1' };
    record.set(plain, 'x');
    expect(record.get(plain)).toBeUndefined();
    const frozen = Object.freeze({ household: 'H1' });
    record.set(frozen, 'x');
    expect(record.get(frozen)).toBeUndefined();
  });

  it('gives a producer one shared tags object per key', () => {
    const shared = new SharedTags();
    const a = shared.of('S1 ok', () => ({ substation: 'S1', status: 'ok' }));
    const again = shared.of('S1 ok', () => ({ substation: 'never', status: 'made' }));
    const other = shared.of('S1 cold', () => ({ substation: 'S1', status: 'cold' }));
    expect(again).toBe(a);
    expect(other).not.toBe(a);
    const record = new SeriesRecord<number>();
    record.set(a, 1);
    expect(record.get(again)).toBe(1);
  });
});
