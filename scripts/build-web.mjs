#!/usr/bin/env node
// Builds the console (web/) into web/dist/: one hashed JS and one hashed CSS bundle, an
// index.html naming them, and a .br and .gz beside every file so @fastify/static serves
// them precompressed (control rooms are offline: no CDN, no external fonts; issue 13).
// `--if-stale` skips the build when the inputs' digest equals the last build's, so
// `npm run demo` and the tests can call it every time (a fresh clone builds once).
// Plain JavaScript, so it runs before anything else is compiled.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const webDir = join(root, 'web');
const outDir = join(webDir, 'dist');
const stampFile = join(outDir, 'build-stamp.json');

/** Every file the bundle is made from: web/ (not its output), this script, the lockfile. */
function inputFiles(dir = webDir) {
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (path === outDir) continue;
    if (statSync(path).isDirectory()) files.push(...inputFiles(path));
    else files.push(path);
  }
  return files;
}

function inputDigest() {
  const hash = createHash('sha256');
  const files = [...inputFiles(), fileURLToPath(import.meta.url), join(root, 'package-lock.json')];
  // The shared labels the console imports from the service (status words in Chinese).
  files.push(join(root, 'src/diagnosis/texts.ts'));
  for (const file of files) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function isFresh(digest) {
  if (!existsSync(stampFile)) return false;
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8')).digest === digest;
  } catch {
    return false;
  }
}

function page(js, css) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>heatnet</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/${css}">
<script type="module" src="/assets/${js}"></script>
</head>
<body>
<div id="app"><p class="boot">heatnet …</p></div>
<noscript>heatnet's console needs JavaScript. 热网控制台需要启用 JavaScript。</noscript>
</body>
</html>
`;
}

function compressAll(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      compressAll(path);
      continue;
    }
    if (!/\.(js|css|html|svg|json|map)$/.test(name) || name === 'build-stamp.json') continue;
    const data = readFileSync(path);
    writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }));
    const br = brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    });
    writeFileSync(`${path}.br`, br);
  }
}

export async function buildWeb({ ifStale = false, quiet = false } = {}) {
  const digest = inputDigest();
  if (ifStale && isFresh(digest)) {
    if (!quiet) console.log('build-web: web/dist is up to date');
    return { built: false };
  }
  const { build } = await import('esbuild');
  // Built beside, then swapped in: a server reading web/dist never sees half a build.
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const result = await build({
    entryPoints: [join(webDir, 'main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    outdir: join(tmp, 'assets'),
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    metafile: true,
    legalComments: 'none',
    sourcemap: false,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
  const js = outputs.find((n) => n.endsWith('.js'));
  const css = outputs.find((n) => n.endsWith('.css'));
  if (!js || !css) throw new Error(`build-web: expected one .js and one .css, got ${outputs}`);
  writeFileSync(join(tmp, 'index.html'), page(js, css));
  compressAll(tmp);
  writeFileSync(join(tmp, 'build-stamp.json'), JSON.stringify({ digest, js, css }));
  mkdirSync(outDir, { recursive: true });
  rmSync(outDir, { recursive: true, force: true });
  // renameSync over a missing dir is atomic enough for one builder; racing builders
  // (two test workers) each produce identical output, so the last rename wins harmlessly.
  const { renameSync } = await import('node:fs');
  try {
    renameSync(tmp, outDir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(stampFile)) throw err;
  }
  if (!quiet) report(js, css);
  return { built: true, js, css };
}

function report(js, css) {
  for (const name of [js, css, 'index.html']) {
    const path = name === 'index.html' ? join(outDir, name) : join(outDir, 'assets', name);
    const size = (p) => (statSync(p).size / 1024).toFixed(1);
    console.log(
      `build-web: ${name}  ${size(path)} kB raw, ${size(`${path}.gz`)} kB gzip, ${size(`${path}.br`)} kB br`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildWeb({ ifStale: process.argv.includes('--if-stale') }).catch((err) => {
    console.error(`build-web: ${err.message}`);
    process.exit(1);
  });
}
