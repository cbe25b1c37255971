// A lesson's checks as verify runs them: its own check module, plus the checks of
// the earlier lessons its front matter `reruns:` names (lesson 15 re-runs 03-05),
// so no lesson's check.ts imports another's. The order (docs/writing-lessons.md):
// each re-run lesson's checks in the order `reruns:` lists them, then the lesson's
// own; a repeated id keeps its last version, in that version's place (lesson 04's
// stricter method-not-allowed replaces 03's). `crashes` merge the same way, the
// lesson's own last. Only the lesson's own `setup` runs: a re-run lesson's setup
// (fixtures, upstreams) is not started, so a lesson re-running one that needs a
// setup must provide the same in its own. Re-runs are not transitive: a re-run
// lesson contributes its own checks, not those of the lessons it re-runs.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Module, { register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Check, LessonChecks } from './check-api.js';
import { VerifyError } from './verdict.js';
import { findCheckFile, LESSON_DIR, type Lesson } from '../course/lessons.js';

export async function loadChecks(lesson: Lesson, compiledChecksDir?: string): Promise<LessonChecks> {
  if (!lesson.checkFile) throw new VerifyError(`lesson ${lesson.id} has no check.ts`, 'bad-check-module');
  const own = await loadModule(lesson.id, lesson.checkFile, compiledChecksDir);
  if (lesson.reruns.length === 0) return own;
  const reused: LessonChecks[] = [];
  for (const id of lesson.reruns) reused.push(await loadModule(id, rerunCheckFile(lesson, id), compiledChecksDir));
  const all = [...reused, own];
  return {
    ...(own.setup ? { setup: own.setup } : {}),
    crashes: Object.assign({}, ...all.map((module) => module.crashes ?? {})) as Record<string, string>,
    checks: uniqueById(all.flatMap((module) => module.checks)),
  };
}

/** The check module of re-run lesson `id` (a sibling folder), which must be an earlier lesson. */
function rerunCheckFile(lesson: Lesson, id: string): string {
  const own = Number(LESSON_DIR.exec(lesson.id)?.[1] ?? NaN);
  const number = Number(LESSON_DIR.exec(id)?.[1] ?? NaN);
  const dir = join(dirname(lesson.dir), id);
  const checkFile = number < own && existsSync(join(dir, 'lesson.md')) ? findCheckFile(dir) : null;
  if (!checkFile) throw new VerifyError(`${lesson.id}/lesson.md: reruns: names ${id}, which is not an earlier lesson with a check.ts`, 'bad-check-module');
  return checkFile;
}

/** One check per id; a repeated id keeps its last version, in that version's place. */
function uniqueById(checks: Check[]): Check[] {
  const byId = new Map<string, Check>();
  for (const check of checks) {
    byId.delete(check.id);
    byId.set(check.id, check);
  }
  return [...byId.values()];
}

async function loadModule(lessonId: string, checkFile: string, compiledChecksDir?: string): Promise<LessonChecks> {
  let loaded: unknown;
  try {
    const compiled = compiledChecksDir ? join(compiledChecksDir, lessonId, 'check.js') : null;
    if (compiled && existsSync(compiled) && isFresh(compiled, checkFile)) {
      loaded = await import(pathToFileURL(compiled).href);
    } else if (/\.m?js$/.test(checkFile)) {
      resolveOurOwnName();
      loaded = await import(pathToFileURL(checkFile).href);
    } else {
      resolveOurOwnName();
      // tsx's API starts a loader thread: a few hundred ms, paid only by courses
      // that are not precompiled (an instructor's own) or edited since the build.
      const { tsImport } = await import('tsx/esm/api');
      loaded = await tsImport(pathToFileURL(checkFile).href, import.meta.url);
    }
  } catch (error) {
    throw new VerifyError(`could not load ${checkFile}: ${(error as Error).message}`, 'bad-check-module');
  }
  // A CommonJS-interpreted module nests the default export one level deeper.
  const candidates = [(loaded as { default?: unknown }).default, ((loaded as { default?: { default?: unknown } }).default)?.default];
  const checks = candidates.find((value): value is LessonChecks => Boolean(value && Array.isArray((value as LessonChecks).checks)));
  if (!checks) throw new VerifyError(`${checkFile} must export default { checks: [...] }`, 'bad-check-module');
  return checks;
}

/**
 * A compiled check is stale when any of its sources was edited after the build:
 * its check.ts and every other lesson's check module it imports (a compiled
 * `../10-http-get/check.js` import loads that lesson's compiled copy, so that
 * copy must be fresh too). Stale -> the caller loads the sources with tsx.
 */
function isFresh(compiled: string, checkFile: string): boolean {
  const built = statSync(compiled).mtimeMs;
  return checkSources(checkFile).every((source) => !existsSync(source) || statSync(source).mtimeMs <= built);
}

/** checkFile and the other lessons' check modules it imports (`from '../10-http-get/check.ts'`), one level deep. */
export function checkSources(checkFile: string): string[] {
  const imported = [...readFileSync(checkFile, 'utf8').matchAll(/^\s*(?:import|export)\s(?!type\s)[^;]*?from\s+['"](\.\.\/[^'"]+\/check\.m?[tj]s)['"]/gm)];
  const names = imported.map((match) => resolve(dirname(checkFile), match[1]));
  return [checkFile, ...names.filter((name) => LESSON_DIR.test(basename(dirname(name))))];
}

let ownNameResolved = false;
/**
 * An instructor's check.ts may import values (the client harness) from
 * 'httpdojo/check'. Inside this package that name resolves by self-reference, but a
 * course folder elsewhere has no httpdojo in any node_modules above it, and Node would
 * not find it. A resolve hook (https://nodejs.org/docs/latest-v20.x/api/module.html#customization-hooks)
 * maps the two names to the running httpdojo's own files, so a course always uses
 * the engine that runs it. Registered once, only when a check is loaded from source.
 */
function resolveOurOwnName(): void {
  if (ownNameResolved) return;
  ownNameResolved = true;
  const target = (name: string) => {
    const js = new URL(`./${name}.js`, import.meta.url);
    // Under the test runner this file is the .ts source, beside .ts siblings.
    return existsSync(js) ? js.href : new URL(`./${name}.ts`, import.meta.url).href;
  };
  const names = { 'httpdojo/check': target('check-api'), httpdojo: target('index') };
  const hooks = `const names = ${JSON.stringify(names)};
export async function resolve(specifier, context, next) {
  return Object.hasOwn(names, specifier) ? { url: names[specifier], shortCircuit: true } : next(specifier, context);
}`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
  // tsx runs a check.ts outside any "type": "module" package as CommonJS, whose
  // require() the hooks above do not see (Node 20): the same two names for require.
  const cjs = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = cjs._resolveFilename;
  cjs._resolveFilename = function resolveFilename(this: unknown, request: string, ...rest: unknown[]) {
    return Object.hasOwn(names, request) ? fileURLToPath(names[request as keyof typeof names]) : original.call(this, request, ...rest);
  };
}
