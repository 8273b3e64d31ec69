import { readFileSync } from 'node:fs';
import Value from 'typebox/value';
import { LineCounter, parseDocument } from 'yaml';
import { HeatnetError } from '../core/errors.ts';
import { crosscheck } from './crosscheck.ts';
import {
  type ConfigIssue,
  formatIssue,
  issueAt,
  type PathSegment,
  schemaIssues,
} from './issues.ts';
import { type Config, ConfigSchema, RegisterFieldSchema } from './schema.ts';

export type { ConfigIssue };

/**
 * `unsetSecrets` lists the `env:NAME` references whose variable is unset or empty. By
 * default they are errors too (the service cannot run without them); with
 * `{ unsetSecrets: 'warn' }` they are only listed there, so `check-config` can judge the
 * file itself on a machine that does not hold the secrets.
 */
export type LoadResult =
  | { ok: true; config: Config; unsetSecrets: ConfigIssue[] }
  | { ok: false; issues: ConfigIssue[]; unsetSecrets: ConfigIssue[] };

export interface LoadOptions {
  unsetSecrets?: 'error' | 'warn';
}

const ENV_REF = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * Parses, resolves `env:NAME` references, applies defaults, validates against the
 * schema and cross-checks references. Every problem is collected, none stops the
 * others from being found: a user fixing a config wants the whole list at once.
 */
export function parseConfig(
  text: string,
  env: NodeJS.ProcessEnv = process.env,
  fileName = 'config',
  options: LoadOptions = {},
): LoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const issues: ConfigIssue[] = doc.errors.map((e) => ({
    path: '',
    message: `YAML: ${e.message.split('\n')[0]}`,
    line: lineCounter.linePos(e.pos[0]).line,
    file: fileName,
  }));
  if (issues.length > 0) return { ok: false, issues, unsetSecrets: [] };

  const raw: unknown = doc.toJS() ?? {};
  const unsetSecrets: ConfigIssue[] = [];
  const resolved = resolveEnvRefs(raw, env, [], unsetSecrets);
  if (options.unsetSecrets !== 'warn') issues.push(...unsetSecrets);
  const withDefaults = applyDefaults(Value.Clone(resolved));
  // One issue per path: an unresolved env:NAME is not also "too short", and the
  // cross-checks (which run even on a schema-invalid config, so every error shows at
  // once) say nothing more about a path the schema already reported.
  const reported = new Set([...issues, ...unsetSecrets].map((i) => i.path));
  const schemaProblems = schemaIssues([...Value.Errors(ConfigSchema, withDefaults)]);
  issues.push(...schemaProblems.filter((i) => !reported.has(i.path)));
  for (const i of schemaProblems) reported.add(i.path);
  issues.push(...crosscheck(withDefaults as Config).filter((i) => !reported.has(i.path)));

  for (const issue of new Set([...issues, ...unsetSecrets])) {
    if (issue.line === undefined && issue.segments) {
      issue.line = lineOf(doc, lineCounter, issue.segments);
    }
    issue.file = fileName;
  }
  if (issues.length > 0) {
    issues.sort(
      (a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER),
    );
    return { ok: false, issues, unsetSecrets };
  }
  return { ok: true, config: withDefaults as Config, unsetSecrets };
}

/** A file's text, or the issue that says why it cannot be read. */
export function readTextFile(path: string): { text: string } | { issue: ConfigIssue } {
  try {
    return { text: readFileSync(path, 'utf8') };
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    return { issue: { path: '', message: `cannot read ${path}: ${reason}` } };
  }
}

export function loadConfigFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  options: LoadOptions = {},
): LoadResult {
  const file = readTextFile(path);
  if ('issue' in file) return { ok: false, issues: [file.issue], unsetSecrets: [] };
  return parseConfig(file.text, env, path, options);
}

/** Loads or throws a CONFIG_INVALID error whose message lists every issue. */
export function loadConfigOrThrow(path: string, env: NodeJS.ProcessEnv = process.env): Config {
  const result = loadConfigFile(path, env);
  if (result.ok) return result.config;
  throw new HeatnetError(
    'CONFIG_INVALID',
    `${path}: ${result.issues.length} configuration error(s)\n${result.issues.map(formatIssue).join('\n')}`,
    { issues: result.issues },
  );
}

/**
 * Schema defaults everywhere. TypeBox does not descend into records (the register
 * maps are a record of arrays), so their fields get their defaults here.
 */
function applyDefaults(raw: unknown): unknown {
  const config = Value.Default(ConfigSchema, raw) as {
    ingest?: { modbus?: { maps?: Record<string, unknown> } };
  };
  const maps = config?.ingest?.modbus?.maps;
  if (maps && typeof maps === 'object') {
    for (const [name, fields] of Object.entries(maps)) {
      if (Array.isArray(fields))
        maps[name] = fields.map((f) => Value.Default(RegisterFieldSchema, f));
    }
  }
  return config;
}

function resolveEnvRefs(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: PathSegment[],
  issues: ConfigIssue[],
): unknown {
  if (typeof value === 'string') {
    const match = ENV_REF.exec(value);
    if (!match) return value;
    const resolved = env[match[1]!];
    if (resolved === undefined || resolved === '') {
      issues.push(issueAt(path, `environment variable ${match[1]} is not set`));
      return value;
    }
    return resolved;
  }
  if (Array.isArray(value))
    return value.map((v, i) => resolveEnvRefs(v, env, [...path, i], issues));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolveEnvRefs(v, env, [...path, k], issues)]),
    );
  }
  return value;
}

/** The YAML line of a path, or of its nearest parent that exists. */
export function lineOf(
  doc: ReturnType<typeof parseDocument>,
  counter: LineCounter,
  segments: PathSegment[],
): number | undefined {
  // Walk up until a node exists: a missing property is reported at its parent.
  for (let n = segments.length; n >= 0; n--) {
    const node = doc.getIn(segments.slice(0, n), true) as {
      range?: [number, number, number];
    } | null;
    if (node && typeof node === 'object' && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}
