import { describe, expect, it } from 'vitest';
import type { Reading } from '../../src/core/reading.ts';
import { seriesTags } from '../../src/core/series-tags.ts';
import { LiveState } from '../../src/state/live-state.ts';

const room = (tags: Reading['tags'], temp: number, time: number): Reading => ({
  measurement: 'room',
  tags,
  fields: { temp_c: temp },
  time,
});

describe('LiveState', () => {
  it('keeps the newest sample of each field, never rolled back by a late one', () => {
    const state = new LiveState();
    const tags = seriesTags({ substation: 'S01', household: 'H1' });
    state.apply([room(tags, 20, 2000), room(tags, 18, 1000)]);
    state.apply([
      { measurement: 'room', tags, fields: { humidity_pct: 40, temp_c: 21 }, time: 3000 },
    ]);
    const [series] = state.find('room', 'household', 'H1');
    expect(series?.fields.get('temp_c')).toEqual({ value: 21, time: 3000 });
    expect(series?.fields.get('humidity_pct')).toEqual({ value: 40, time: 3000 });
    expect(series?.fields.get('battery_v')).toBeUndefined();
    expect([...series!.fields].map(([field]) => field)).toEqual(['temp_c', 'humidity_pct']);
    expect(series?.fields.size).toBe(2);
    expect(series?.updatedAt).toBe(3000);
  });

  it('finds one series per tags whether they are shared, copied or rebuilt', () => {
    const state = new LiveState();
    const shared = seriesTags({ substation: 'S01', household: 'H1' });
    state.apply([room(shared, 20, 1000)]);
    // A plain object with the same tags (a one-off reading) and a second shared object
    // for the same topic (the router's cache was cleared) are the same series.
    state.apply([room({ substation: 'S01', household: 'H1' }, 21, 2000)]);
    state.apply([room(seriesTags({ substation: 'S01', household: 'H1' }), 22, 3000)]);
    expect(state.seriesCount).toBe(1);
    expect(state.find('room', 'household', 'H1')).toHaveLength(1);
    expect(state.find('room', 'household', 'H1')[0]?.fields.get('temp_c')?.value).toBe(22);
  });

  it('indexes every tag, one series alone or many', () => {
    const state = new LiveState();
    for (const h of ['H1', 'H2', 'H3']) {
      state.apply([room(seriesTags({ substation: 'S01', household: h }), 20, 1000)]);
    }
    state.apply([room({ substation: 'S02', household: 'H4' }, 19, 1000)]);
    expect(state.find('room', 'substation', 'S01').map((s) => s.tags.household)).toEqual([
      'H1',
      'H2',
      'H3',
    ]);
    expect(state.find('room', 'substation', 'S02').map((s) => s.tags.household)).toEqual(['H4']);
    expect(state.find('room', 'household', 'H9')).toEqual([]);
    expect(state.find('pump', 'substation', 'S01')).toEqual([]);
  });

  it('keeps a copy of tags it may not hold, and the same measurement apart from another', () => {
    const state = new LiveState();
    const tags: Record<string, string> = { substation: 'S01' };
    state.apply([{ measurement: 'substation', tags, fields: { flow_m3h: 5 }, time: 1 }]);
    tags.substation = 'S99';
    state.apply([
      { measurement: 'pump', tags: { substation: 'S01' }, fields: { hz: 40 }, time: 2 },
    ]);
    expect(state.find('substation', 'substation', 'S01')[0]?.tags).toEqual({ substation: 'S01' });
    expect(state.latest('pump', 'substation', 'S01').get('hz')).toEqual({ value: 40, time: 2 });
    expect(state.seriesCount).toBe(2);
  });

  it('merges the newest of each field across the series it finds', () => {
    const state = new LiveState();
    const a = seriesTags({ substation: 'S01', pump: 'P1', source: 'plc' });
    const b = seriesTags({ substation: 'S01', pump: 'P1', source: 'vfd' });
    state.apply([{ measurement: 'pump', tags: a, fields: { hz: 40, running: true }, time: 1 }]);
    state.apply([{ measurement: 'pump', tags: b, fields: { hz: 42 }, time: 2 }]);
    const latest = state.latest('pump', 'pump', 'P1');
    expect(latest.get('hz')).toEqual({ value: 42, time: 2 });
    expect(latest.get('running')).toEqual({ value: true, time: 1 });
  });
});
