import type { TLocalizedValidationError } from 'typebox/error';

export type PathSegment = string | number;

/** One configuration problem, located by its path (and YAML line where known). */
export interface ConfigIssue {
  /** `ingest.modbus.devices[3].map` */
  path: string;
  segments?: PathSegment[];
  message: string;
  line?: number;
  file?: string;
}

export function pathToString(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

export function issueAt(segments: PathSegment[], message: string): ConfigIssue {
  return { path: pathToString(segments), segments, message };
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.file ? `${issue.file}${issue.line ? `:${issue.line}` : ''}: ` : '';
  const path = issue.path || (issue.segments ? pathToString(issue.segments) : '');
  return `${where}${path || '(root)'}: ${issue.message}`;
}

function pointerToSegments(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * Turns TypeBox's errors into one readable issue per problem: union branches
 * ("must be equal to constant" ×N) collapse into one line naming the allowed values,
 * and "unknown property" replaces the pair of additionalProperties errors.
 */
export function schemaIssues(errors: readonly TLocalizedValidationError[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const unionPaths = new Set(
    errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath),
  );
  for (const e of errors) {
    const segments = pointerToSegments(e.instancePath);
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'boolean') continue; // reported by its additionalProperties sibling
    if (e.keyword === 'const' && unionPaths.has(e.instancePath)) continue;
    if (e.keyword === 'required') {
      for (const name of params.requiredProperties as string[]) {
        issues.push(issueAt([...segments, name], 'is required'));
      }
    } else if (e.keyword === 'additionalProperties') {
      for (const name of params.additionalProperties as string[]) {
        issues.push(issueAt([...segments, name], 'unknown property'));
      }
    } else if (e.keyword === 'anyOf') {
      const allowed = errors
        .filter((c) => c.keyword === 'const' && c.instancePath === e.instancePath)
        .map((c) => JSON.stringify((c.params as { allowedValue: unknown }).allowedValue));
      issues.push(issueAt(segments, `must be one of ${allowed.join(', ')}`));
    } else if (e.keyword === 'enum') {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      issues.push(issueAt(segments, `must be one of ${allowed.join(', ')}`));
    } else {
      issues.push(issueAt(segments, e.message));
    }
  }
  return issues;
}

/** Reports the second and later uses of an id. */
export class UniqueIds {
  private readonly seen = new Map<string, string>();
  constructor(
    private readonly what: string,
    private readonly issues: ConfigIssue[],
    private readonly noun = 'id',
  ) {}
  add(id: string, path: PathSegment[]): void {
    const first = this.seen.get(id);
    if (first !== undefined) {
      this.issues.push(
        issueAt(path, `duplicate ${this.what} ${this.noun} "${id}" (first at ${first})`),
      );
    } else {
      this.seen.set(id, issueAt(path, '').path);
    }
  }
}
