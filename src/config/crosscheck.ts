import { registerCount } from '../ingest/modbus/codec.ts';
import { deviceEndpoint } from '../ingest/modbus/url.ts';
import { checkAlertChannels } from './crosscheck-alert-channels.ts';
import { checkAlerts } from './crosscheck-alerts.ts';
import { checkBalance } from './crosscheck-balance.ts';
import { checkDtus, deviceReachIssues } from './crosscheck-modbus.ts';
import { checkNetwork } from './crosscheck-network.ts';
import { type ConfigIssue, issueAt, type PathSegment, UniqueIds } from './issues.ts';
import type { Config, RegisterField } from './schema.ts';

const CHECKS = [
  checkNetwork,
  checkMaps,
  checkDevices,
  checkDtus,
  checkMqtt,
  checkStorage,
  checkApi,
  checkStandards,
  checkBalance,
  checkAlerts,
  checkAlertChannels,
];

/**
 * Checks what a schema cannot: references between sections, unique ids, floors
 * covered by zones, register fields that fit their type. It also runs on a config
 * with schema errors, so a user sees every problem at once; a check that trips over
 * a malformed section is skipped, since the schema already reported that section.
 */
export function crosscheck(config: Config): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const check of CHECKS) {
    const found: ConfigIssue[] = [];
    try {
      check(config, found);
    } catch {
      // Malformed input the schema has already flagged: keep what was found before it.
    }
    issues.push(...found);
  }
  return issues;
}

function checkMaps(config: Config, issues: ConfigIssue[]): void {
  const cap = config.ingest.modbus.defaults.maxRegistersPerRequest;
  for (const [name, fields] of Object.entries(config.ingest.modbus.maps)) {
    const names = new UniqueIds('field', issues);
    fields.forEach((f, i) => {
      const at: PathSegment[] = ['ingest', 'modbus', 'maps', name, i];
      names.add(f.field, [...at, 'field']);
      for (const [key, message] of fieldProblems(f)) issues.push(issueAt([...at, key], message));
      const span = registerCount(f.type, f.length);
      if (f.area !== 'coil' && f.area !== 'discrete' && span > cap) {
        issues.push(
          issueAt([...at, 'length'], `${span} registers exceed maxRegistersPerRequest ${cap}`),
        );
      }
    });
    checkOverlaps(name, fields, issues);
  }
}

/** What is wrong with one register field on its own. */
export function fieldProblems(f: RegisterField): [keyof RegisterField, string][] {
  const problems: [keyof RegisterField, string][] = [];
  const bitArea = f.area === 'coil' || f.area === 'discrete';
  if (bitArea && f.type !== 'bool')
    problems.push(['type', `${f.area} holds bits; type must be bool`]);
  if (bitArea && f.bit !== undefined) problems.push(['bit', `not allowed on ${f.area}s`]);
  if (f.bit !== undefined && f.type !== 'bool' && f.type !== 'uint16' && f.type !== 'int16') {
    problems.push(['bit', `selects a bit of one register; use type bool (not ${f.type})`]);
  }
  if (f.type === 'string' && f.length === undefined)
    problems.push(['length', 'required for strings']);
  if (f.type !== 'string' && f.length !== undefined) problems.push(['length', 'only for strings']);
  const end = f.address + (bitArea ? 1 : registerCount(f.type, f.length));
  if (end > 65536) problems.push(['address', `${f.type} at ${f.address} runs past 65535`]);
  if (f.scale === 0) problems.push(['scale', 'must not be 0']);
  if (f.range && f.range[0] >= f.range[1]) problems.push(['range', 'low must be below high']);
  if (f.writable && (f.area === 'discrete' || f.area === 'input')) {
    problems.push(['writable', `${f.area} is read-only in Modbus`]);
  }
  if (!f.writable && (f.min !== undefined || f.max !== undefined)) {
    problems.push(['min', 'min/max are only for writable fields (use range for plausibility)']);
  }
  if (f.min !== undefined && f.max !== undefined && f.min >= f.max) {
    problems.push(['min', 'must be below max']);
  }
  if (f.type === 'string' && (f.scale !== 1 || f.offset !== 0 || f.range)) {
    problems.push(['scale', 'scale, offset and range are not for strings']);
  }
  return problems;
}

function checkOverlaps(name: string, fields: RegisterField[], issues: ConfigIssue[]): void {
  // Bits of one register may share it; whole values may not overlap.
  const wordFields = fields
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => f.bit === undefined && (f.area === 'holding' || f.area === 'input'));
  for (const { f, i } of wordFields) {
    const end = f.address + registerCount(f.type, f.length);
    const clash = wordFields.find(
      (o) =>
        o.i < i &&
        o.f.area === f.area &&
        o.f.address < end &&
        f.address < o.f.address + registerCount(o.f.type, o.f.length),
    );
    if (clash) {
      issues.push(
        issueAt(
          ['ingest', 'modbus', 'maps', name, i, 'address'],
          `overlaps field "${clash.f.field}" (${f.area} ${clash.f.address})`,
        ),
      );
    }
  }
}

