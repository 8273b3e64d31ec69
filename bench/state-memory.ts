/**
 * What a network's households cost the heap, and a full GC over it (issue 10): at 250,000
 * households every object kept per household is marked on each major GC, and that marking
 * is what held complaint calls for up to a second. Builds the scale network's topology,
 * one shared tags object per room sensor (as the MQTT router keeps them per topic), the live
 * state and the balance windows fed 75 minutes of room readings (every 10 minutes), and
 * reports heap and array-buffer bytes per household for each, then the time of a full GC.
 *
 *   npx tsx bench/state-memory.ts [--substations 5000]
 */

import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Reading } from '../src/core/reading.ts';
import { seriesTags } from '../src/core/series-tags.ts';
import { Topology } from '../src/domain/topology.ts';
import { BalanceWindows } from '../src/state/balance-windows.ts';
import { LiveState } from '../src/state/live-state.ts';
import { scaleConfig } from './support/scale-app.ts';

const { values } = parseArgs({ options: { substations: { type: 'string', default: '5000' } } });

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Usage {
  heap: number;
  buffers: number;
}

function usage(): Usage {
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}

const parts: { part: string; heap: number; buffers: number }[] = [];

/** Runs `build`, and records what it added to the heap and to array buffers. */
function measure<T>(part: string, build: () => T): T {
  const before = usage();
  const built = build();
  const after = usage();
  parts.push({ part, heap: after.heap - before.heap, buffers: after.buffers - before.buffers });
  return built;
}

const config = scaleConfig({ substations: Number(values.substations), intervalS: 15, dir: '.' });
const topology = measure('topology', () => new Topology(config.network));
const rooms = topology.substations.flatMap((s) =>
  s.buildings.flatMap((b) => b.households.map((h) => ({ s, b, h }))),
);
const households = rooms.length;

const tags = measure('shared tags (one per sensor topic)', () =>
  rooms.map(({ s, b, h }) =>
    seriesTags({ substation: s.id, building: b.id, zone: h.zone, household: h.id }),
  ),
);
const start = Date.UTC(2026, 0, 15);
const feed = (apply: (batch: Reading[]) => void) => {
  for (let k = 0; k < 8; k++) {
    for (let i = 0; i < tags.length; i += 1000) {
      const batch: Reading[] = [];
      for (let j = i; j < Math.min(i + 1000, tags.length); j++) {
        const temp = 19 + ((j * 7 + k) % 40) / 10;
        batch.push({
          measurement: 'room',
          tags: tags[j]!,
          fields: { temp_c: temp },
          time: start + k * 600_000,
        });
      }
      apply(batch);
    }
  }
};
const state = measure('live state (room series)', () => {
  const live = new LiveState();
  feed((batch) => live.apply(batch));
  return live;
});
const windows = measure('balance windows (room windows)', () => {
  const area = new Map(rooms.map(({ h }) => [h.id, h.areaM2]));
  const w = new BalanceWindows(config.balance.windowMin * 60_000, (id) => area.get(id));
  feed((batch) => w.apply(batch));
  return w;
});

const gcMs: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  gc();
  gcMs.push(Math.round((performance.now() - t0) * 10) / 10);
}
gcMs.sort((a, b) => a - b);
const m = process.memoryUsage();
console.log(
  JSON.stringify(
    {
      date: new Date().toISOString(),
      households,
      bytesPerHousehold: parts.map((p) => ({
        part: p.part,
        heap: Math.round(p.heap / households),
        arrayBuffers: Math.round(p.buffers / households),
      })),
      heapUsedMb: Math.round(m.heapUsed / 2 ** 20),
      arrayBuffersMb: Math.round(m.arrayBuffers / 2 ** 20),
      rssMb: Math.round(m.rss / 2 ** 20),
      fullGcMs: { median: gcMs[2], min: gcMs[0], max: gcMs[4] },
      held: [topology, tags, state, windows].length,
    },
    null,
    2,
  ),
);
