import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { TEST_TOKENS } from '../support/config.ts';

/**
 * `env:NAME` secrets a shell does not hold are a fact about the machine, not a mistake in
 * the file: with `unsetSecrets: 'warn'` (check-config) they are listed apart and the file
 * is judged on its own; by default (start, demo, replay-spool) they stay errors.
 */
const DEMO = readFileSync('config/demo.yaml', 'utf8');
const lineOf = (text: string, needle: string) =>
  text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('parseConfig: unset env: secrets', () => {
  it('are errors by default, and also listed as unset secrets', () => {
    const result = parseConfig(DEMO, {}, 'demo.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const names = Object.keys(TEST_TOKENS);
    expect(result.issues.map((i) => i.message)).toEqual(
      names.map((n) => `environment variable ${n} is not set`),
    );
    expect(result.unsetSecrets).toEqual(result.issues);
  });

  it('leave the config valid when only warned about, each with its path, file and line', () => {
    const result = parseConfig(DEMO, {}, 'demo.yaml', { unsetSecrets: 'warn' });
    expect(result.ok).toBe(true);
    expect(result.unsetSecrets.map((i) => [i.path, i.file, i.line])).toEqual(
      Object.keys(TEST_TOKENS).map((name, i) => [
        `api.tokens[${i}].token`,
        'demo.yaml',
        lineOf(DEMO, `env:${name}`),
      ]),
    );
  });

  it('never hide a mistake in the file, and no mistake is reported twice for a secret', () => {
    const broken = DEMO.replace(/role: dispatcher/, 'role: dispatch').replace(
      'env:HEATNET_ADMIN_TOKEN',
      'env:HEATNET_ADMIN_TOKEN, extra: 1',
    );
    const result = parseConfig(broken, {}, 'demo.yaml', { unsetSecrets: 'warn' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path)).toEqual(['api.tokens[0].role', 'api.tokens[2].extra']);
    expect(result.unsetSecrets).toHaveLength(3);
  });

  it('are none when the environment holds them', () => {
    const result = parseConfig(DEMO, { ...TEST_TOKENS }, 'demo.yaml', { unsetSecrets: 'warn' });
    expect(result.ok && result.unsetSecrets).toEqual([]);
  });
});
