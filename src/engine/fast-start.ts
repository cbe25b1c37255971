// Starting a learner's TypeScript program without tsx's loader, when that
// changes nothing the program can see.
//
// Why: `node --import tsx` costs ~0.2 s of CPU at every start (Node 20 runs
// module.register() hooks on a thread of their own, which must boot and load
// tsx), and a verify starts the program once per server lesson and about ten
// times per client lesson; on two cores that start is what a client lesson's
// checks wait for. tsx itself is esbuild plus source maps: it transforms the
// file with esbuild (keepNames, minified whitespace, an inline source map) and
// turns source maps on, so stacks name the .ts file and its lines. This does the
// same transform once, in httpdojo's process, with the esbuild tsx depends on,
// writes the JavaScript to a temp folder, and starts `node --enable-source-maps`
// on it: the same code, the same stacks (file, line, column and function names:
// test/engine/fast-start.test.ts), at a quarter of the CPU.
//
// Only where nothing else can differ; otherwise null, and the program starts under
// tsx as before:
// - a .ts or .mts file in an ES module scope (tsx follows Node's rule: a .ts file is
//   CommonJS unless the nearest package.json says "type": "module");
// - every import is a Node built-in: a relative import may be TypeScript that only
//   tsx can load, and a package is the learner's business;
// - no import.meta, require, __dirname/__filename or process.argv[1] (the file runs
//   from the temp folder, so these would name it), no child processes or workers
//   (they inherit execArgv, which no longer loads tsx);
// - a tsconfig.json esbuild can read as tsx does (its compilerOptions change the
//   emit: verbatimModuleSyntax, useDefineForClassFields, decorators);
// - the transform succeeds (a syntax error is reported by tsx, as learners know it).
// HTTPDOJO_TSX=1 turns this off (to compare, or to rule it out).

import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { removeOrphanEntries } from './platform.js';

/** The part of esbuild this uses (esbuild's own types are not a dependency of ours). */
interface Esbuild {
  transformSync(code: string, options: Record<string, unknown>): { code: string };
}

let esbuild: Esbuild | null | undefined;
let cacheDir: string | null = null;
/** Content (and options) hash → the JavaScript file written for it, or null when it must run under tsx. */
const compiled = new Map<string, string | null>();

/** The esbuild tsx loads (the same version, so the same emit), or null when it cannot be found. */
function loadEsbuild(): Esbuild | null {
  if (esbuild === undefined) {
    try {
      const ownRequire = createRequire(import.meta.url);
      esbuild = createRequire(ownRequire.resolve('tsx/package.json'))('esbuild') as Esbuild;
    } catch {
      esbuild = null;
    }
  }
  return esbuild;
}

/** Whether an import specifier names a Node built-in ('node:http', 'http', 'fs/promises'): Node's own answer. */
export { isBuiltin };

/**
 * Why the transformed program could behave otherwise than under tsx, or null.
 * `code` is esbuild's output (comments and types gone, strings kept).
 */
