// The learner's workspace from the outside, as scripts, editors and CI see it:
// every command run without a terminal (stdin ignored) neither asks nor hangs,
// NO_COLOR output has no escape codes, the state file survives damage and kill -9,
// reset keeps a backup, and the JavaScript versions of the course's programs
// behave like the TypeScript ones (starters fail, solutions pass).

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadCourse } from '../../src/course/lessons.ts';
import { readStateFile } from '../../src/workspace/state.ts';
import { stripTypes } from '../../src/workspace/strip-types.ts';
import { isLinux, killStartedClis, processesMatching, requireBuild, ROOT, runCli, startCli, STACK_FRAME, waitUntil, type CliOptions, type CliResult, freePort } from './cli-support.ts';

requireBuild();
const lessons = loadCourse(join(ROOT, 'lessons'));
const temps: string[] = [];
const ESC = /\u001B/;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hdj-ws-'));
  temps.push(dir);
  return dir;
}

/** No colour, no npm wrapper (messages say `httpdojo`, not `npx httpdojo`). */
function cli(args: string[], cwd: string, options: CliOptions = {}): Promise<CliResult> {
  return runCli(args, { cwd, timeoutMs: 45_000, ...options, env: { NO_COLOR: '1', npm_command: undefined, ...options.env } });
}

/** What every non-interactive run must look like. */
function expectPlain(result: CliResult): void {
  expect(result.killed, `timed out: ${result.stdout}${result.stderr}`).toBe(false);
  expect(result.stdout).not.toMatch(ESC);
  expect(result.stderr).not.toMatch(ESC);
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.stdout).not.toMatch(/\?\s*$/); // no question left waiting for an answer
}

async function solutionJs(lessonId: string): Promise<string> {
  return (await stripTypes(readFileSync(join(ROOT, 'lessons', lessonId, 'solution.ts'), 'utf8'))).code;
}

