// The workspace state file: validation, recovery from damage, and atomic writes
// that survive a kill -9 at any moment.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCourse } from '../../src/course/lessons.ts';
import {
  createFileAtomic,
  newState,
  readStateFile,
  removeStaleTempFiles,
  STATE_SCHEMA,
  statePath,
  validate,
  writeFileAtomic,
  writeStateFile,
} from '../../src/workspace/state.ts';
import { openWorkspace, rebuildState, recordVerdict, updateProgress } from '../../src/workspace/workspace.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const lessons = loadCourse(join(ROOT, 'lessons'));
const dirs: string[] = [];

function tempWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hdj-state-'));
  dirs.push(dir);
  mkdirSync(join(dir, '.httpdojo'));
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('reading the state', () => {
  it('round-trips a written state', () => {
    const root = tempWorkspace();
    const state = newState('ts');
    state.current = '01-hello-server';
    state.lessons['01-hello-server'] = { openedAt: 'x', attempts: 3, passed: true, passedAt: 'y', lastVerifiedAt: 'y', lastResult: 'passed', hintsShown: 2 };
    writeStateFile(root, state);
    const read = readStateFile(root);
    expect(read.ok).toBe(true);
    if (read.ok) expect(read.state).toMatchObject({ schema: STATE_SCHEMA, lang: 'ts', current: '01-hello-server', lessons: { '01-hello-server': { attempts: 3, passed: true, hintsShown: 2 } } });
    expect(readdirSync(join(root, '.httpdojo'))).toEqual(['state.json']);
  });

  it.each([
    ['missing', null, 'missing'],
    ['empty', '', 'corrupt'],
    ['truncated JSON', '{"schema": "httpdojo.state/1", "lang": "js", "less', 'corrupt'],
    ['not an object', '[1, 2, 3]', 'corrupt'],
    ['another schema', '{"schema": "something/9", "lang": "js"}', 'corrupt'],
    ['a bad language', '{"schema": "httpdojo.state/1", "lang": "cobol"}', 'corrupt'],
    ['binary junk', '\u0000\u0001\u00ff\u00fe', 'corrupt'],
  ])('reports a %s file without throwing', (_name, content, reason) => {
    const root = tempWorkspace();
    if (content !== null) writeFileSync(statePath(root), content);
    const read = readStateFile(root);
    expect(read).toMatchObject({ ok: false, reason });
    if (!read.ok) expect(read.detail).not.toMatch(/\n/);
  });

  it('coerces odd fields instead of failing on them', () => {
    const state = validate({ schema: STATE_SCHEMA, lang: 'js', current: 7, lessons: { a: { attempts: -3, passed: 'yes', hintsShown: 1e9 }, b: 'junk' } });
    expect(state).not.toBeNull();
    expect(state!.current).toBeNull();
    expect(state!.lessons.a).toMatchObject({ attempts: 0, passed: false, hintsShown: 99 });
    expect(state!.lessons.b).toBeUndefined();
  });
});

