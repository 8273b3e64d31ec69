import { readFileSync } from 'node:fs';

/**
 * The Node flags heatnet's launcher starts it with: those on the first line of
 * bin/heatnet.js (`#!/usr/bin/env -S node …`), so a bench that starts heatnet with
 * `node … bin/heatnet.js` runs it as `heatnet start` does.
 */
export function launcherFlags(): string[] {
  const first = readFileSync('bin/heatnet.js', 'utf8').split('\n', 1)[0] ?? '';
  const found = /^#!\/usr\/bin\/env -S node((?: -\S+)*)$/.exec(first);
  if (!found) throw new Error(`bin/heatnet.js: no "#!/usr/bin/env -S node" line: ${first}`);
  return found[1]!.split(' ').filter(Boolean);
}