afterEach(() => killStartedClis());
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('outside a workspace, without a terminal', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = tempDir();
  });

  it('bare httpdojo says what to run and exits 0 without asking', async () => {
    const result = await cli([], cwd);
    expectPlain(result);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('httpdojo init my-httpdojo --lang js');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it.each([
    [['watch'], /watch mode needs a terminal/],
    [['progress'], /not in an httpdojo workspace.*httpdojo init/],
    [['reset', '1', '--yes'], /not in an httpdojo workspace/],
    [['next'], /not in an httpdojo workspace/],
    [['solution', '1'], /solution 1 --yes/],
    [['verify'], /missing required argument 'lesson'/],
  ])('%j exits 2 with one line on stderr', async (args, message) => {
    const result = await cli(args, cwd);
    expectPlain(result);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('progress --json prints one error document', async () => {
    const result = await cli(['progress', '--json'], cwd);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ schema: 'httpdojo.progress/1', error: { code: 'no-workspace' } });
  });

  it('list --json: every lesson new, with where its file would be', async () => {
    const result = await cli(['list', '--json'], cwd);
    expectPlain(result);
    const rows = JSON.parse(result.stdout) as Array<{ id: string; status: string; file: string; title: string }>;
    expect(rows).toHaveLength(lessons.length);
    for (const [index, row] of rows.entries()) {
      expect(row).toMatchObject({ id: lessons[index].id, title: lessons[index].title, status: 'new' });
      expect(row.file).toBe(join(cwd, lessons[index].id, `${lessons[index].fileStem}.js`));
    }
  });

  it('read, hint and solution --yes work without a workspace and create nothing', async () => {
    for (const args of [['read', '1'], ['hint', '1'], ['hint', '1', '--all'], ['solution', '1', '--yes']]) {
      const result = await cli(args, cwd);
      expectPlain(result);
      expect(result.code, args.join(' ')).toBe(0);
    }
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('a JavaScript workspace, every command without a terminal', () => {
  let root: string;
  let lessonFile: string;
  let starter: string;

  beforeAll(async () => {
    const parent = tempDir();
    const result = await cli(['init', 'my-httpdojo', '--lang', 'js'], parent);
    expectPlain(result);
    expect(result.code).toBe(0);
    root = join(parent, 'my-httpdojo');
    lessonFile = join(root, lessons[0].id, 'server.js');
    starter = (await stripTypes(readFileSync(join(ROOT, 'lessons', lessons[0].id, 'starter.ts'), 'utf8'))).code;
  }, 60_000);

  it('init made the workspace: package.json with "type": "module", the state, lesson 1 from the starter', () => {
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))).toMatchObject({ type: 'module', private: true });
    const read = readStateFile(root);
    expect(read.ok && read.state).toMatchObject({ lang: 'js', current: lessons[0].id });
    expect(readFileSync(lessonFile, 'utf8')).toBe(starter);
    expect(starter).toContain('// TODO');
    expect(starter).not.toMatch(/:\s*(string|number|http\.\w+)\b/);
    expect(existsSync(join(root, 'tsconfig.json'))).toBe(false);
  });

  it('init again changes nothing and says so', async () => {
    writeFileSync(lessonFile, starter + '// my change\n');
    const result = await cli(['init', '.', '--lang', 'ts'], root);
    expectPlain(result);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/already an httpdojo workspace \(JavaScript\)/);
    expect(readFileSync(lessonFile, 'utf8')).toBe(starter + '// my change\n');
    writeFileSync(lessonFile, starter);
  });

  it('bare httpdojo in a workspace prints where you are and what to run', async () => {
    const result = await cli([], root);
    expectPlain(result);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Current lesson: 1 Hello, server/);
    expect(result.stdout).toContain('httpdojo verify');
  });

  it('verify without --file checks the workspace file (the starter fails) and records the attempt', async () => {
    const result = await cli(['verify'], join(root, lessons[0].id));
    expectPlain(result);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^${lessons[0].id} +server\\.js$`, 'm')); // the workspace's file, shown from where we are
    const read = readStateFile(root);
    expect(read.ok && read.state.lessons[lessons[0].id]).toMatchObject({ attempts: 1, passed: false, lastResult: 'failed' });
    const list = JSON.parse((await cli(['list', '--json'], root)).stdout) as Array<{ status: string; file: string; current: boolean }>;
    expect(list[0]).toMatchObject({ status: 'failed', file: lessonFile, current: true });
    expect(list[1]).toMatchObject({ status: 'new', file: join(root, lessons[1].id, `${lessons[1].fileStem}.js`) });
  });

  it('verify --json in a workspace still prints exactly one document', async () => {
    const result = await cli(['verify', '--json'], root);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ lesson: lessons[0].id, file: lessonFile, passed: false });
  });

  it('hint shows the next hint each time and remembers it', async () => {
    const first = await cli(['hint'], root);
    expectPlain(first);
    expect(first.stdout).toMatch(/Hint 1 of 3/);
    const second = await cli(['hint'], root);
    expect(second.stdout).toMatch(/Hint 2 of 3/);
    const progress = JSON.parse((await cli(['progress', '--json'], root)).stdout) as { lessons: Array<{ hintsShown: number; attempts: number }> };
    expect(progress.lessons[0]).toMatchObject({ hintsShown: 2, attempts: 2 });
  });

  it('solution before a pass: refused without --yes (exit 2), shown with it', async () => {
    const refused = await cli(['solution'], root);
    expectPlain(refused);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/not passed lesson 1 yet.*httpdojo solution 1 --yes/);
    const shown = await cli(['solution', '--yes'], root);
    expectPlain(shown);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("res.writeHead(200, { 'Content-Type': 'application/json' });");
  });

  it('next before a pass: refused (exit 2)', async () => {
    const result = await cli(['next'], root);
    expectPlain(result);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/has not passed yet/);
  });

  it('reset: refused without --yes and without a terminal; with --yes the old file is backed up first', async () => {
    writeFileSync(lessonFile, '// my attempt\n');
    const refused = await cli(['reset'], root);
    expectPlain(refused);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/httpdojo reset 1 --yes/);
    expect(readFileSync(lessonFile, 'utf8')).toBe('// my attempt\n');

    const done = await cli(['reset', '1', '--yes'], root);
    expectPlain(done);
    expect(done.code).toBe(0);
    expect(readFileSync(lessonFile, 'utf8')).toBe(starter);
    const backups = readdirSync(join(root, '.httpdojo', 'backups', lessons[0].id));
    expect(backups.map((name) => readFileSync(join(root, '.httpdojo', 'backups', lessons[0].id, name), 'utf8'))).toContain('// my attempt\n');
    expect(done.stdout).toContain(`.httpdojo/backups/${lessons[0].id}/`);
  });

  it('run starts the program as it is, says what to curl, and Ctrl-C (SIGINT) stops everything with 130', async () => {
    const port = await freePort();
    writeFileSync(lessonFile, (await solutionJs(lessons[0].id)).replace('listen(3000', `listen(${port}`));
    const running = startCli(['run'], { cwd: root, env: { NO_COLOR: '1', npm_command: undefined }, timeoutMs: 30_000 });
    let stdout = '';
    running.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    expect(await waitUntil(() => stdout.includes(`Listening on port ${port}.`), 15_000), stdout).toBe(true);
    expect(stdout).toContain(`curl -i http://localhost:${port}/`);
    const body = await new Promise<string>((resolve, reject) => {
      http.get(`http://127.0.0.1:${port}/`, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(JSON.parse(body)).toEqual({ message: 'Hello' });
    running.child.kill('SIGINT');
    const result = await running.result;
    expect(result.code).toBe(130);
    expect(result.stdout).not.toMatch(ESC);
    if (isLinux) expect(processesMatching(lessonFile, 'no-marker')).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await new Promise((resolve) => net.connect(port, '127.0.0.1').once('connect', () => resolve(true)).once('error', () => resolve(false)))).toBe(false);
  });

  it('a correct program passes: recorded, reference solution written, next opens lesson 2', async () => {
    writeFileSync(lessonFile, await solutionJs(lessons[0].id));
    const result = await cli(['verify'], root);
    expectPlain(result);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Lesson 1 passed/);
    expect(existsSync(join(root, lessons[0].id, 'solution.js'))).toBe(true);
    const next = await cli(['next'], root);
    expectPlain(next);
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/Lesson 2: Reading the request/);
    expect(existsSync(join(root, lessons[1].id, `${lessons[1].fileStem}.js`))).toBe(true);
    const progress = JSON.parse((await cli(['progress', '--json'], root)).stdout) as { current: string; passed: number };
    expect(progress).toMatchObject({ current: lessons[1].id, passed: 1 });
    const text = await cli(['progress'], root);
    expectPlain(text);
    expect(text.stdout).toMatch(/1\/\d+ lessons passed/);
    const list = await cli(['list'], root);
    expectPlain(list);
    expect(list.stdout).toMatch(/✓ 01 {2}Hello, server/);
  });

  it('read opens a lesson: its file is created and it becomes the current one', async () => {
    const result = await cli(['read', '3'], root);
    expectPlain(result);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Your file: .*03-json-routing\/server\.js \(created from the starter\)/);
    const read = readStateFile(root);
    expect(read.ok && read.state.current).toBe(lessons[2].id);
  });

  it('FORCE_COLOR=1 does colour the output (so the NO_COLOR checks above mean something)', async () => {
    const result = await runCli(['list'], { cwd: root, env: { FORCE_COLOR: '1' } });
    expect(result.stdout).toMatch(ESC);
  });

  it('a corrupt state file is reported in one line and rebuilt; the code is untouched', async () => {
    const before = readFileSync(lessonFile, 'utf8');
    writeFileSync(join(root, '.httpdojo', 'state.json'), '{"schema": "httpdojo.state/1", "lang": "js", "lessons": {"01-hel');
    const result = await cli(['list', '--json'], root);
    expect(result.code).toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/unreadable.*rebuilt it from your lesson folders/);
    const rows = JSON.parse(result.stdout) as Array<{ status: string }>;
    expect(rows[0].status).toBe('passed'); // the reference solution beside it says so
    expect(readStateFile(root).ok).toBe(true);
    expect(readFileSync(lessonFile, 'utf8')).toBe(before);
    rmSync(join(root, '.httpdojo', 'state.json'));
    const missing = await cli(['progress'], root);
    expect(missing.code).toBe(0);
    expect(missing.stderr).toMatch(/was missing; rebuilt it/);
  });

  it('kill -9 at any moment of reset, hint or verify never corrupts the state or loses the learner code', { timeout: 240_000 }, async () => {
    const backups = join(root, '.httpdojo', 'backups', lessons[0].id);
    for (let round = 0; round < 16; round++) {
      const mine = `// my code, version ${round}\n${'x'.repeat(20_000)}\n`;
      writeFileSync(lessonFile, mine);
      const args = [['reset', '1', '--yes'], ['hint', '1'], ['verify', '1'], ['reset', '1', '--yes']][round % 4];
      const running = startCli(args, { cwd: root, env: { NO_COLOR: '1' }, timeoutMs: 30_000 });
      await new Promise((resolve) => setTimeout(resolve, 80 + Math.random() * 500));
      running.child.kill('SIGKILL');
      await running.result;
      const read = readStateFile(root);
      expect(read.ok, `round ${round} (${args.join(' ')}): ${read.ok ? '' : read.detail}`).toBe(true);
      const now = readFileSync(lessonFile, 'utf8');
      if (now !== mine) {
        // Replaced by the starter: only after the learner's version was safely copied.
        expect(now).toBe(starter);
        const saved = readdirSync(backups).map((name) => readFileSync(join(backups, name), 'utf8'));
        expect(saved).toContain(mine);
      }
    }
  });
});

