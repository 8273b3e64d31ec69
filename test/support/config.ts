import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { formatIssue } from '../../src/config/issues.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { freePorts } from './ports.ts';

export const TEST_TOKENS = {
  HEATNET_DISPATCH_TOKEN: 'test-dispatcher-token-0001',
  HEATNET_SERVICE_TOKEN: 'test-service-token-000002',
  HEATNET_ADMIN_TOKEN: 'test-admin-token-00000003',
};

export interface TestConfigOptions {
  /** How many demo substations to keep (taken alternately from both branches). */
  substations?: number;
  influx?: Config['storage']['influx'];
  anonymousRead?: boolean;
  intervalMs?: number;
  /** Extra YAML-shaped changes applied last. */
  patch?: (raw: RawConfig) => void;
}

// biome-ignore lint/suspicious/noExplicitAny: raw YAML before validation is untyped by nature
export type RawConfig = Record<string, any>;

/**
 * A config derived from the real demo network (same register maps, same shapes),
 * cut down to a few substations, with every port free and a temp data directory,
 * and run through the real loader so defaults and cross-checks apply.
 */
export async function testConfig(options: TestConfigOptions = {}): Promise<Config> {
  const result = parseConfig(await testConfigYaml(options), { ...TEST_TOKENS }, 'test-config');
  if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
  return result.config;
}

/** The same, as YAML text (for the command line). */
export async function testConfigYaml(options: TestConfigOptions = {}): Promise<string> {
  const raw = parse(readFileSync('config/demo.yaml', 'utf8')) as RawConfig;
  const keep = options.substations ?? 4;
  const all = raw.network.substations as RawConfig[];
  const north = all.filter((s) => s.branch === 'north');
  const east = all.filter((s) => s.branch === 'east');
  const chosen: RawConfig[] = [];
  for (let i = 0; chosen.length < keep && i < all.length; i++) {
    if (north[i]) chosen.push(north[i]!);
    if (chosen.length < keep && east[i]) chosen.push(east[i]!);
  }
  raw.network.substations = chosen;
  const ids = new Set(chosen.map((s) => s.id as string));
  const ports = await freePorts(chosen.length);
  const portOf = new Map(chosen.map((s, i) => [s.id as string, ports[i]!]));
  raw.ingest.modbus.devices = (raw.ingest.modbus.devices as RawConfig[])
    .filter((d) => ids.has(d.substation))
    // Every device on Modbus TCP, the demo's DTU ones too: no fixed listener port in tests.
    .map(({ via: _via, ...d }) => ({ ...d, url: `tcp://127.0.0.1:${portOf.get(d.substation)}` }));
  raw.ingest.modbus.listeners = [];
  // A team answers for the branches the trimmed network still has.
  const branches = new Set(chosen.map((s) => s.branch as string));
  for (const team of (raw.alerts?.teams ?? []) as RawConfig[]) {
    team.branches = ((team.branches ?? []) as string[]).filter((b) => branches.has(b));
  }
  raw.ingest.modbus.defaults = { intervalMs: options.intervalMs ?? 500, timeoutMs: 500 };
  raw.ingest.mqtt = { url: 'embedded', embeddedPort: 0 };
  raw.api = { ...raw.api, port: 0, anonymousRead: options.anonymousRead ?? true };
  raw.storage = {
    dataDir: mkdtempSync(join(tmpdir(), 'heatnet-test-')),
    flushIntervalMs: 100,
    ...(options.influx ? { influx: options.influx } : {}),
  };
  // Tests run in parallel: no fixed ground-truth port, no complaint file in the repo.
  raw.simulation = { ...raw.simulation, groundTruth: { port: 0 }, complaints: {} };
  options.patch?.(raw);
  return stringify(raw);
}

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  {
    timeoutMs = 15_000,
    intervalMs = 100,
    what = 'condition',
  }: { timeoutMs?: number; intervalMs?: number; what?: string | (() => string) } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  // `what` may be a function: output gathered while waiting belongs in the message.
  const described = typeof what === 'function' ? what() : what;
  throw new Error(`timed out waiting for ${described}${last ? `: ${String(last)}` : ''}`);
}
