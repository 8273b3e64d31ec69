import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crosscheck, fieldProblems } from '../../src/config/crosscheck.ts';
import { type ConfigIssue, formatIssue, pathToString } from '../../src/config/issues.ts';
import { type LoadResult, parseConfig } from '../../src/config/load.ts';
import type { Config, RegisterField } from '../../src/config/schema.ts';
import { storeTarget } from '../../src/store/build.ts';

const ENV = {
  DISPATCH_TOKEN: 'dispatch-token-0123456789',
  ADMIN_TOKEN: 'admin-token-0123456789ab',
};

/** A small valid config: 1 source, 2 substations, a register map, 2 devices, env tokens. */
const BASE = `site:
  name: test site
network:
  sources:
    - { id: P1 }
  substations:
    - id: S01
      source: P1
      distanceM: 300
      pumps:
        - { id: S01-P1, minHz: 25, maxHz: 50 }
      buildings:
        - id: S01-B1
          floors: 6
          unitsPerFloor: 2
          zones:
            - { id: low, floors: [1, 3] }
            - { id: high, floors: [4, 6] }
    - id: S02
      source: P1
      distanceM: 1200
      buildings:
        - id: S02-B1
          floors: 2
          zones: [{ id: low, floors: [1, 2] }]
ingest:
  modbus:
    maps:
      substation-plc-v1:
        - { field: supply_temp_c, area: holding, address: 0, type: float32 }
        - { field: return_temp_c, area: input, address: 12, type: int16, scale: 0.1, range: [-20, 130] }
        - { field: pump_running, area: coil, address: 0, type: bool }
    devices:
      - { id: S01-plc, substation: S01, kind: substation, url: "tcp://127.0.0.1:15001", map: substation-plc-v1 }
      - { id: S02-plc, substation: S02, kind: substation, url: "tcp://127.0.0.1:15002", unitId: 3, map: substation-plc-v1, enabled: false }
api:
  tokens:
    - { name: dispatcher, token: "env:DISPATCH_TOKEN", role: dispatcher }
    - { name: admin, token: "env:ADMIN_TOKEN", role: admin }
`;

/** BASE with text replacements; each must apply, so a stale edit cannot pass silently. */
function edit(...replacements: [string, string][]): string {
  let text = BASE;
  for (const [from, to] of replacements) {
    expect(text.includes(from), `edit target not found: ${from}`).toBe(true);
    text = text.replace(from, to);
  }
  return text;
}

