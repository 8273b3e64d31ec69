import { chmodSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** Names the run's folder between vitest.config.ts and the global teardown below. */
const VARIABLE = 'HEATNET_TEST_RUN_TMP';
const PREFIX = 'heatnet-tests-';

/**
 * The test run's own temporary folder, made once per run (the config may be evaluated more
 * than once). Tests, the servers they start and the heatnet processes they spawn all get it
 * as TMPDIR, so what they leave behind — data folders, stores, spools, sockets — goes with
 * it at the end. Before, every run left a few thousand folders in /tmp.
 */
export function runTmpDir(): string {
  let dir = process.env[VARIABLE];
  if (dir === undefined) {
    dir = mkdtempSync(join(tmpdir(), PREFIX));
    // As /tmp is: the tests' PostgreSQL runs as its own user, in a folder made for it here.
    chmodSync(dir, 0o1777);
    process.env[VARIABLE] = dir;
  }
  return dir;
}

/** Global setup: nothing to set up; the teardown removes the run's folder. */
export default function setup(): () => void {
  return () => {
    const dir = process.env[VARIABLE];
    // Only a folder this module made: never one an outer environment named.
    if (!dir || !basename(dir).startsWith(PREFIX)) return;
    if (realpathSync(dirname(dir)) !== realpathSync(tmpdir())) return;
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch (err) {
      // A server still exiting may hold a file a moment longer: a folder left is no failure.
      console.warn(`could not remove ${dir}: ${String(err)}`);
    }
  };
}
