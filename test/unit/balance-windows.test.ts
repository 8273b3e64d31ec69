import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SubstationInput } from '../../src/balance/types.ts';
import { gatherInputs, type InputSources } from '../../src/balance-runner/inputs.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import type { Reading } from '../../src/core/reading.ts';
import { Topology } from '../../src/domain/topology.ts';
import { BalanceWindows } from '../../src/state/balance-windows.ts';
import { BucketPool } from '../../src/state/bucket-pool.ts';
import { LiveState } from '../../src/state/live-state.ts';
import { RollingWindow } from '../../src/state/rolling-window.ts';
import { TEST_TOKENS } from '../support/config.ts';

const MIN = 60_000;

describe('RollingWindow', () => {
  /**
   * Bucket width 1000 ms: samples 1200 → 1, 1800 → 3 share bucket [1000, 2000);
   * 2500 → 5 in [2000, 3000); 3100 → 7 in [3000, 4000).
   */
  const filled = () => {
    const w = new RollingWindow(60 * MIN, 1000);
    w.add(1200, 1);
    w.add(1800, 3);
    w.add(2500, 5);
    w.add(3100, 7);
    return w;
  };

  it('means over the buckets overlapping (from, to]', () => {
    const w = filled();
    expect(w.buckets).toBe(3);
    expect(w.mean(0, 4000)).toBe(4); // (1 + 3 + 5 + 7)/4
    // [1000, 2000) ends at 2000: it does not overlap (2000, 4000]
    expect(w.mean(2000, 4000)).toBe(6); // (5 + 7)/2
    // (1999, 2000] touches [1000, 2000) and [2000, 3000): edges resolve to whole buckets
    expect(w.mean(1999, 2000)).toBe(3); // (1 + 3 + 5)/3
    expect(w.mean(3999, 5000)).toBe(7);
    expect(w.mean(4000, 9000)).toBeNull();
    expect(w.mean(0, 999)).toBeNull();
  });

  it('lastAt is the newest sample time at or before the asked time, whatever the arrival order', () => {
    expect(new RollingWindow(60 * MIN, 1000).lastAt(10_000)).toBeNull();
    const w = filled();
    expect(w.lastAt(10_000)).toBe(3100);
    w.add(500, 9); // late
    expect(w.lastAt(10_000)).toBe(3100);
    w.add(3150, 9);
    expect(w.lastAt(10_000)).toBe(3150);
    // Asked for an earlier time, a newer sample does not make the field look fresh.
    expect(w.lastAt(2500)).toBe(2500); // bucket [2000, 3000) straddles 2500
    expect(w.lastAt(1999)).toBe(1800); // newest in [1000, 2000)
    expect(w.lastAt(999)).toBe(500); // the late sample
    expect(w.lastAt(-1)).toBeNull();
  });

  it('puts late and out-of-order samples into their own bucket', () => {
    const w = filled();
    w.add(5200, 10); // [5000, 6000)
    w.add(2400, 20); // late, into the existing [2000, 3000)
    expect(w.buckets).toBe(4);
    expect(w.mean(2000, 2999)).toBe(12.5); // (5 + 20)/2
    w.add(4400, 30); // late, a new bucket between [3000, 4000) and [5000, 6000)
    expect(w.buckets).toBe(5);
    expect(w.mean(4000, 4999)).toBe(30);
    w.add(4600, 40); // same late bucket again: no duplicate bucket
    expect(w.buckets).toBe(5);
    expect(w.mean(4000, 4999)).toBe(35);
    w.add(300, 50); // late, earlier than everything: [0, 1000)
    expect(w.buckets).toBe(6);
    expect(w.mean(-1, 999)).toBe(50);
    // in-order samples still land in the newest bucket afterwards
    w.add(5900, 20);
    expect(w.buckets).toBe(6);
    expect(w.mean(5000, 5999)).toBe(15); // (10 + 20)/2
    // all samples: 1+3+5+7+10+20+30+40+50+20 = 186 over 10
    expect(w.mean(-1, 10_000)).toBe(18.6);
  });

  it('stays bounded by the window, not by the sampling rate', () => {
    const w = new RollingWindow(10_000, 1000);
    // 100 000 samples every 100 ms, value = index; newest at 9 999 900 ms
    for (let i = 0; i < 100_000; i++) w.add(i * 100, i);
    // buckets kept while start + 1000 > 9 999 900 − 10 000 → starts 9 989 000 … 9 999 000
    expect(w.buckets).toBe(11);
    // samples 99 890 … 99 999: mean (99 890 + 99 999)/2 = 99 944.5
    expect(w.mean(0, Number.MAX_SAFE_INTEGER)).toBe(99_944.5);
    expect(w.mean(0, 9_988_999)).toBeNull();
    // The segment is compacted too, not only the live range.
    expect(w.capacity).toBeLessThan(50);
  });

  it('agrees with a plain list of samples, late arrivals included (property)', () => {
    const bucketMs = 1000;
    const keepMs = 20_000;
    const sample = fc.record({
      time: fc.integer({ min: 0, max: 60_000 }),
      value: fc.integer({ min: -50, max: 50 }),
    });
    fc.assert(
      fc.property(
        fc.array(sample, { minLength: 1, maxLength: 80 }),
        fc.integer({ min: -1000, max: 61_000 }),
        fc.integer({ min: 0, max: 30_000 }),
        (samples, from, span) => {
          const w = new RollingWindow(keepMs, bucketMs);
          for (const x of samples) w.add(x.time, x.value);
          const newest = Math.max(...samples.map((x) => x.time));
          const bucket = (t: number) => Math.floor(t / bucketMs) * bucketMs;
          const to = from + span;
          const kept = samples.filter((x) => bucket(x.time) + bucketMs > newest - keepMs);
          const inside = kept.filter(
            (x) => bucket(x.time) + bucketMs > from && bucket(x.time) <= to,
          );
          const expected =
            inside.length === 0 ? null : inside.reduce((a, x) => a + x.value, 0) / inside.length;
          const actual = w.mean(from, to);
          if (expected === null) expect(actual).toBeNull();
          else expect(actual).toBeCloseTo(expected, 9);
          const before = kept.filter((x) => bucket(x.time) <= to).map((x) => x.time);
          expect(w.lastAt(to)).toBe(before.length === 0 ? null : Math.min(Math.max(...before), to));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps windows sharing one pool apart, as they grow, compact and move (property)', () => {
    const bucketMs = 1000;
    const keepMs = 12_000;
    const sample = fc.record({
      window: fc.integer({ min: 0, max: 3 }),
      time: fc.integer({ min: 0, max: 40_000 }),
      value: fc.double({ min: -100, max: 100, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 200 }), (samples) => {
        // A pool that starts tiny, so it grows under the windows while they are in use.
        const pool = new BucketPool(1);
        const shared = [0, 1, 2, 3].map(() => new RollingWindow(keepMs, bucketMs, pool));
        const alone = [0, 1, 2, 3].map(() => new RollingWindow(keepMs, bucketMs));
        for (const x of samples) {
          shared[x.window]!.add(x.time, x.value);
          alone[x.window]!.add(x.time, x.value);
        }
        for (let w = 0; w < 4; w++) {
          for (const [from, to] of [
            [-1, 50_000],
            [10_000, 20_000],
            [25_500, 39_000],
          ] as const) {
            expect(shared[w]!.mean(from, to)).toBe(alone[w]!.mean(from, to));
            expect(shared[w]!.lastAt(to)).toBe(alone[w]!.lastAt(to));
          }
          expect(shared[w]!.buckets).toBe(alone[w]!.buckets);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('moves windows down over the segments they left when they grow together', () => {
    const pool = new BucketPool(8);
    const windows = Array.from({ length: 20 }, () => new RollingWindow(1_000_000, 1000, pool));
    // Every window grows 8 → 16 → … → 128 buckets, leaving each smaller segment behind.
    for (let t = 0; t < 100; t++) for (const w of windows) w.add(t * 1000, t);
    for (const w of windows) {
      expect(w.buckets).toBe(100);
      expect(w.mean(0, 1e9)).toBe(49.5);
      expect(w.mean(90_000, 1e9)).toBe(94.5); // samples 90 … 99 (the bucket ending at 90 000 is out)
    }
    // 20 × 128 live; without compaction the left segments double it to 8,192.
    expect(pool.capacity).toBe(4096);
  });

  it('refuses to grow a pool past its most buckets, saying so', () => {
    const pool = new BucketPool(8, 64);
    const w = new RollingWindow(1_000_000, 1000, pool);
    // 8 → 16 → 32 buckets; moving to 64 would need the old 32 and the new 64 at once.
    for (let t = 0; t < 32; t++) w.add(t * 1000, t);
    expect(w.mean(0, 1e9)).toBe(15.5);
    expect(() => w.add(32_000, 32)).toThrow(/over 64 buckets/);
  });

  it('starts over in place when a sample leaves everything kept behind (a week-old backfill)', () => {
    const w = new RollingWindow(10_000, 1000);
    for (let i = 0; i < 50; i++) w.add(i * 3_600_000, i); // an hour apart, window 10 s
    expect(w.buckets).toBe(1);
    expect(w.mean(0, Number.MAX_SAFE_INTEGER)).toBe(49);
    expect(w.lastAt(Number.MAX_SAFE_INTEGER)).toBe(49 * 3_600_000);
    expect(w.capacity).toBe(8); // never grew: each sample took the first slot
    w.add(49 * 3_600_000 + 500, 51); // the same bucket again
    w.add(49 * 3_600_000 + 2500, 2); // the next one
    expect(w.buckets).toBe(2);
    expect(w.mean(0, Number.MAX_SAFE_INTEGER)).toBe(34); // (49 + 51 + 2)/3
  });

  it('drops a late sample that is already older than the horizon', () => {
    const w = new RollingWindow(10_000, 1000);
    w.add(100_000, 1);
    w.add(105_000, 2);
    w.add(80_000, 99); // [80 000, 81 000) ends before 105 000 − 10 000
    expect(w.buckets).toBe(2);
    expect(w.mean(0, 200_000)).toBe(1.5);
  });

  it('keeps a bucket until its end is keepMs behind the newest sample', () => {
    const w = new RollingWindow(10_000, 1000);
    w.add(0, 1); // [0, 1000)
    w.add(10_999, 3); // horizon 999: 0 + 1000 > 999 → kept
    expect(w.buckets).toBe(2);
    w.add(11_000, 5); // horizon 1000: 0 + 1000 ≤ 1000 → dropped
    expect(w.buckets).toBe(2);
    expect(w.mean(-1, 20_000)).toBe(4); // (3 + 5)/2
  });
});

describe('BalanceWindows', () => {
  const T = Date.parse('2026-01-10T00:00:00Z');

  it('routes room, substation and weather readings and ignores the rest', () => {
    const bw = new BalanceWindows(60 * MIN, () => 90);
    const readings: Reading[] = [
      {
        measurement: 'room',
        tags: { substation: 'S01', building: 'S01-B1', household: 'S01-B1-0101' },
        fields: { temp_c: 21 },
        time: T,
      },
      // no household tag / a non-numeric temperature: ignored
      { measurement: 'room', tags: { substation: 'S01' }, fields: { temp_c: 21 }, time: T },
      {
        measurement: 'room',
        tags: { substation: 'S01', household: 'S01-B1-0102' },
        fields: { temp_c: 'warm' },
        time: T,
      },
      {
        measurement: 'substation',
        tags: { substation: 'S01', source: 'P1' },
        fields: {
          primary_flow_m3h: 12,
          secondary_supply_temp_c: 50,
          control_valve_pct: 40, // not a balancing field
          overtemp_alarm: false, // not numeric
          controller_model: 'X1',
        },
        time: T,
      },
      { measurement: 'substation', tags: {}, fields: { primary_flow_m3h: 1 }, time: T },
      { measurement: 'weather', tags: { station: 'W1' }, fields: { outdoor_temp_c: -5 }, time: T },
      { measurement: 'weather', tags: { station: 'W2' }, fields: { humidity: 80 }, time: T },
      {
        measurement: 'pump',
        tags: { substation: 'S01', pump: 'S01-P1' },
        fields: { frequency_hz: 40 },
        time: T,
      },
      {
        measurement: 'building',
        tags: { substation: 'S01', building: 'S01-B1' },
        fields: { supply_temp_c: 50 },
        time: T,
      },
    ];
    bw.apply(readings);

    expect([...bw.rooms.keys()]).toEqual(['S01']);
    const rooms = [...bw.rooms.get('S01')!.values()];
    expect(rooms.map((r) => r.household)).toEqual(['S01-B1-0101']);
    expect(rooms[0]!.mean(T - 1, T)).toBe(21);
    // no area lookup given: every household weighs 1
    expect(rooms[0]!.areaM2).toBe(90);

    expect([...bw.substations.keys()]).toEqual(['S01']);
    expect([...bw.substations.get('S01')!.keys()].sort()).toEqual([
      'primary_flow_m3h',
      'secondary_supply_temp_c',
    ]);
    expect(
      bw.substations
        .get('S01')!
        .get('primary_flow_m3h')!
        .mean(T - 1, T),
    ).toBe(12);

    expect([...bw.weather.keys()]).toEqual(['W1']);
    expect(bw.weather.get('W1')!.mean(T - 1, T)).toBe(-5);
  });

  it('keeps one room window per household and station, weighted by its looked-up area', () => {
    const looked: string[] = [];
    const bw = new BalanceWindows(60 * MIN, (h) => {
      looked.push(h);
      return h === 'H1' ? 98 : undefined;
    });
    const room = (substation: string, household: string, time: number, temp: number): Reading => ({
      measurement: 'room',
      tags: { substation, household },
      fields: { temp_c: temp },
      time,
    });
    bw.apply([room('S01', 'H1', T, 20), room('S01', 'H2', T, 18), room('S01', 'H1', T + MIN, 22)]);
    bw.apply([room('S02', 'H1', T, 30)]);
    const s1 = [...bw.rooms.get('S01')!.values()];
    // H2 is unknown to the network: refused and counted, never a reporting household.
    expect(s1.map((r) => [r.household, r.areaM2])).toEqual([['H1', 98]]);
    expect(bw.rejectedUnknown).toBe(1);
    expect(s1[0]!.mean(T - 1, T + MIN)).toBe(21); // (20 + 22)/2
    // the same household id under another station is a window of its own
    const s2 = [...bw.rooms.get('S02')!.values()];
    expect(s2.map((r) => r.household)).toEqual(['H1']);
    expect(s2[0]!.mean(T - 1, T + MIN)).toBe(30);
    // the area is looked up once per sensor, not per reading
    expect(looked).toEqual(['H1', 'H2', 'H1']);
  });

  it('notes when a pump setpoint changes, per substation, ignoring repeats and noise', () => {
    const bw = new BalanceWindows(60 * MIN, () => 90);
    const pump = (time: number, hz: number): Reading => ({
      measurement: 'pump',
      tags: { substation: 'S01', pump: 'S01-P1' },
      fields: { frequency_setpoint_hz: hz },
      time,
    });
    bw.apply([pump(T, 40), pump(T + MIN, 40), pump(T + 2 * MIN, 40.01)]);
    expect(bw.setpointChangedAt.get('S01')).toBeUndefined();
    bw.apply([pump(T + 3 * MIN, 35), pump(T + 4 * MIN, 35)]);
    expect(bw.setpointChangedAt.get('S01')).toBe(T + 3 * MIN);
  });

  it('keeps a quarter more than the window, in sixtieths of the window', () => {
    // window 60 min → keep 75 min, buckets of 60 s (T is on a whole minute)
    const bw = new BalanceWindows(60 * MIN, () => 90);
    const at = (time: number, v: number): Reading => ({
      measurement: 'weather',
      tags: { station: 'W1' },
      fields: { outdoor_temp_c: v },
      time,
    });
    bw.apply([at(T + 10_000, 1), at(T + 50_000, 3)]); // one bucket [T, T + 60 s)
    const w = bw.weather.get('W1')!;
    expect(w.buckets).toBe(1);
    bw.apply([at(T + 75 * MIN, 5)]); // horizon T: T + 60 s > T → kept
    expect(w.buckets).toBe(2);
    expect(w.mean(T - 1, T + MIN)).toBe(2);
    bw.apply([at(T + 76 * MIN, 7)]); // horizon T + 60 s → the first bucket goes
    expect(w.buckets).toBe(2);
    expect(w.mean(T - 1, T + MIN)).toBeNull();
    expect(w.lastAt(T + 80 * MIN)).toBe(T + 76 * MIN);
  });

  it('never uses buckets under a second', () => {
    // 30 s window → 500 ms would be a sixtieth; clamped to 1000 ms
    const bw = new BalanceWindows(30_000, () => 90);
    const at = (time: number): Reading => ({
      measurement: 'weather',
      tags: { station: 'W1' },
      fields: { outdoor_temp_c: 0 },
      time,
    });
    bw.apply([at(T), at(T + 400), at(T + 900), at(T + 1000)]);
    expect(bw.weather.get('W1')!.buckets).toBe(2);
  });
});

describe('gatherInputs', () => {
  // The demo network: balance defaults (window 60 min, stale after 20 min),
  // standards.indoor.minC 18. S01 has pump S01-P1 (VFD S01-P1-vfd) and households
  // S01-B1-FFUU (98 m², 20 of them) and S01-B2-FFUU (117 m², 39 of them).
  const loaded = parseConfig(readFileSync('config/demo.yaml', 'utf8'), TEST_TOKENS, 'demo');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const config: Config = loaded.config;
  const topology = new Topology(config.network);
  const T0 = Date.parse('2026-01-10T00:00:00Z');
  const AT = T0 + 60 * MIN;
  const ago = (min: number) => AT - min * MIN;

  const plc = (time: number, fields: Record<string, number>): Reading => ({
    measurement: 'substation',
    tags: { substation: 'S01', source: 'P1' },
    fields,
    time,
  });
  const room = (household: string, time: number, temp: number): Reading => ({
    measurement: 'room',
    tags: { substation: 'S01', building: household.slice(0, 6), household },
    fields: { temp_c: temp },
    time,
  });
  const weather = (station: string, time: number, v: number): Reading => ({
    measurement: 'weather',
    tags: { station },
    fields: { outdoor_temp_c: v },
    time,
  });
  const pumpReading = (
    substation: string,
    pump: string,
    time: number,
    fields: Reading['fields'],
  ): Reading => ({ measurement: 'pump', tags: { substation, pump }, fields, time });

  function sources(readings: Reading[], devices: InputSources['devices']): InputSources {
    const windows = new BalanceWindows(
      config.balance.windowMin * MIN,
      (h) => topology.household(h)?.areaM2,
    );
    const state = new LiveState();
    windows.apply(readings);
    state.apply(readings);
    return { config, topology, windows, state, devices };
  }

  const readings: Reading[] = [
    // secondary supply: 50, 52, 54 → mean 52, newest 10 min old (fresh)
    plc(ago(50), { secondary_supply_temp_c: 50 }),
    plc(ago(30), { secondary_supply_temp_c: 52 }),
    plc(ago(10), { secondary_supply_temp_c: 54 }),
    // primary flow: newest sample 25 min old > 20 min → stale → null
    plc(ago(50), { primary_flow_m3h: 10 }),
    plc(ago(25), { primary_flow_m3h: 12 }),
    // primary supply: newest exactly 20 min old → still fresh
    plc(ago(20), { primary_supply_temp_c: 90 }),
    // primary return: 999 at 70 min and 60.5 min ago (its minute bucket ends at the
    // window start, so it does not overlap the window); 60 at 5 min
    plc(ago(70), { primary_return_temp_c: 999 }),
    plc(ago(60.5), { primary_return_temp_c: 999 }),
    plc(ago(5), { primary_return_temp_c: 60 }),
    // heat power: a sample after `at` does not count
    plc(ago(5), { heat_power_kw: 500 }),
    plc(AT + MIN, { heat_power_kw: 9999 }),
    // pressures: 0.6 − 0.55 = 0.05 MPa
    plc(ago(3), { primary_supply_pressure_mpa: 0.6, primary_return_pressure_mpa: 0.55 }),
    // rooms: 0101 (98 m²) 20 and 22 → 21; B2-0101 (117 m²) 17; B1-0102 stale (30 min)
    room('S01-B1-0101', ago(40), 20),
    room('S01-B1-0101', ago(10), 22),
    room('S01-B2-0101', ago(15), 17),
    room('S01-B1-0102', ago(30), 25),
    // weather: W1 −6, −4 → −5; W2 −3; W3 stale (45 min)
    weather('W1', ago(30), -6),
    weather('W1', ago(10), -4),
    weather('W2', ago(5), -3),
    weather('W3', ago(45), 30),
    // pumps
    pumpReading('S01', 'S01-P1', ago(2), {
      frequency_hz: 42.5,
      frequency_setpoint_hz: 43,
      running: true,
      fault_code: 0,
    }),
    pumpReading('S02', 'S02-P1', ago(30), { frequency_hz: 35, running: true, fault_code: 4 }),
    pumpReading('S03', 'S03-P1', ago(1), { frequency_hz: 38, running: false, fault_code: 2 }),
  ];
  const devices: InputSources['devices'] = () => [
    { id: 'S01-P1-vfd', state: 'up' },
    { id: 'S02-P1-vfd', state: 'down' },
    { id: 'S04-P1-vfd', state: 'unknown' },
  ];
  const input = gatherInputs(sources(readings, devices), AT);
  const sub = (id: string): SubstationInput => input.substations.find((s) => s.id === id)!;

  it('covers every substation of the topology, in its order', () => {
    expect(input.at).toBe(AT);
    expect(input.substations.map((s) => s.id)).toEqual(topology.substations.map((s) => s.id));
    expect(input.substations).toHaveLength(22);
    expect(sub('S01')).toMatchObject({ source: 'P1', branch: 'north', distanceM: 354 });
  });

  it('derives the design flow from the heated area', () => {
    // 20·98 + 39·117 = 1960 + 4563 = 6523 m² → 293.535 kW / (1.1347917·50) = 5.173372 m³/h
    expect(sub('S01').heatedAreaM2).toBe(6523);
    expect(sub('S01').designFlowM3h).toBeCloseTo(5.1733724986230945, 9);
  });

  it('gives window means of fresh fields and null for stale or missing ones', () => {
    const s = sub('S01').signals;
    expect(s.secondarySupplyC).toBe(52);
    expect(s.primaryFlowM3h).toBeNull(); // stale: newest 25 min > 20 min
    expect(s.primarySupplyC).toBe(90); // newest exactly 20 min old
    expect(s.primaryReturnC).toBe(60); // the samples before the window left out
    expect(s.heatPowerKw).toBe(500); // the later sample left out
    expect(s.primaryDpMpa).toBeCloseTo(0.05, 12);
    expect(s.secondaryReturnC).toBeNull();
    expect(s.makeupM3h).toBeNull();
  });

  it('gives an all-null station where nothing arrived', () => {
    expect(Object.values(sub('S02').signals).every((v) => v === null)).toBe(true);
  });

  it('needs both pressures for the differential pressure', () => {
    const only = gatherInputs(
      sources([plc(ago(3), { primary_supply_pressure_mpa: 0.6 })], devices),
      AT,
    );
    expect(only.substations.find((s) => s.id === 'S01')!.signals.primaryDpMpa).toBeNull();
  });

  it('averages rooms by area over the reporting households only', () => {
    // (98·21 + 117·17) / (98 + 117) = (2058 + 1989) / 215 = 4047/215 = 18.823256
    const r = sub('S01').rooms;
    expect(r.households).toBe(59);
    expect(r.reporting).toBe(2);
    expect(r.meanC).toBeCloseTo(4047 / 215, 12);
    // 17 < 18: 1 of 2 reporting households cold
    expect(r.coldShare).toBe(0.5);
  });

  it('reports no room data for stations without fresh rooms', () => {
    // S02: 14·4 + 18·4 + 16·4 + 11·4 + 11·4 + 15·3 = 56 + 72 + 64 + 44 + 44 + 45 = 325
    expect(sub('S02').rooms).toEqual({
      households: 325,
      reporting: 0,
      meanC: null,
      coldShare: null,
    });
    const stale = gatherInputs(sources([room('S01-B1-0101', ago(30), 21)], devices), AT);
    expect(stale.substations.find((s) => s.id === 'S01')!.rooms).toEqual({
      households: 59,
      reporting: 0,
      meanC: null,
      coldShare: null,
    });
  });

  it('reads pumps from the live state, healthy only when their VFD is up', () => {
    expect(sub('S01').pumps).toEqual([
      {
        id: 'S01-P1',
        ratedHz: 50,
        minHz: 25,
        maxHz: 50,
        maxStepHz: 5,
        hz: 42.5,
        setpointHz: 43,
        running: true,
        faultCode: 0,
        healthy: true,
      },
    ]);
    // VFD down; its readings 30 min old are stale
    expect(sub('S02').pumps[0]).toMatchObject({
      hz: null,
      setpointHz: null,
      running: null,
      faultCode: null,
      healthy: false,
    });
    // fresh readings but no device state reported for its VFD
    expect(sub('S03').pumps[0]).toMatchObject({
      hz: 38,
      running: false,
      faultCode: 2,
      healthy: false,
    });
    // device state 'unknown' is not healthy
    expect(sub('S04').pumps[0]!.healthy).toBe(false);
  });

  it('averages the outdoor temperature over fresh weather stations', () => {
    // W1 mean −5, W2 −3, W3 stale → (−5 + −3)/2 = −4 (not the sample mean −13/3)
    expect(input.outdoorC).toBe(-4);
  });

  it('has no outdoor temperature without fresh weather', () => {
    expect(gatherInputs(sources([weather('W1', ago(45), -5)], devices), AT).outdoorC).toBeNull();
    expect(gatherInputs(sources([], devices), AT).outdoorC).toBeNull();
  });
});