/** 1-based line of the first line containing `marker` (computed from the text, not the code). */
function lineOf(text: string, marker: string): number {
  const index = text.split('\n').findIndex((l) => l.includes(marker));
  expect(index, `marker not found: ${marker}`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

function issuesOf(result: LoadResult): ConfigIssue[] {
  if (result.ok) throw new Error('expected the config to be rejected');
  return result.issues;
}

function configOf(result: LoadResult): Config {
  if (!result.ok) throw new Error(`expected a valid config:\n${result.issues.map(formatIssue)}`);
  return result.config;
}

function summary(issues: ConfigIssue[]): { path: string; line: number | undefined }[] {
  return issues.map((i) => ({ path: i.path, line: i.line }));
}

describe('parseConfig: a valid config', () => {
  const config = configOf(parseConfig(BASE, ENV, 'base.yaml'));

  it('keeps what the file says', () => {
    expect(config.site.name).toBe('test site');
    expect(config.network.substations.map((s) => [s.id, s.distanceM])).toEqual([
      ['S01', 300],
      ['S02', 1200],
    ]);
    expect(config.network.substations[0]?.pumps[0]).toMatchObject({ minHz: 25, maxHz: 50 });
    expect(config.ingest.modbus.devices[1]).toMatchObject({ unitId: 3, enabled: false });
  });

  it('applies the schema defaults', () => {
    expect(config.standards.indoor).toEqual({ minC: 18, targetC: 20, maxC: 24 });
    expect(config.standards.complianceTarget).toBe(0.97);
    expect(config.site.timezone).toBe('Asia/Shanghai');
    expect(config.site.heatingSeason).toEqual({ start: '11-01', end: '03-31' });
    expect(config.network.substations[0]?.branch).toBe('main');
    expect(config.network.substations[1]?.pumps).toEqual([]);
    expect(config.network.substations[0]?.buildings[0]?.areaPerUnitM2).toBe(90);
    expect(config.ingest.modbus.defaults.maxRegistersPerRequest).toBe(125);
    expect(config.ingest.mqtt.url).toBe('embedded');
    expect(config.storage.influx).toBeUndefined();
    expect(config.api.port).toBe(8080);
    expect(config.api.anonymousRead).toBe(false);
  });

  it('applies register field defaults inside the maps record', () => {
    const fields = config.ingest.modbus.maps['substation-plc-v1'];
    expect(fields).toHaveLength(3);
    expect(fields?.[0]).toMatchObject({
      order: 'ABCD',
      scale: 1,
      offset: 0,
      sentinels: true,
      writable: false,
    });
    // Explicit values survive the defaults.
    expect(fields?.[1]).toMatchObject({ scale: 0.1, range: [-20, 130], order: 'ABCD' });
  });

  it('applies device defaults (unitId 1, enabled)', () => {
    expect(config.ingest.modbus.devices[0]).toMatchObject({ unitId: 1, enabled: true });
  });

  it('resolves env:NAME from the env argument, not from process.env', () => {
    expect(config.api.tokens.map((t) => t.token)).toEqual([ENV.DISPATCH_TOKEN, ENV.ADMIN_TOKEN]);
  });

  it('keeps the relational store in SQLite in dataDir unless told otherwise', () => {
    expect(config.store).toEqual({ sqliteFsync: 'commit' });
    expect(storeTarget(config, '/srv/heatnet')).toEqual({
      engine: 'sqlite',
      path: '/srv/heatnet/data/heatnet.sqlite',
      fsync: 'commit',
    });
    const file = configOf(
      parseConfig(`${BASE}store: { sqlite: state/h.sqlite, sqliteFsync: grouped }\n`, ENV),
    );
    expect(storeTarget(file, '/srv/heatnet')).toEqual({
      engine: 'sqlite',
      path: '/srv/heatnet/state/h.sqlite',
      fsync: 'grouped',
    });
  });

  it('takes a PostgreSQL URL for the store from the environment', () => {
    const url = 'postgres://heatnet:secret@db.example:5432/heatnet';
    const text = `${BASE}store:\n  postgres: "env:HEATNET_PG_URL"\n`;
    const pg = configOf(parseConfig(text, { ...ENV, HEATNET_PG_URL: url }));
    expect(pg.store.postgres).toBe(url);
    expect(storeTarget(pg, '/srv/heatnet')).toEqual({ engine: 'postgres', url });
  });
});

describe('parseConfig: env references', () => {
  it('reports a missing variable at the token path and line', () => {
    const issues = issuesOf(parseConfig(BASE, { ADMIN_TOKEN: ENV.ADMIN_TOKEN }, 'c.yaml'));
    const missing = issues.find((i) => i.message.includes('DISPATCH_TOKEN'));
    expect(missing).toBeDefined();
    expect(missing?.message).toBe('environment variable DISPATCH_TOKEN is not set');
    expect(missing?.segments).toEqual(['api', 'tokens', 0, 'token']);
    expect(missing?.line).toBe(lineOf(BASE, 'env:DISPATCH_TOKEN'));
    expect(formatIssue(missing!)).toBe(
      `c.yaml:${lineOf(BASE, 'env:DISPATCH_TOKEN')}: api.tokens[0].token: environment variable DISPATCH_TOKEN is not set`,
    );
  });

  it('treats an empty variable as missing', () => {
    const issues = issuesOf(parseConfig(BASE, { ...ENV, ADMIN_TOKEN: '' }, 'c.yaml'));
    expect(issues.map((i) => i.message)).toContain('environment variable ADMIN_TOKEN is not set');
  });

  // A missing environment variable is reported with a dotted `path` like every other issue,
  // not only with segments that formatIssue() happens to fall back to.
  it('gives a missing variable a path string like every other issue', () => {
    const issues = issuesOf(parseConfig(BASE, { ADMIN_TOKEN: ENV.ADMIN_TOKEN }, 'c.yaml'));
    const missing = issues.find((i) => i.message.includes('DISPATCH_TOKEN'));
    expect(missing?.path).toBe('api.tokens[0].token');
  });

  it('leaves strings that only look like references alone', () => {
    const text = edit(['name: test site', 'name: "env:not a ref"']);
    expect(configOf(parseConfig(text, ENV)).site.name).toBe('env:not a ref');
  });
});

describe('parseConfig: every mistake is reported with its path and line', () => {
  it('reports all of several cross-reference mistakes at once', () => {
    const text = edit(
      ['map: substation-plc-v1 }\n      - { id: S02-plc', 'map: plc-v2 }\n      - { id: S02-plc'],
      ['substation: S02, kind', 'substation: S99, kind'],
      ['    - id: S02\n', '    - id: S01\n'],
      ['{ id: high, floors: [4, 6] }', '{ id: high, floors: [4, 5] }'],
      ['address: 0, type: float32 }', 'address: 0, type: float32, bit: 3 }'],
      ['minHz: 25, maxHz: 50', 'minHz: 50, maxHz: 50'],
    );
    const withStorage = `${text}storage:\n  influx: { url: "http://127.0.0.1:8086", version: 2, org: heat, bucket: heatnet }\n`;
    const issues = issuesOf(parseConfig(withStorage, ENV, 'c.yaml'));
    // The duplicate substation is the second "- id: S01" line.
    const dupLine = withStorage.split('\n').lastIndexOf('    - id: S01') + 1;
    const expected: { path: string; line: number; message: RegExp }[] = [
      {
        path: 'ingest.modbus.devices[0].map',
        line: lineOf(withStorage, 'map: plc-v2'),
        message: /^unknown map "plc-v2"$/,
      },
      {
        path: 'ingest.modbus.devices[1].substation',
        line: lineOf(withStorage, 'substation: S99'),
        message: /^unknown substation "S99"$/,
      },
      {
        path: 'network.substations[1].id',
        line: dupLine,
        message: /^duplicate substation id "S01" \(first at network\.substations\[0\]\.id\)$/,
      },
      {
        path: 'network.substations[0].buildings[0].zones',
        // The zones sequence starts on its first item.
        line: lineOf(withStorage, '{ id: low, floors: [1, 3] }'),
        message: /^floor 6 is in no zone$/,
      },
      {
        path: 'ingest.modbus.maps["substation-plc-v1"][0].bit',
        line: lineOf(withStorage, 'type: float32, bit: 3'),
        message: /use type bool \(not float32\)$/,
      },
      {
        path: 'network.substations[0].pumps[0].minHz',
        line: lineOf(withStorage, 'minHz: 50'),
        message: /^must be below maxHz \(50\)$/,
      },
      {
        path: 'storage.influx.token',
        line: lineOf(withStorage, 'version: 2'),
        message: /^is required for version 2$/,
      },
    ];
    expect(dupLine).toBeGreaterThan(lineOf(withStorage, '- id: S01'));
    expect(issues.map((i) => i.path).sort()).toEqual(expected.map((e) => e.path).sort());
    for (const { path, line, message } of expected) {
      const issue = issues.find((i) => i.path === path)!;
      expect(issue.message, path).toMatch(message);
      expect(issue.line, path).toBe(line);
      expect(issue.file).toBe('c.yaml');
    }
  });

  it('reports all of several schema mistakes at once', () => {
    const text = edit(
      ['area: input, address: 12', 'area: inputs, address: 12'],
      ['distanceM: 1200', 'distanceM: -5'],
      ['  name: test site\n', '  name: test site\n  colour: blue\n'],
      ['kind: substation, url: "tcp://127.0.0.1:15002"', 'kind: plc, url: "tcp://127.0.0.1:15002"'],
      ['floors: 2\n', 'floors: two\n'],
    );
    const issues = issuesOf(parseConfig(text, ENV, 'c.yaml'));
    expect(summary(issues)).toEqual(
      expect.arrayContaining([
        { path: 'site.colour', line: lineOf(text, 'colour: blue') },
        { path: 'network.substations[1].distanceM', line: lineOf(text, 'distanceM: -5') },
        {
          path: 'network.substations[1].buildings[0].floors',
          line: lineOf(text, 'floors: two'),
        },
        {
          path: 'ingest.modbus.maps["substation-plc-v1"][1].area',
          line: lineOf(text, 'area: inputs'),
        },
        { path: 'ingest.modbus.devices[1].kind', line: lineOf(text, 'kind: plc') },
      ]),
    );
    expect(issues).toHaveLength(5);
    const message = (path: string) => issues.find((i) => i.path === path)?.message;
    expect(message('site.colour')).toBe('unknown property');
    expect(message('network.substations[1].distanceM')).toBe('must be >= 0');
    // An enum collapses into one readable line naming the allowed values.
    expect(message('ingest.modbus.maps["substation-plc-v1"][1].area')).toBe(
      'must be one of "coil", "discrete", "holding", "input"',
    );
    expect(message('ingest.modbus.devices[1].kind')).toBe('must be one of "substation", "pump"');
  });

  // DESIGN §3: "Validation reports *every* error with its path" — schema mistakes must not
  // hide cross-reference mistakes (or the user gets a second list after fixing the first).
  it('reports schema and cross-reference mistakes together (six in one file)', () => {
    const text = edit(
      ['area: input, address: 12', 'area: inputs, address: 12'],
      ['map: substation-plc-v1 }\n      - { id: S02-plc', 'map: plc-v2 }\n      - { id: S02-plc'],
      ['    - id: S02\n', '    - id: S01\n'],
      ['substation: S02, kind', 'substation: S01, kind'],
      ['distanceM: 1200', 'distanceM: -5'],
      ['minHz: 25, maxHz: 50', 'minHz: 50, maxHz: 40, colour: red'],
    );
    const issues = issuesOf(parseConfig(text, ENV, 'c.yaml'));
    expect(summary(issues).sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'ingest.modbus.devices[0].map', line: lineOf(text, 'map: plc-v2') },
      {
        path: 'ingest.modbus.maps["substation-plc-v1"][1].area',
        line: lineOf(text, 'area: inputs'),
      },
      {
        path: 'network.substations[0].pumps[0].colour',
        line: lineOf(text, 'colour: red'),
      },
      {
        path: 'network.substations[0].pumps[0].minHz',
        line: lineOf(text, 'minHz: 50'),
      },
      {
        path: 'network.substations[1].distanceM',
        line: lineOf(text, 'distanceM: -5'),
      },
      {
        path: 'network.substations[1].id',
        line: text.split('\n').lastIndexOf('    - id: S01') + 1,
      },
    ]);
  });

  // One malformed element (`pumps: 5` on S02) must not hide the other mistakes a check would
  // find: the unknown source of S01 is still reported next to it.
  it('still reports other network mistakes when one substation is malformed', () => {
    const text = edit(
      ['      distanceM: 1200\n', '      distanceM: 1200\n      pumps: 5\n'],
      ['      source: P1\n      distanceM: 300', '      source: P9\n      distanceM: 300'],
    );
    const paths = issuesOf(parseConfig(text, ENV, 'c.yaml')).map((i) => i.path);
    expect(paths).toContain('network.substations[1].pumps');
    expect(paths).toContain('network.substations[0].source');
  });
});

