import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_TOKENS } from '../support/config.ts';

/**
 * `npm run build` emits JavaScript that plain `node` runs: the `.ts` import suffixes are
 * rewritten (rewriteRelativeImportExtensions), the simulator the CLI loads lazily is
 * emitted beside it. Same tsconfig.build.json as the script, but with --noCheck: type
 * errors are `npm run typecheck`'s job, and skipping the check more than halves the time
 * (about 10 s here under load, plus 4 s for check-config; budget 90 s). The output goes
 * under .tmp/ inside the checkout so node finds node_modules from there, and a
 * developer's dist/ is left alone.
 */
const out = (() => {
  mkdirSync('.tmp', { recursive: true });
  return mkdtempSync(join('.tmp', 'build-'));
})();

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run build', () => {
  it('emits a CLI that node runs without tsx: check-config on the demo config', () => {
    const tsc = spawnSync(
      process.execPath,
      [
        'node_modules/typescript/bin/tsc',
        '-p',
        'tsconfig.build.json',
        '--noCheck',
        '--outDir',
        out,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);

    // A fresh shell: none of the demo's token variables set.
    const env = { ...process.env };
    for (const name of Object.keys(TEST_TOKENS)) delete env[name];
    const run = spawnSync(
      process.execPath,
      [join(out, 'src', 'cli.js'), 'check-config', 'config/demo.yaml'],
      { encoding: 'utf8', env, timeout: 30_000 },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^config\/demo\.yaml: ok — 22 substations/);
  }, 90_000);
});
