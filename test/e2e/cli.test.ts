// The command line, end to end: bin/httpdojo.js as a child process, asserting
// stdout, stderr and exit codes (VERDICT.md: 0 passed, 1 a check failed, 2 the
// command could not run, with one line on stderr and never a stack trace).

import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  killStartedClis, parseOneDocument, requireBuild, ROOT, runCli, STACK_FRAME, workspaceWith, type CliResult, type VerdictDoc, type Workspace,
} from './cli-support.ts';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(requireBuild);
afterEach(killStartedClis);

/** A usage error: exit 2, exactly one line on stderr, no stack trace. */
function expectUsageError(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^httpdojo: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(STACK_FRAME);
}

interface ErrorDoc {
  schema: string;
  error: { code: string; message: string };
}

/** Runs `verify 1` on a fixture copied to a temp folder, from that folder. */
async function verifyFixture(fixture: string, extraArgs: string[], env: Record<string, string | undefined> = {}): Promise<{ result: CliResult; workspace: Workspace }> {
  const workspace = workspaceWith(fixture);
  try {
    const result = await runCli(['verify', '1', '--file', workspace.file, ...extraArgs], { cwd: workspace.programDir, env: { ...workspace.env, ...env }, timeoutMs: 40_000 });
    return { result, workspace };
  } catch (error) {
    workspace.remove();
    throw error;
  }
}

const workspaces: Workspace[] = [];
afterEach(() => {
  for (const workspace of workspaces.splice(0)) workspace.remove();
});
async function verified(fixture: string, extraArgs: string[], env: Record<string, string | undefined> = {}) {
  const run = await verifyFixture(fixture, extraArgs, env);
  workspaces.push(run.workspace);
  return run;
}

