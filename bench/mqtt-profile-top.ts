/**
 * Summarises a `node --cpu-prof` profile (bench/mqtt-burst.ts --profile DIR): the
 * functions with the most self time, and the share of busy time under the source files
 * that match a pattern, so each step of issue 14 can say what moved.
 *   npx tsx bench/mqtt-profile-top.ts FILE.cpuprofile [--top 25] [--last S [--skip-end S]]
 *     [--from-us A --to-us B]   (the burst's window as bench/mqtt-burst.ts --profile prints
 *     it, `profileWindowUs`: the monotonic clock in µs, which V8's profile times are on)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '25' },
    /** Only the samples of the last S seconds before `--skip-end` (the measured burst). */
    last: { type: 'string' },
    'skip-end': { type: 'string', default: '0' },
    'from-us': { type: 'string' },
    'to-us': { type: 'string' },
  },
});
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Profile;
const at: number[] = [];
let clock = 0;
for (const d of profile.timeDeltas) {
  clock += d;
  at.push(clock);
}
const window = values['from-us'] !== undefined && values['to-us'] !== undefined;
const end = window
  ? Number(values['to-us']) - profile.startTime
  : clock - Number(values['skip-end']) * 1e6;
const from = window
  ? Number(values['from-us']) - profile.startTime
  : values.last
    ? end - Number(values.last) * 1e6
    : Number.NEGATIVE_INFINITY;
const self = new Map<number, number>();
profile.samples.forEach((id, i) => {
  if (at[i]! < from || at[i]! > end) return;
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const label = (n: ProfileNode) => {
  const file = n.callFrame.url.replace(/^.*\/(node_modules|src)\//, '$1/');
  return `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
};
const bySelf = new Map<string, number>();
let busy = 0;
for (const [id, us] of self) {
  const n = byId.get(id)!;
  if (n.callFrame.functionName === '(idle)') continue;
  busy += us;
  bySelf.set(label(n), (bySelf.get(label(n)) ?? 0) + us);
}
console.log(`busy ${(busy / 1e6).toFixed(2)} s`);
const top = [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
for (const [name, us] of top)
  console.log(`${((100 * us) / busy).toFixed(1).padStart(5)} %  ${name}`);

// Inclusive time per source file (a frame counted once per sample even when recursive).
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const byFile = new Map<string, number>();
for (const [id, us] of self) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const url = byId.get(cur)!.callFrame.url;
    const m = /\/(src\/[^?]+|node_modules\/[^/]+(?:\/[^/]+)?)/.exec(url);
    if (m && !seen.has(m[1]!)) {
      seen.add(m[1]!);
      byFile.set(m[1]!, (byFile.get(m[1]!) ?? 0) + us);
    }
  }
}
console.log('\ninclusive by file');
const files = [...byFile].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
for (const [f, us] of files) console.log(`${((100 * us) / busy).toFixed(1).padStart(5)} %  ${f}`);