function checkDevices(config: Config, issues: ConfigIssue[]): void {
  const substations = new Map(config.network.substations.map((s) => [s.id, s]));
  const ids = new UniqueIds('device', issues);
  const addresses = new UniqueIds('device', issues, 'address');
  config.ingest.modbus.devices.forEach((d, i) => {
    const at: PathSegment[] = ['ingest', 'modbus', 'devices', i];
    ids.add(d.id, [...at, 'id']);
    const substation = substations.get(d.substation);
    if (!substation)
      issues.push(issueAt([...at, 'substation'], `unknown substation "${d.substation}"`));
    if (!(d.map in config.ingest.modbus.maps)) {
      issues.push(issueAt([...at, 'map'], `unknown map "${d.map}"`));
    }
    if (d.kind === 'pump' && d.pump === undefined) {
      issues.push(issueAt([...at, 'pump'], 'is required for kind "pump"'));
    }
    if (d.pump !== undefined && substation && !substation.pumps.some((p) => p.id === d.pump)) {
      issues.push(
        issueAt([...at, 'pump'], `unknown pump "${d.pump}" at substation ${d.substation}`),
      );
    }
    const reach = deviceReachIssues(config, d, at);
    issues.push(...reach);
    if (reach.length > 0) return;
    try {
      const endpoint = deviceEndpoint(d, () => undefined);
      addresses.add(`${endpoint.key}#${d.unitId}`, [...at, 'unitId']);
    } catch (err) {
      issues.push(issueAt([...at, 'url'], (err as Error).message));
    }
  });
}

function checkMqtt(config: Config, issues: ConfigIssue[]): void {
  const mqtt = config.ingest.mqtt;
  if (mqtt.url !== 'embedded' && !/^(mqtts?|wss?|tcp):\/\//.test(mqtt.url)) {
    issues.push(
      issueAt(['ingest', 'mqtt', 'url'], 'must be mqtt://host:port, mqtts://… or "embedded"'),
    );
  }
  const { username, password } = mqtt.embedded;
  if ((username === undefined) !== (password === undefined)) {
    const missing = username === undefined ? 'username' : 'password';
    issues.push(
      issueAt(['ingest', 'mqtt', 'embedded', missing], 'username and password go together'),
    );
  }
  mqtt.subscriptions.forEach((s, i) => {
    const at: PathSegment[] = ['ingest', 'mqtt', 'subscriptions', i, 'topic'];
    const levels = s.topic.split('/');
    const names = new Set<string>();
    levels.forEach((level) => {
      const m = /^\{([a-z][a-z0-9_]*)\}$/.exec(level);
      if (m) {
        if (names.has(m[1]!)) issues.push(issueAt(at, `placeholder {${m[1]}} used twice`));
        names.add(m[1]!);
      } else if (/[{}]/.test(level)) {
        issues.push(issueAt(at, `"${level}": a placeholder must fill a whole topic level`));
      }
    });
  });
}

function checkStorage(config: Config, issues: ConfigIssue[]): void {
  const { sqlite, postgres } = config.store;
  if (sqlite && postgres) {
    issues.push(
      issueAt(['store', 'postgres'], 'give either store.sqlite or store.postgres, not both'),
    );
  }
  const influx = config.storage.influx;
  if (!influx) return;
  const at: PathSegment[] = ['storage', 'influx'];
  if (influx.version === 1 && !influx.db)
    issues.push(issueAt([...at, 'db'], 'is required for version 1'));
  if (influx.version === 2) {
    for (const key of ['org', 'bucket', 'token'] as const) {
      if (!influx[key]) issues.push(issueAt([...at, key], 'is required for version 2'));
    }
  }
}

function checkApi(config: Config, issues: ConfigIssue[]): void {
  const names = new UniqueIds('token name', issues);
  const secrets = new Set<string>();
  config.api.tokens.forEach((t, i) => {
    names.add(t.name, ['api', 'tokens', i, 'name']);
    if (secrets.has(t.token)) {
      issues.push(issueAt(['api', 'tokens', i, 'token'], 'the same token is given twice'));
    }
    secrets.add(t.token);
  });
}

function checkStandards(config: Config, issues: ConfigIssue[]): void {
  const { minC, targetC, maxC } = config.standards.indoor;
  if (!(minC <= targetC && targetC < maxC)) {
    issues.push(
      issueAt(
        ['standards', 'indoor'],
        `need minC ≤ targetC < maxC (got ${minC}, ${targetC}, ${maxC})`,
      ),
    );
  }
}