describe('help and version', () => {
  it('--help exits 0 and lists the commands', async () => {
    const result = await runCli(['--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Usage: httpdojo/);
    for (const command of ['verify', 'list', 'explain']) expect(result.stdout).toContain(command);
    expect(result.stderr).toBe('');
  });

  it('--version and -v print the package version and exit 0', async () => {
    for (const flag of ['--version', '-v']) {
      const result = await runCli([flag]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(`${VERSION}\n`);
    }
  });

  it('verify --help exits 0 with the options and an example', async () => {
    const result = await runCli(['verify', '--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('--file <path>');
    expect(result.stdout).toContain('--json');
    expect(result.stdout).toMatch(/Example:\n\s+\$ httpdojo verify/);
  });
});

describe('usage errors: exit 2, one line, no stack trace', () => {
  it('an unknown lesson', async () => {
    const result = await runCli(['verify', '99', '--file', 'server.js']);
    expectUsageError(result, /no lesson "99"/);
    expect(result.stdout).toBe('');
  });

  it('an unknown lesson with --json: one error document on stdout', async () => {
    const result = await runCli(['verify', 'no-such-lesson', '--file', 'server.js', '--json']);
    expectUsageError(result, /no lesson "no-such-lesson"/);
    const doc = parseOneDocument<ErrorDoc>(result.stdout);
    expect(doc.schema).toBe('httpdojo.verdict/1');
    expect(doc.error).toEqual({ code: 'unknown-lesson', message: expect.stringContaining('no-such-lesson') });
  });

  it('a --file that does not exist, with and without --json', async () => {
    const missing = join(ROOT, 'test', 'fixtures', 'no-such-program.js');
    expectUsageError(await runCli(['verify', '1', '--file', missing]), /no such file/);
    const json = await runCli(['verify', '1', '--file', missing, '--json']);
    expectUsageError(json, /no such file/);
    expect(parseOneDocument<ErrorDoc>(json.stdout).error).toMatchObject({ code: 'missing-file' });
  });

  it('--file without its path', async () => {
    expectUsageError(await runCli(['verify', '1', '--file']), /argument missing/);
  });

  it('no --file and no program in the current folder', async () => {
    const workspace = workspaceWith('cli/wrong-content-type.mjs');
    workspaces.push(workspace);
    expectUsageError(await runCli(['verify', '1'], { cwd: workspace.tmp }), /no --file given/);
  });

  it('a bad flag, a bad command, a missing lesson argument', async () => {
    expectUsageError(await runCli(['verify', '1', '--bogus']), /unknown option '--bogus'/);
    expectUsageError(await runCli(['--bogus']), /unknown option '--bogus'/);
    expectUsageError(await runCli(['frobnicate']), /unknown command 'frobnicate'/);
    expectUsageError(await runCli(['verify']), /missing required argument 'lesson'/);
  });

  it('a bad flag with --json still prints one error document (VERDICT.md)', async () => {
    const result = await runCli(['verify', '1', '--file', 'server.js', '--json', '--bogus']);
    expectUsageError(result, /unknown option '--bogus'/);
    expect(parseOneDocument<ErrorDoc>(result.stdout)).toMatchObject({ schema: 'httpdojo.verdict/1', error: { code: 'usage' } });
  });

  it('explain of an unknown pitfall', async () => {
    const result = await runCli(['explain', 'nope']);
    expectUsageError(result, /no pitfall "nope"/);
  });
});

describe('list and explain', () => {
  it('list shows the lessons in order', async () => {
    const workspace = workspaceWith('cli/wrong-content-type.mjs');
    workspaces.push(workspace);
    const result = await runCli(['list'], { cwd: workspace.tmp });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/01\s+Hello, server/);
    expect(result.stderr).toBe('');
  });

  it('list --json is one JSON array of lessons', async () => {
    const workspace = workspaceWith('cli/wrong-content-type.mjs');
    workspaces.push(workspace);
    // From an empty folder (no workspace); fields may be added, so only the stable ones are pinned.
    const result = await runCli(['list', '--json'], { cwd: workspace.tmp });
    expect(result.code, result.stderr).toBe(0);
    const rows = parseOneDocument<Array<{ id: string; number: number; title: string; kind: string }>>(result.stdout);
    expect(rows[0]).toMatchObject({ id: '01-hello-server', number: 1, title: 'Hello, server', kind: 'server' });
    const numbers = rows.map((row) => row.number);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    for (const row of rows) expect(row.id).toMatch(new RegExp(`^${String(row.number).padStart(2, '0')}-[a-z0-9-]+$`));
  });

  it('explain missing-res-end prints the pitfall page', async () => {
    const result = await runCli(['explain', 'missing-res-end']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('(missing-res-end)');
    expect(result.stdout).toContain('res.end()');
    expect(result.stdout).toMatch(/nodejs\.org/);
  });
});

describe('verify', () => {
  it.each(['1', '01', 'hello-server', '01-hello-server'])('names lesson 1 as %j', async (name) => {
    const workspace = workspaceWith('robustness/correct.mjs');
    workspaces.push(workspace);
    const result = await runCli(['verify', name, '--file', workspace.file, '--json'], { cwd: workspace.programDir, env: workspace.env });
    expect(result.code, result.stderr).toBe(0);
    expect(parseOneDocument(result.stdout)).toMatchObject({ lesson: '01-hello-server', passed: true });
  });

  it('the pretty report of a failing program names the pitfall, the file:line and the code', async () => {
    const { result } = await verified('cli/wrong-content-type.mjs', []);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain('✗ GET / gets 200');
    expect(result.stdout).toContain('(wrong-content-type)');
    // Relative to the folder httpdojo runs in; line 5 is the writeHead with text/plain.
    expect(result.stdout).toContain('wrong-content-type.mjs:5:');
    expect(result.stdout).toMatch(/> 5 │ +res\.writeHead\(200, \{ 'Content-Type': 'text\/plain' \}\);/);
    expect(result.stdout).toMatch(/Why\s+/);
    expect(result.stdout).toMatch(/Fix\s+/);
    expect(result.stdout).toContain('httpdojo explain wrong-content-type');
    expect(result.stdout).toContain('Add --wire');
    expect(result.stdout).not.toMatch(STACK_FRAME);
  });

  it('--wire shows the bytes each way, escaped, with arrows', async () => {
    const { result } = await verified('cli/wrong-content-type.mjs', ['--wire']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain('Wire: GET / gets 200');
    expect(result.stdout).toMatch(/→ GET \/ HTTP\/1\.1\\r\\n$/m);
    expect(result.stdout).toMatch(/← HTTP\/1\.1 200 OK\\r\\n$/m);
    expect(result.stdout).toMatch(/← Content-Type: text\/plain\\r\\n$/m);
    // The raw CR never reaches the terminal: only its escape does.
    expect(result.stdout).not.toContain('\r');
  });

  it('NO_COLOR=1 turns every escape code off (and FORCE_COLOR=1 shows they exist)', async () => {
    const coloured = await verified('cli/wrong-content-type.mjs', [], { FORCE_COLOR: '1' });
    expect(coloured.result.stdout).toContain('\x1b[');
    const plain = await verified('cli/wrong-content-type.mjs', [], { NO_COLOR: '1' });
    expect(plain.result.code, plain.result.stderr).toBe(1);
    expect(plain.result.stdout).toContain('wrong-content-type');
    expect(plain.result.stdout).not.toContain('\x1b');
    expect(plain.result.stderr).not.toContain('\x1b');
  });
});

describe('the verdict document (VERDICT.md), field by field', () => {
  function expectWellFormed(verdict: VerdictDoc, file: string): void {
    expect(verdict.schema).toBe('httpdojo.verdict/1');
    expect(verdict.lesson).toBe('01-hello-server');
    expect(isAbsolute(verdict.file)).toBe(true);
    expect(verdict.file).toBe(file);
    expect(typeof verdict.passed).toBe('boolean');
    expect(typeof verdict.durationMs).toBe('number');
    expect(verdict.node).toBe(process.version);
    expect(verdict.version).toBe(VERSION);
    expect(verdict.checks.map((check) => check.id)).toEqual(['listens', 'get-root', 'any-method-and-path', 'keep-alive']);
    for (const check of verdict.checks) {
      for (const field of ['id', 'title', 'status', 'pitfall', 'message', 'location', 'durationMs']) expect(check, `${check.id}.${field}`).toHaveProperty(field);
      expect(typeof check.id).toBe('string');
      expect(typeof check.title).toBe('string');
      expect(['passed', 'failed', 'skipped']).toContain(check.status);
      expect(Number.isInteger(check.durationMs) && check.durationMs >= 0).toBe(true);
      if (check.status === 'failed') {
        expect(typeof check.pitfall).toBe('string');
        expect(typeof check.message).toBe('string');
        expect(check.message).not.toContain('\x1b');
      } else {
        expect(check.pitfall).toBeNull();
      }
      if (check.location !== null) {
        expect(check.location).toEqual({ file: expect.any(String), line: expect.any(Number), column: expect.any(Number) });
        expect(isAbsolute(check.location.file)).toBe(true);
      }
    }
    // pitfalls: the distinct ids of the failed checks, in check order.
    const expected: string[] = [];
    for (const check of verdict.checks) if (check.status === 'failed' && !expected.includes(check.pitfall!)) expected.push(check.pitfall!);
    expect(verdict.pitfalls).toEqual(expected);
    expect(verdict.passed).toBe(verdict.checks.every((check) => check.status === 'passed'));
  }

  it('a failing program: distinct pitfalls in check order, locations in the learner file', async () => {
    const workspace = workspaceWith('cli/two-pitfalls.mjs');
    workspaces.push(workspace);
    // A relative --file: the document still carries the absolute path.
    const result = await runCli(['verify', '1', '--file', 'two-pitfalls.mjs', '--json'], { cwd: workspace.programDir, env: workspace.env });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toBe('');
    const verdict = parseOneDocument(result.stdout);
    expectWellFormed(verdict, workspace.file);
    expect(verdict.passed).toBe(false);
    expect(verdict.checks.map((check) => [check.status, check.pitfall])).toEqual([
      ['passed', null],
      ['failed', 'wrong-status'],
      ['failed', 'wrong-content-type'],
      ['failed', 'wrong-status'],
    ]);
    expect(verdict.pitfalls).toEqual(['wrong-status', 'wrong-content-type']);
    const getRoot = verdict.checks[1];
    expect(getRoot.location).toEqual({ file: workspace.file, line: 8, column: expect.any(Number) });
    expect(getRoot.message).toMatch(/expected status 200, got status 201/);
    expect(verdict.checks[2].location).toMatchObject({ file: workspace.file, line: 12 });
  });

  it('a passing program: passed true, no pitfalls, pitfall null everywhere', async () => {
    const { result, workspace } = await verified('robustness/correct.mjs', ['--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const verdict = parseOneDocument(result.stdout);
    expectWellFormed(verdict, workspace.file);
    expect(verdict.passed).toBe(true);
    expect(verdict.pitfalls).toEqual([]);
    for (const check of verdict.checks) expect(check).toMatchObject({ status: 'passed', pitfall: null, message: null, location: null });
  });

  it('a program that never listens: the rest are skipped, with pitfall null, and passed is false', async () => {
    const { result, workspace } = await verified('robustness/exit-3.mjs', ['--json']);
    expect(result.code, result.stderr).toBe(1);
    const verdict = parseOneDocument(result.stdout);
    expectWellFormed(verdict, workspace.file);
    expect(verdict.checks.map((check) => check.status)).toEqual(['failed', 'skipped', 'skipped', 'skipped']);
    expect(verdict.pitfalls).toEqual(['never-listens']);
  });
});