export function differenceFromTsx(code: string): string | null {
  if (/\bimport\.meta\b/.test(code)) return 'import.meta';
  if (/\b(require|__dirname|__filename)\b/.test(code)) return 'CommonJS names';
  if (/\bargv\s*\[\s*1\s*\]/.test(code)) return 'process.argv[1]';
  if (/\bimport\s*\(/.test(code)) return 'a dynamic import';
  for (const match of code.matchAll(/\b(?:from|import)\s*(["'])([^"']+)\1/g)) {
    if (!isBuiltin(match[2])) return `an import of "${match[2]}"`;
  }
  if (/["'](?:node:)?(?:child_process|worker_threads|cluster)["']/.test(code)) return 'child processes';
  return null;
}

/** The first answer `read` gives for `dir` or a folder above it (at most 50 levels), or undefined. */
function findUp<T>(dir: string, read: (folder: string) => T | undefined): T | undefined {
  for (let current = dir, depth = 0; depth < 50; depth++) {
    const found = read(current);
    if (found !== undefined) return found;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
  return undefined;
}

/**
 * The "type" of the nearest package.json ("commonjs" when it names none), or
 * undefined when no folder up to the root has one: Node's rule for what a .js
 * (and, to tsx, a .ts) file is. learner-spawn.ts asks the same for .js files.
 */
export function nearestPackageType(dir: string): string | undefined {
  return findUp(dir, (folder) => {
    try {
      return (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { type?: string }).type ?? 'commonjs';
    } catch {
      return undefined; // No package.json here (or not JSON): look further up.
    }
  });
}

/** JSON with comments and trailing commas (tsconfig.json) as JSON. */
function parseJsonc(text: string): unknown {
  const withoutComments = text.replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_all, string: string | undefined) => string ?? '');
  return JSON.parse(withoutComments.replace(/,(\s*[}\]])/g, '$1'));
}

/**
 * The compilerOptions tsx would hand esbuild: the nearest tsconfig.json's,
 * following relative `extends`. Undefined when there is none; null when it cannot
 * be read the way tsx reads it (a package in `extends`, a file that does not parse).
 */
export function tsconfigOptions(dir: string): Record<string, unknown> | undefined | null {
  let file = findUp(dir, (folder) => (existsSync(join(folder, 'tsconfig.json')) ? join(folder, 'tsconfig.json') : undefined));
  if (!file) return undefined;
  let options: Record<string, unknown> = {};
  for (let depth = 0; file && depth < 5; depth++) {
    let config: { extends?: unknown; compilerOptions?: Record<string, unknown> };
    try {
      config = parseJsonc(readFileSync(file, 'utf8')) as typeof config;
    } catch {
      return null;
    }
    options = { ...config.compilerOptions, ...options };
    if (config.extends === undefined) return options;
    if (typeof config.extends !== 'string' || !config.extends.startsWith('.')) return null;
    file = join(dirname(file), config.extends.endsWith('.json') ? config.extends : `${config.extends}.json`);
  }
  return null;
}

/**
 * The JavaScript file to start instead of `file`, written once per content, or
 * null when the program must start under tsx (see the header).
 */
export function fastStartFile(file: string): string | null {
  if (process.env.HTTPDOJO_TSX === '1') return null;
  const mts = file.endsWith('.mts');
  if (!mts && !file.endsWith('.ts')) return null;
  let real: string;
  let source: string;
  try {
    real = realpathSync(file);
    source = readFileSync(real, 'utf8');
  } catch {
    return null;
  }
  if (!mts && nearestPackageType(dirname(real)) !== 'module') return null;
  const compilerOptions = tsconfigOptions(dirname(real));
  if (compilerOptions === null) return null;
  const key = createHash('sha1').update(real).update('\0').update(source).update('\0').update(JSON.stringify(compilerOptions ?? null)).digest('hex');
  if (compiled.has(key)) {
    // Most recently used last: what a running verify starts again is never the one evicted.
    const known = compiled.get(key)!;
    compiled.delete(key);
    compiled.set(key, known);
    return known;
  }
  const result = transform(real, source, compilerOptions);
  compiled.set(key, result === null ? null : writeProgram(key, result));
  evictBeyond(KEEP_PROGRAMS);
  return compiled.get(key)!;
}

/**
 * Programs kept written: watch mode writes one per save, so a long session would
 * otherwise fill the folder. `dev check` has ~145 programs but at most three
 * verifies running, each restarting only its own.
 */
const KEEP_PROGRAMS = 64;

function evictBeyond(keep: number): void {
  for (const [key, file] of compiled) {
    if (compiled.size <= keep) return;
    compiled.delete(key);
    if (file) rmSync(file, { force: true });
  }
}

function transform(file: string, source: string, compilerOptions: Record<string, unknown> | undefined): string | null {
  const build = loadEsbuild();
  if (!build) return null;
  try {
    // tsx's options (its dist, "keepNames:!0 ... minifyWhitespace:!0"): the same
    // emit, so function names in stacks and the program's own Function.name agree.
    const { code } = build.transformSync(source, {
      loader: 'ts',
      format: 'esm',
      target: `node${process.versions.node}`,
      sourcemap: 'inline',
      sourcefile: file,
      sourcesContent: false,
      minifyWhitespace: true,
      keepNames: true,
      ...(compilerOptions ? { tsconfigRaw: { compilerOptions } } : {}),
    });
    return differenceFromTsx(code) ? null : code;
  } catch {
    return null;
  }
}

const PROGRAMS_PREFIX = 'httpdojo-programs-';

function writeProgram(key: string, code: string): string {
  if (!cacheDir) {
    // The pid in the name lets a later httpdojo remove the folder of one that was
    // killed before its 'exit' handler could run (SIGKILL, a test runner's worker).
    sweepOrphanPrograms(tmpdir());
    cacheDir = mkdtempSync(join(tmpdir(), `${PROGRAMS_PREFIX}${process.pid}-`));
    const dir = cacheDir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const out = join(cacheDir, `${key.slice(0, 16)}.mjs`);
  writeFileSync(out, code);
  return out;
}

/** Removes the program folders in `dir` whose httpdojo process is gone. */
export function sweepOrphanPrograms(dir: string): void {
  removeOrphanEntries(dir, new RegExp(`^${PROGRAMS_PREFIX}(\\d+)-`));
}
