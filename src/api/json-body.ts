import type { FastifyInstance } from 'fastify';
import { HeatnetError } from '../core/errors.ts';

/**
 * Keys refused anywhere in a body: they reach prototypes when code merges or copies the
 * object. Fastify's own parser refuses them too, but calls them "not valid JSON", which
 * they are (issue 15); this one says what is refused and where.
 */
function forbiddenKey(value: unknown): string | undefined {
  const stack: { node: unknown; path: string }[] = [{ node: value, path: '' }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    for (const [key, child] of Object.entries(node)) {
      const at = path ? `${path}.${key}` : key;
      const poisoned =
        key === '__proto__' ||
        (key === 'constructor' && child !== null && typeof child === 'object');
      if (poisoned) return at;
      stack.push({ node: child, path: at });
    }
  }
  return undefined;
}

/**
 * The JSON body parser: plain `JSON.parse`, then a walk (a loop, not recursion: a
 * deeply nested body cannot exhaust the stack) refusing prototype keys by name.
 */
export function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') {
      done(new HeatnetError('BAD_REQUEST', 'the JSON body is empty'), undefined);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // The engine's message quotes the body: never echoed.
      done(new HeatnetError('BAD_REQUEST', 'the body is not valid JSON'), undefined);
      return;
    }
    const key = forbiddenKey(parsed);
    if (key !== undefined) {
      const message = `body.${key} is refused: "__proto__" and "constructor" objects are never accepted`;
      done(new HeatnetError('BAD_REQUEST', message, { field: key }), undefined);
      return;
    }
    done(null, parsed);
  });
}