describe('parseConfig: YAML errors', () => {
  const broken = edit(['  name: test site', '  name: [test site']);

  it('reports a syntax error with its line and stops there', () => {
    const issues = issuesOf(parseConfig(broken, ENV, 'c.yaml'));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/^YAML: /);
    expect(issues[0]?.line).toBe(lineOf(broken, 'name: [test site') + 1);
  });

  it('rejects duplicate keys', () => {
    const text = edit(['  name: test site', '  name: test site\n  name: again']);
    const issues = issuesOf(parseConfig(text, ENV, 'c.yaml'));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/YAML: .*unique/);
    // At the second occurrence, which is the one to delete.
    expect(issues[0]?.line).toBe(lineOf(text, 'name: again'));
  });

  // `heatnet check-config bad.yaml` must point at the file and line of a YAML syntax error,
  // not print a bare "(root): YAML: …".
  it('formats a syntax error with file and line, as check-config prints it', () => {
    const issues = issuesOf(parseConfig(broken, ENV, 'c.yaml'));
    expect(formatIssue(issues[0]!)).toMatch(/^c\.yaml:\d+: /);
  });

  it('reports a document that is not a mapping at the root', () => {
    const issues = issuesOf(parseConfig('just a string\n', ENV, 'c.yaml'));
    expect(issues).toEqual([
      expect.objectContaining({ path: '', message: 'must be object', line: 1 }),
    ]);
  });

  it('reports the required sections of an empty file', () => {
    const issues = issuesOf(parseConfig('', ENV, 'c.yaml'));
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ['site', 'is required'],
      ['network', 'is required'],
    ]);
  });
});