describe('rebuilding a lost or damaged state', () => {
  it('rebuilds from the lesson folders, keeps the damaged copy, and says so', () => {
    const root = tempWorkspace();
    mkdirSync(join(root, '01-hello-server'));
    writeFileSync(join(root, '01-hello-server', 'server.ts'), '// mine\n');
    writeFileSync(join(root, '01-hello-server', 'solution.ts'), '// reference, written on a pass\n');
    mkdirSync(join(root, '02-reading-requests'));
    writeFileSync(join(root, '02-reading-requests', 'server.ts'), '// mine too\n');
    writeFileSync(statePath(root), '{"schema": "httpdojo.state/1", "la');
    const workspace = openWorkspace(root, lessons);
    expect(workspace.notice).toMatch(/unreadable.*rebuilt it from your lesson folders.*kept as \.httpdojo\/state\.json\.corrupt-/);
    expect(workspace.state.lang).toBe('ts');
    expect(workspace.state.lessons['01-hello-server'].passed).toBe(true);
    expect(workspace.state.lessons['02-reading-requests'].passed).toBe(false);
    expect(workspace.state.current).toBe('02-reading-requests');
    expect(readStateFile(root).ok).toBe(true);
    expect(readdirSync(join(root, '.httpdojo')).some((name) => name.startsWith('state.json.corrupt-'))).toBe(true);
    expect(readFileSync(join(root, '01-hello-server', 'server.ts'), 'utf8')).toBe('// mine\n');
  });

  it('a missing state in an empty workspace starts at lesson 1', () => {
    const root = tempWorkspace();
    const state = rebuildState(root, lessons);
    expect(state.current).toBe(lessons[0].id);
    expect(state.lang).toBe('js');
  });

  it('updates re-read the file, so a concurrent change is kept', () => {
    const root = tempWorkspace();
    writeStateFile(root, newState('js'));
    const first = openWorkspace(root, lessons);
    const second = openWorkspace(root, lessons);
    updateProgress(first, '01-hello-server', (progress) => {
      progress.hintsShown = 2;
    });
    recordVerdict(second, lessons[0], false);
    const read = readStateFile(root);
    expect(read.ok && read.state.lessons['01-hello-server']).toMatchObject({ hintsShown: 2, attempts: 1, lastResult: 'failed' });
  });
});

describe('atomic writes', () => {
  it('createFileAtomic never replaces an existing file', () => {
    const root = tempWorkspace();
    const file = join(root, 'server.js');
    expect(createFileAtomic(file, 'starter')).toBe(true);
    writeFileSync(file, 'learner code');
    expect(createFileAtomic(file, 'starter again')).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('learner code');
    expect(readdirSync(root).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('removes temp files left by a dead writer, not those of a live one', () => {
    const root = tempWorkspace();
    const dir = join(root, '.httpdojo');
    writeFileSync(join(dir, 'state.json.999999.abc123.tmp'), 'half');
    writeFileSync(join(dir, `state.json.${process.pid}.abc123.tmp`), 'mine');
    removeStaleTempFiles(dir);
    expect(readdirSync(dir).sort()).toEqual([`state.json.${process.pid}.abc123.tmp`]);
  });

  it('a writer killed with SIGKILL at random moments never leaves a state that does not parse', { timeout: 60_000 }, async () => {
    const root = tempWorkspace();
    writeStateFile(root, newState('js'));
    const script = join(root, 'writer.mts');
    // A big state (a few hundred kB) so that a kill often lands mid-write.
    writeFileSync(
      script,
      `import { newState, writeStateFile, writeFileAtomic } from ${JSON.stringify(pathToFileURL(join(ROOT, 'src/workspace/state.ts')).href)};
const root = ${JSON.stringify(root)};
const state = newState('js');
for (let i = 0; i < 2000; i++) state.lessons['lesson-' + i] = { openedAt: new Date().toISOString(), attempts: i, passed: i % 2 === 0, passedAt: null, lastVerifiedAt: null, lastResult: null, hintsShown: 0 };
let n = 0;
process.stdout.write('ready\\n');
for (;;) { state.current = 'run-' + n++; writeStateFile(root, state); writeFileAtomic(root + '/learner.js', '// version ' + n + '\\n' + 'x'.repeat(50000)); }
`,
    );
    let killedMidWrite = 0;
    for (let round = 0; round < 12; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('writer did not start')), 20_000);
        child.stdout!.once('data', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 200));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const read = readStateFile(root);
      expect(read.ok, `round ${round}: ${read.ok ? '' : read.detail}`).toBe(true);
      if ([...readdirSync(root), ...readdirSync(join(root, '.httpdojo'))].some((name) => name.endsWith('.tmp'))) killedMidWrite++;
      if (existsSync(join(root, 'learner.js'))) {
        const learner = readFileSync(join(root, 'learner.js'), 'utf8');
        expect(learner).toMatch(/^\/\/ version \d+\nx{50000}$/);
      }
    }
    // Evidence the test does what it says: most kills land between a temp file's creation and its rename.
    expect(killedMidWrite).toBeGreaterThan(0);
    removeStaleTempFiles(join(root, '.httpdojo'));
    expect(readdirSync(join(root, '.httpdojo')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
