#!/usr/bin/env node
// Install node_modules exactly as package-lock.json says, but only when needed: when
// node_modules is missing, or when the lockfile changed since the last install (tracked by a
// stamp file inside node_modules, so an `npm ci` that wipes node_modules wipes the stamp too).
// Plain JavaScript with no dependencies, because it must run before anything is installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const lockFile = join(root, 'package-lock.json');
const modulesDir = join(root, 'node_modules');
const stampFile = join(modulesDir, '.heatnet-lock-hash');

const lockText = readFileSync(lockFile, 'utf8');
const lockHash = createHash('sha256').update(lockText).digest('hex');
const shortHash = lockHash.slice(0, 12);
const stampHash = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : undefined;

let reason;
if (!existsSync(modulesDir)) reason = 'node_modules is missing';
else if (stampHash === undefined) reason = 'node_modules has no lockfile stamp';
else if (stampHash !== lockHash) reason = 'package-lock.json changed';

if (reason === undefined) {
  console.log(`ensure-deps: node_modules is up to date with package-lock.json (${shortHash})`);
  process.exit(0);
}

// A node_modules that links elsewhere (a git worktree sharing its main checkout's) must not
// be reinstalled from here: npm ci empties the link's target, under every other checkout
// using it, and then installs into a new directory here.
// (On a fresh clone there is no node_modules at all: nothing to lstat.)
const isLink = (path) => lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
if (isLink(modulesDir)) {
  console.error(
    `ensure-deps: ${reason}, but node_modules links to ${realpathSync(modulesDir)}, which ` +
      'other checkouts may share: install there instead (nothing changed)',
  );
  process.exit(0);
}

const npm = (args) =>
  spawnSync('npm', [...args, '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: ['inherit', 'inherit', 'pipe'],
    encoding: 'utf8',
  });

/**
 * npm 11's `npm ci` insists that every optional platform binary (e.g. @rollup/rollup-win32-x64-msvc)
 * has a lockfile entry, but `npm install` leaves out the ones the registry cannot serve, so a
 * lockfile written against a partial registry mirror is rejected by `npm ci` on that same mirror.
 * Returns the missing names when that is the only complaint, otherwise undefined.
 */
function onlyOptionalPlatformPackagesMissing(stderr) {
  if (!stderr.includes('package.json and package-lock.json or npm-shrinkwrap.json are in sync')) {
    return undefined;
  }
  if (/^npm error Invalid: /m.test(stderr)) return undefined;
  const missing = [...stderr.matchAll(/^npm error Missing: (@?[^@\s]+)@\S* from lock file$/gm)].map(
    (match) => match[1],
  );
  const optional = new Set(
    Object.values(JSON.parse(lockText).packages ?? {}).flatMap((pkg) =>
      Object.keys(pkg.optionalDependencies ?? {}),
    ),
  );
  return missing.length > 0 && missing.every((name) => optional.has(name)) ? missing : undefined;
}

let did = 'ran npm ci';
const ci = npm(['ci']);
if (ci.error) throw ci.error;
if (ci.status === 0) {
  process.stderr.write(ci.stderr);
} else {
  const missing = onlyOptionalPlatformPackagesMissing(ci.stderr);
  if (missing === undefined) {
    process.stderr.write(ci.stderr);
    console.error(`ensure-deps: npm ci failed (${reason}), exit status ${ci.status}`);
    process.exit(ci.status ?? 1);
  }
  // Same locked versions, and --no-save leaves package.json and package-lock.json untouched.
  const install = npm(['install', '--no-save']);
  if (install.error) throw install.error;
  if (install.status !== 0) {
    process.stderr.write(install.stderr);
    console.error(
      `ensure-deps: npm install --no-save failed (${reason}), exit status ${install.status}`,
    );
    process.exit(install.status ?? 1);
  }
  process.stderr.write(install.stderr);
  did =
    `ran npm install --no-save because npm ci rejected the lockfile only for ${missing.length} ` +
    'optional platform packages the registry does not serve';
}
writeFileSync(stampFile, `${lockHash}\n`);
console.log(`ensure-deps: ${did}; reason: ${reason} (${shortHash})`);