describe('parseConfig: single mistakes', () => {
  const cases: { name: string; text: string; path: string; message: RegExp; marker: string }[] = [
    {
      name: 'a required property missing (reported at its parent line)',
      text: edit(['  name: test site', '  timezone: UTC']),
      path: 'site.name',
      message: /^is required$/,
      marker: 'timezone: UTC',
    },
    {
      name: 'a balance cron expression that does not parse',
      text: edit(['api:\n', 'balance:\n  schedule: { cron: "every five minutes" }\napi:\n']),
      path: 'balance.schedule.cron',
      message: /^"every five minutes" is not a valid cron expression$/,
      marker: 'cron: "every five minutes"',
    },
    {
      name: 'a position split with no middle',
      text: edit(['api:\n', 'balance:\n  position: { nearUntil: 0.7, farFrom: 0.5 }\napi:\n']),
      path: 'balance.position',
      message: /^need nearUntil < farFrom \(got 0\.7, 0\.5\)$/,
      marker: 'position: { nearUntil',
    },
    {
      name: 'a pump device without a pump',
      text: edit([
        'kind: substation, url: "tcp://127.0.0.1:15001"',
        'kind: pump, url: "tcp://127.0.0.1:15001"',
      ]),
      path: 'ingest.modbus.devices[0].pump',
      message: /^is required for kind "pump"$/,
      marker: 'id: S01-plc',
    },
    {
      name: 'a device naming a pump of another substation',
      text: edit([
        'kind: substation, url: "tcp://127.0.0.1:15001"',
        'kind: pump, pump: S01-P9, url: "tcp://127.0.0.1:15001"',
      ]),
      path: 'ingest.modbus.devices[0].pump',
      message: /^unknown pump "S01-P9" at substation S01$/,
      marker: 'pump: S01-P9',
    },
    {
      name: 'a string field without length',
      text: edit(['type: float32 }', 'type: string }']),
      path: 'ingest.modbus.maps["substation-plc-v1"][0].length',
      message: /^required for strings$/,
      marker: 'type: string',
    },
    {
      name: 'overlapping register fields',
      text: edit([
        'address: 12, type: int16',
        'address: 12, type: int16 }\n        - { field: other_c, area: input, address: 11, type: int32',
      ]),
      path: 'ingest.modbus.maps["substation-plc-v1"][2].address',
      message: /^overlaps field "return_temp_c" \(input 12\)$/,
      marker: 'field: other_c',
    },
    {
      name: 'a coil field that is not bool',
      text: edit(['area: coil, address: 0, type: bool', 'area: coil, address: 0, type: int16']),
      path: 'ingest.modbus.maps["substation-plc-v1"][2].type',
      message: /^coil holds bits; type must be bool$/,
      marker: 'area: coil',
    },
    {
      name: 'a field running past the address space',
      text: edit(['address: 0, type: float32', 'address: 65535, type: float32']),
      path: 'ingest.modbus.maps["substation-plc-v1"][0].address',
      message: /^float32 at 65535 runs past 65535$/,
      marker: 'address: 65535',
    },
    {
      name: 'an inverted range',
      text: edit(['range: [-20, 130]', 'range: [130, -20]']),
      path: 'ingest.modbus.maps["substation-plc-v1"][1].range',
      message: /^low must be below high$/,
      marker: 'range: [130, -20]',
    },
    {
      name: 'a duplicate field name in a map',
      text: edit(['field: return_temp_c', 'field: supply_temp_c']),
      path: 'ingest.modbus.maps["substation-plc-v1"][1].field',
      message: /^duplicate field id "supply_temp_c"/,
      marker: 'address: 12',
    },
    {
      name: 'two devices at the same endpoint and unit',
      text: edit([
        'url: "tcp://127.0.0.1:15002", unitId: 3',
        'url: "tcp://127.0.0.1:15001", unitId: 1',
      ]),
      path: 'ingest.modbus.devices[1].unitId',
      message: /tcp:\/\/127\.0\.0\.1:15001#1/,
      marker: 'id: S02-plc',
    },
    {
      name: 'an unsupported device URL scheme',
      text: edit(['"tcp://127.0.0.1:15002"', '"udp://127.0.0.1:15002"']),
      path: 'ingest.modbus.devices[1].url',
      message: /unsupported scheme "udp:"/,
      marker: 'udp://',
    },
    {
      name: 'an explicit household above the top floor',
      text: edit([
        '          floors: 2\n',
        '          floors: 2\n          households:\n            - { id: H1, floor: 1 }\n            - { id: H2, floor: 3 }\n',
      ]),
      path: 'network.substations[1].buildings[0].households[1].floor',
      message: /^floor 3 above the building's 2$/,
      marker: 'id: H2',
    },
    {
      name: 'an unknown zone id',
      text: edit(['{ id: high, floors: [4, 6] }', '{ id: top, floors: [4, 6] }']),
      path: 'network.substations[0].buildings[0].zones[1].id',
      message: /^must be one of "low", "middle", "high"$/,
      marker: 'id: top',
    },
    {
      name: 'a zone past the top floor',
      text: edit(['{ id: high, floors: [4, 6] }', '{ id: high, floors: [4, 7] }']),
      path: 'network.substations[0].buildings[0].zones[1].floors',
      message: /^floor 7 above the building's 6$/,
      marker: 'floors: [4, 7]',
    },
    {
      name: 'an unknown source',
      text: edit([
        '      source: P1\n      distanceM: 1200',
        '      source: P2\n      distanceM: 1200',
      ]),
      path: 'network.substations[1].source',
      message: /^unknown source "P2"$/,
      marker: 'source: P2',
    },
    {
      name: 'influx v1 without db',
      text: `${BASE}storage:\n  influx: { url: "http://x:8086", version: 1 }\n`,
      path: 'storage.influx.db',
      message: /^is required for version 1$/,
      marker: 'influx:',
    },
    {
      name: 'an influx version that does not exist',
      text: `${BASE}storage:\n  influx: { url: "http://x:8086", version: 3, db: x }\n`,
      path: 'storage.influx.version',
      message: /^must be one of 1, 2$/,
      marker: 'influx:',
    },
    {
      name: 'a store with both engines',
      text: `${BASE}store:\n  sqlite: data/x.sqlite\n  postgres: "postgres://h/db"\n`,
      path: 'store.postgres',
      message: /^give either store.sqlite or store.postgres, not both$/,
      marker: 'postgres:',
    },
    {
      name: 'a PostgreSQL URL with a wrong scheme',
      text: `${BASE}store:\n  postgres: "mysql://h/db"\n`,
      path: 'store.postgres',
      message: /postgres/,
      marker: 'postgres:',
    },
    {
      name: 'an unset PostgreSQL URL variable',
      text: `${BASE}store:\n  postgres: "env:HEATNET_PG_URL"\n`,
      path: 'store.postgres',
      message: /^environment variable HEATNET_PG_URL is not set$/,
      marker: 'postgres:',
    },
    {
      name: 'indoor minimum above the target',
      text: `${BASE}standards:\n  indoor: { minC: 21 }\n`,
      path: 'standards.indoor',
      message: /^need minC ≤ targetC < maxC \(got 21, 20, 24\)$/,
      marker: 'indoor:',
    },
    {
      name: 'an MQTT placeholder that does not fill a level',
      text: edit([
        'ingest:\n',
        'ingest:\n  mqtt:\n    subscriptions:\n      - { topic: "a/b{y}", measurement: room, fields: { t: t } }\n',
      ]),
      path: 'ingest.mqtt.subscriptions[0].topic',
      message: /^"b\{y\}": a placeholder must fill a whole topic level$/,
      marker: 'topic: "a/b{y}"',
    },
    {
      name: 'an MQTT URL with a wrong scheme',
      text: edit(['ingest:\n', 'ingest:\n  mqtt: { url: "http://x" }\n']),
      path: 'ingest.mqtt.url',
      message: /^must be mqtt:\/\/host:port/,
      marker: 'url: "http://x"',
    },
    {
      name: 'a number written as text',
      text: edit(['distanceM: 300', 'distanceM: far']),
      path: 'network.substations[0].distanceM',
      message: /^must be number$/,
      marker: 'distanceM: far',
    },
  ];

  it.each(cases)('$name', ({ text, path, message, marker }) => {
    const issues = issuesOf(parseConfig(text, ENV, 'c.yaml'));
    expect(issues.map((i) => i.path)).toEqual([path]);
    expect(issues[0]?.message).toMatch(message);
    expect(issues[0]?.line).toBe(lineOf(text, marker));
  });

  it('reports the same token given twice', () => {
    const token = 'same-token-0123456789';
    const issues = issuesOf(
      parseConfig(BASE, { DISPATCH_TOKEN: token, ADMIN_TOKEN: token }, 'c.yaml'),
    );
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ['api.tokens[1].token', 'the same token is given twice'],
    ]);
    // The message must not echo the secret.
    expect(formatIssue(issues[0]!)).not.toContain(token);
  });

  it('rejects a token shorter than 16 characters', () => {
    const issues = issuesOf(parseConfig(BASE, { ...ENV, DISPATCH_TOKEN: 'short' }, 'c.yaml'));
    expect(issues.map((i) => i.path)).toEqual(['api.tokens[0].token']);
  });

  // An overlap is one mistake: the rest of the overlapping zone's floors still count as zoned,
  // so no false "floors 4-6 are in no zone" follows it.
  it('reports overlapping zones once, without a false "in no zone"', () => {
    const text = edit(['{ id: high, floors: [4, 6] }', '{ id: high, floors: [3, 6] }']);
    const issues = issuesOf(parseConfig(text, ENV, 'c.yaml'));
    expect(issues.map((i) => i.message)).toEqual(['floor 3 is already in another zone']);
  });
});

