/**
 * Diagnostic preload: logs every async callback or promise reaction that held the event loop
 * longer than LONG_TURN_MS (default 40), to stderr, with its kind (a timer's or immediate's
 * callback name), its start (seconds since the process began) and the same instant on the
 * clock `--cpu-prof` uses, so a profile can be cut to exactly that turn. Slows the process
 * (every promise is hooked): for finding what stalls, not for figures.
 *   node --import tsx --import ./bench/support/long-turns.mjs [--cpu-prof] bench/complaints.ts …
 * Issue 10 found with it that the intake's late calls wait on a COMMIT blocked in fsync.
 */
import { createHook } from 'node:async_hooks';
import { writeSync } from 'node:fs';

const LIMIT_MS = Number(process.env.LONG_TURN_MS ?? 40);
const kinds = new Map();
const started = [];

createHook({
  init(id, type, _trigger, resource) {
    if (type === 'PROMISE') return;
    let name = '';
    if (type === 'Timeout') name = resource._onTimeout?.name ?? '';
    else if (type === 'Immediate') name = resource._onImmediate?.name ?? '';
    kinds.set(id, name ? `${type} ${name}` : type);
  },
  before() {
    started.push(performance.now(), process.hrtime.bigint());
  },
  after(id) {
    const hr = started.pop();
    const at = started.pop();
    if (at === undefined) return;
    const ms = performance.now() - at;
    if (ms <= LIMIT_MS) return;
    const kind = kinds.get(id) ?? 'PROMISE';
    writeSync(
      2,
      `[long-turn] ${(at / 1000).toFixed(2)} s ${ms.toFixed(1)} ms ${kind} profiler-us ${hr / 1000n}\n`,
    );
  },
  destroy(id) {
    kinds.delete(id);
  },
}).enable();
