// `npm start` and `npm test` in a fresh clone: install what package-lock.json
// names if node_modules does not hold it, then build dist/ if it is missing or
// older than its sources. Does nothing (and prints nothing) when both are ready,
// so CI's `npm ci` (whose `prepare` builds) followed by `npm test` builds once.
// Node built-ins only: it runs before anything is installed.
//
// Installed means "node_modules/.package-lock.json (npm's hidden lockfile, written
// by every install) has every non-optional package of package-lock.json at the
// same version": content, not mtimes, so editing package.json or a checkout that
// touches package-lock.json without changing it does not wipe node_modules.
// Optional packages are skipped: npm installs only the ones for this platform
// (https://docs.npmjs.com/cli/v11/configuring-npm/package-lock-json#hidden-lockfiles).

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const BUILD_MARKER = join('dist', 'cli', 'index.js'); // tsc rewrites it on every build
// What `npm run build` reads: tsc's sources and configs, the lessons' checks, the check compiler.
const BUILD_INPUTS = ['src', 'tsconfig.base.json', 'tsconfig.build.json', 'scripts/build-checks.js', 'scripts/bundle-probe.js'];

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** The first package of package-lock.json that node_modules lacks (or has at another version), else null. */
export function missingDependency(dir = root) {
  const lock = readJson(join(dir, 'package-lock.json'));
  if (!lock?.packages) return null; // no lockfile: nothing we can check against; npm itself will say
  const installed = readJson(join(dir, 'node_modules', '.package-lock.json'))?.packages;
  if (!installed) return 'node_modules';
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.optional || entry.link) continue;
    if (installed[path]?.version !== entry.version) return path;
  }
  return null;
}

/** Newest modification time (ms) under `path`; bounded by the tree's size, symlinks not followed. */
function newestMtime(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted or renamed file changes its folder's mtime
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isSymbolicLink()) continue;
    newest = Math.max(newest, newestMtime(join(path, entry.name)));
  }
  return newest;
}

/** Why dist/ must be (re)built, or null when it is newer than everything it is built from. */
export function buildReason(dir = root) {
  const marker = join(dir, BUILD_MARKER);
  if (!existsSync(marker)) return 'dist/ is not built';
  const built = statSync(marker).mtimeMs;
  let inputs = BUILD_INPUTS.map((name) => newestMtime(join(dir, name)));
  const lessons = join(dir, 'lessons');
  if (existsSync(lessons)) {
    inputs = inputs.concat(readdirSync(lessons).map((name) => newestMtime(join(lessons, name, 'check.ts'))));
  }
  return Math.max(...inputs) > built ? 'a source is newer than dist/' : null;
}

function npm(args) {
  // Inside an npm script npm_execpath is the npm that runs us; elsewhere (or under
  // another package manager, whose commands differ), the npm on PATH.
  const execPath = process.env.npm_execpath;
  const [command, argv] = execPath && /[\\/]npm-cli\.js$/.test(execPath) ? [process.execPath, [execPath, ...args]] : ['npm', args];
  const result = spawnSync(command, argv, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' && command === 'npm' });
  if (result.status !== 0) {
    process.stderr.write(`httpdojo: \`npm ${args.join(' ')}\` failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`}); its output is above.\n`);
    process.exit(2);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const missing = missingDependency();
  if (missing) {
    process.stderr.write(`httpdojo: installing dependencies (${missing === 'node_modules' ? 'none yet' : `${missing.replace(/^node_modules\//, '')} is missing or out of date`}): npm ci\n`);
    // `npm ci` runs our `prepare`, which builds; the check below then finds dist/ fresh.
    npm(['ci', '--no-audit', '--no-fund']);
  }
  const reason = buildReason();
  if (reason) {
    process.stderr.write(`httpdojo: building (${reason}): npm run build\n`);
    npm(['run', 'build']);
  }
}