describe('crosscheck and fieldProblems directly', () => {
  const valid = configOf(parseConfig(BASE, ENV));

  it('finds nothing wrong with a valid config', () => {
    expect(crosscheck(valid)).toEqual([]);
  });

  it('lists compact missing floor ranges', () => {
    const config = structuredClone(valid);
    const building = config.network.substations[0]!.buildings[0]!;
    building.floors = 10;
    building.zones = [{ id: 'low', floors: [3, 4] }];
    building.households = [{ id: 'H1', floor: 1 }];
    expect(crosscheck(config).map((i) => i.message)).toEqual(['floors 1-2, 5-10 are in no zone']);
  });

  const field = (over: Partial<RegisterField>): RegisterField => ({
    field: 'x',
    area: 'holding',
    address: 0,
    type: 'uint16',
    order: 'ABCD',
    scale: 1,
    offset: 0,
    sentinels: true,
    writable: false,
    ...over,
  });

  it('accepts a bit of an int16/uint16 register', () => {
    expect(fieldProblems(field({ type: 'bool', bit: 3 }))).toEqual([]);
    expect(fieldProblems(field({ type: 'int16', bit: 15 }))).toEqual([]);
  });

  it('rejects read-only areas marked writable and setpoint limits that cross', () => {
    expect(fieldProblems(field({ area: 'input', writable: true }))).toEqual([
      ['writable', 'input is read-only in Modbus'],
    ]);
    expect(fieldProblems(field({ writable: true, min: 5, max: 5 }))).toEqual([
      ['min', 'must be below max'],
    ]);
  });

  it('rejects scaling a string and length on a number', () => {
    expect(fieldProblems(field({ type: 'string', length: 4, scale: 2 }))).toEqual([
      ['scale', 'scale, offset and range are not for strings'],
    ]);
    expect(fieldProblems(field({ length: 4 }))).toEqual([['length', 'only for strings']]);
  });
});

