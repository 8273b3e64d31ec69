import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The layers of DESIGN §3 are enforced by the linter (biome.json's overrides of
 * `noRestrictedImports`). These tests lint probe files placed where a misplaced import
 * would be, with the repository's own biome.json, so a rule that stops matching fails here.
 */
const root = resolve(import.meta.dirname, '../..');
const sandbox = mkdtempSync(join(tmpdir(), 'heatnet-layering-'));
cpSync(join(root, 'biome.json'), join(sandbox, 'biome.json'));
symlinkSync(join(root, 'node_modules'), join(sandbox, 'node_modules'));
afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

let probes = 0;
/** Lints one file at `path` (relative to the repository root) holding `source`. */
function lint(path: string, source: string) {
  const file = join(sandbox, path.replace(/\.ts$/, `-${probes++}.ts`));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${source}\nexport const used = probe;\n`);
  const run = spawnSync(
    process.execPath,
    [join(root, 'node_modules/@biomejs/biome/bin/biome'), 'lint', '--vcs-enabled=false', file],
    { cwd: sandbox, encoding: 'utf8', timeout: 30_000 },
  );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const refused = (path: string, source: string) => {
  const run = lint(path, source);
  expect(run.output).toContain('noRestrictedImports');
  expect(run.status).not.toBe(0);
  return run.output;
};

describe('layering (biome noRestrictedImports)', { timeout: 30_000 }, () => {
  it('refuses a protocol library outside its adapter', () => {
    expect(refused('src/control/x.ts', "import probe from 'modbus-serial';")).toContain(
      'Only the Modbus adapter',
    );
    expect(refused('src/balance-runner/x.ts', "import probe from 'mqtt';")).toContain(
      'Only the MQTT adapter',
    );
    refused('src/api/x.ts', "import probe from 'better-sqlite3';");
    refused('src/control/x.ts', "import probe from 'pg';");
    refused('src/ingest/x.ts', "import probe from '@influxdata/influxdb-client';");
    refused('src/store/x.ts', "import probe from 'fastify';");
    expect(refused('src/alerts/x.ts', "import probe from 'nodemailer';")).toContain(
      'Only the e-mail channel',
    );
    refused('src/live/x.ts', "import probe from '@fastify/static';");
  });

  it('lets each adapter import its own protocol library', () => {
    expect(lint('src/ingest/modbus/x.ts', "import probe from 'modbus-serial';").status).toBe(0);
    expect(lint('src/ingest/mqtt/x.ts', "import probe from 'mqtt';").status).toBe(0);
    expect(lint('src/store/x.ts', "import probe from 'better-sqlite3';").status).toBe(0);
    expect(lint('src/api/routes/x.ts', "import probe from 'fastify';").status).toBe(0);
    expect(lint('src/api/routes/x.ts', "import probe from '@fastify/static';").status).toBe(0);
    expect(lint('src/alerts/channels/x.ts', "import probe from 'nodemailer';").status).toBe(0);
  });

  it('keeps the pure folders free of I/O, state and adapters', () => {
    const pure = 'A pure folder';
    expect(refused('src/balance/x.ts', "import probe from 'node:fs';")).toContain(pure);
    expect(refused('src/domain/x.ts', "import probe from 'fs';")).toContain(pure);
    expect(refused('src/balance/x.ts', "import probe from '../state/live-state.ts';")).toContain(
      pure,
    );
    refused('src/balance/x.ts', "import probe from '../ingest/modbus/health.ts';");
    refused('src/balance/x.ts', "import probe from '../core/logger.ts';");
    refused('src/domain/x.ts', "import probe from '../store/store.ts';");
    refused('src/diagnosis/x.ts', "import probe from '../state/live-state.ts';");
    refused('src/diagnosis/x.ts', "import probe from 'kysely';");
    refused('src/service/x.ts', "import probe from '../store/store.ts';");
    refused('src/balance/x.ts', "import probe from 'mqtt';");
    refused('src/alerting/x.ts', "import probe from 'node:timers';");
    refused('src/alerting/x.ts', "import probe from '../store/store.ts';");
    refused('src/alerting/x.ts', "import probe from 'nodemailer';");
  });

  it('lets the pure folders import each other, the config types and pure libraries', () => {
    const ok = [
      "import probe from '../domain/heating-curve.ts';",
      "import probe from '../config/schema.ts';",
      "import probe from 'simple-statistics';",
      "import probe from './types.ts';",
    ];
    for (const source of ok) expect(lint('src/balance/x.ts', source).status).toBe(0);
  });
});
