import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { declareAccessOfAll } from '../access.ts';

export interface ConsoleRoutesOptions {
  /** The built console (index.html, assets/); default: web/dist of this package. */
  dir?: string;
}

/** web/dist of the package this file belongs to, from src/ or from a tsc build in dist/. */
export function defaultConsoleDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && /"name":\s*"heatnet"/.test(readFileSync(manifest, 'utf8'))) {
      return join(dir, 'web', 'dist');
    }
    const up = dirname(dir);
    if (up === dir) return join(process.cwd(), 'web', 'dist');
    dir = up;
  }
}

const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'";

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>heatnet</title>
<p>The console is not built: run <code>npm run build:web</code> (npm run demo does it).</p>
<p>控制台尚未构建：请运行 <code>npm run build:web</code>。</p>`;

/**
 * `GET /` and `/assets/*`: the console (issue 13, DESIGN §4.9), static files built by
 * scripts/build-web.mjs, served precompressed (.br/.gz beside each file). Readable by
 * anyone: it holds no data; everything behind it keeps its own access. Hashed assets
 * are cached for a year; the page itself is revalidated so a new build shows at once.
 */
export const consoleRoutes: FastifyPluginAsync<ConsoleRoutesOptions> = async (app, options) => {
  const dir = options.dir ?? defaultConsoleDir();
  declareAccessOfAll(app, 'public');
  if (!existsSync(join(dir, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    // Routes for the files there now: a build is swapped in whole with the same names
    // only when nothing changed, so the list stays true until the next start.
    wildcard: false,
    globIgnore: ['**/build-stamp.json', '**/*.br', '**/*.gz'],
    preCompressed: true,
    decorateReply: false,
    schemaHide: true,
    cacheControl: false,
    setHeaders: (res, path) => {
      const hashed = path.includes('/assets/');
      res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      res.setHeader('x-content-type-options', 'nosniff');
      // Nothing off-origin, ever (offline control rooms); uPlot sizes its canvas inline.
      res.setHeader('content-security-policy', CSP);
    },
  });
};