describe('pathToString and formatIssue', () => {
  it('puts numbers in brackets and joins identifiers with dots', () => {
    expect(pathToString(['network', 'substations', 3, 'pumps', 0, 'minHz'])).toBe(
      'network.substations[3].pumps[0].minHz',
    );
  });

  it('quotes keys that are not identifiers', () => {
    expect(pathToString(['maps', 'substation-plc-v1', 0])).toBe('maps["substation-plc-v1"][0]');
    expect(pathToString(['fields', 'a b', 'x.y'])).toBe('fields["a b"]["x.y"]');
    expect(pathToString(['a', '1st'])).toBe('a["1st"]');
  });

  it('handles a leading index, a leading odd key and the empty path', () => {
    expect(pathToString([2, 'id'])).toBe('[2].id');
    expect(pathToString(['my-key', 'x'])).toBe('["my-key"].x');
    expect(pathToString([])).toBe('');
  });

  it('formats file, line, path and message', () => {
    expect(formatIssue({ path: 'a.b', message: 'bad', file: 'c.yaml', line: 7 })).toBe(
      'c.yaml:7: a.b: bad',
    );
    expect(formatIssue({ path: 'a.b', message: 'bad', file: 'c.yaml' })).toBe('c.yaml: a.b: bad');
    expect(formatIssue({ path: 'a.b', message: 'bad' })).toBe('a.b: bad');
  });

  it('falls back to segments, then to (root)', () => {
    expect(formatIssue({ path: '', segments: ['x', 0], message: 'm' })).toBe('x[0]: m');
    expect(formatIssue({ path: '', message: 'm' })).toBe('(root): m');
  });
});

describe('config/demo.yaml', () => {
  const text = readFileSync(new URL('../../config/demo.yaml', import.meta.url), 'utf8');
  const env = {
    HEATNET_DISPATCH_TOKEN: 'demo-dispatch-token-0001',
    HEATNET_SERVICE_TOKEN: 'demo-service-token-00001',
    HEATNET_ADMIN_TOKEN: 'demo-admin-token-0000001',
  };

  it('loads with the three tokens and has 22 substations', () => {
    const config = configOf(parseConfig(text, env, 'config/demo.yaml'));
    expect(config.network.substations).toHaveLength(22);
    expect(config.api.tokens.map((t) => t.token).sort()).toEqual(Object.values(env).sort());
    expect(config.ingest.modbus.devices).toHaveLength(44);
  });

  it('names the missing token when one is not set', () => {
    const { HEATNET_ADMIN_TOKEN: _, ...partial } = env;
    const issues = issuesOf(parseConfig(text, partial, 'config/demo.yaml'));
    expect(issues.map((i) => i.message)).toContain(
      'environment variable HEATNET_ADMIN_TOKEN is not set',
    );
  });
});