describe('a TypeScript workspace', () => {
  it('gets tsconfig.json and editor types for node:http copied in (no network), and the starter as it is', async () => {
    const parent = tempDir();
    const result = await cli(['init', 'ts-dojo', '--lang', 'ts'], parent);
    expectPlain(result);
    expect(result.code).toBe(0);
    const root = join(parent, 'ts-dojo');
    expect(existsSync(join(root, 'tsconfig.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(root, 'node_modules', '@types', 'node', 'package.json'), 'utf8')).name).toBe('@types/node');
    expect(existsSync(join(root, 'node_modules', '@types', 'node', 'http.d.ts'))).toBe(true);
    expect(readFileSync(join(root, lessons[0].id, 'server.ts'), 'utf8')).toBe(readFileSync(join(ROOT, 'lessons', lessons[0].id, 'starter.ts'), 'utf8'));
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toContain('node_modules');
  });
});

describe('the JavaScript versions of the course programs', () => {
  const checked = lessons.filter((lesson) => lesson.checkFile && existsSync(join(lesson.dir, 'starter.ts')) && existsSync(join(lesson.dir, 'solution.ts')));
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  });

  it.each(checked.map((lesson) => [lesson.id, lesson] as const))('%s: the stripped starter fails verify, the stripped solution passes', { timeout: 120_000 }, async (_id, lesson) => {
    mkdirSync(join(dir, lesson.id), { recursive: true });
    const starterFile = join(dir, lesson.id, `${lesson.fileStem}.js`);
    const solutionFile = join(dir, lesson.id, `solution.js`);
    writeFileSync(starterFile, (await stripTypes(readFileSync(join(lesson.dir, 'starter.ts'), 'utf8'))).code);
    writeFileSync(solutionFile, (await stripTypes(readFileSync(join(lesson.dir, 'solution.ts'), 'utf8'))).code);
    const failing = await cli(['verify', lesson.id, '--file', starterFile, '--json'], dir);
    expect(failing.code, failing.stderr).toBe(1);
    const starterVerdict = JSON.parse(failing.stdout) as { checks: Array<{ id: string; pitfall: string | null }> };
    // The starter runs: it is not rejected as a crash or a syntax error before the lesson's own checks.
    expect(starterVerdict.checks.some((check) => check.pitfall === 'crash' && check.id === 'listens')).toBe(false);
    const passing = await cli(['verify', lesson.id, '--file', solutionFile, '--json'], dir);
    const verdict = JSON.parse(passing.stdout) as { passed: boolean; checks: Array<{ id: string; status: string; message: string | null }> };
    expect(verdict.checks.filter((check) => check.status !== 'passed')).toEqual([]);
    expect(passing.code).toBe(0);
  });
});
