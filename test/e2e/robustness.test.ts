// The robustness contract (DESIGN.md), end to end: whatever the learner's program
// does — never listens, exits at once, loops forever, ignores SIGTERM, spawns a
// detached child, floods stdout, listens twice, has a syntax error — `httpdojo
// verify --json` prints exactly one verdict within the lesson's deadline, with
// the right pitfall, and leaves no process, listening port or temp file behind.
// Ctrl-C (and a hang-up) mid-check cleans up the same way.
//
// Each case copies its fixture (test/fixtures/robustness/) to a temp folder of
// its own, runs the CLI with a unique marker in its environment (inherited by
// the learner and anything it starts) and a private TMPDIR, then scans /proc
// for the marker and the folder's path. Fixtures write the ports they listen on
// to ports.txt beside themselves, so the test can check that nothing accepts
// connections there any more. At most two cases run at once (2-core machine).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isLinux, isListening, killProcesses, killStartedClis, leftoverProcesses, limiter, parseOneDocument, portsOf,
  processesMatching, requireBuild, runCli, sleep, STACK_FRAME, startCli, tempLeftovers, waitUntil, workspaceWith,
  type CliResult, type VerdictDoc, type Workspace,
} from './cli-support.ts';

const LESSON_DEADLINE_MS = 20_000;
const LISTEN_DEADLINE_MS = 5_000;
/** Generous: a loaded 2-core machine may take a few seconds more to start node and tsx. */
const NEVER_LISTENS_MAX_MS = 9_000;

beforeAll(requireBuild);
// Not afterEach: the cases run concurrently, and each one's CLI child is bounded by its own deadline.
afterAll(killStartedClis);

interface Case {
  fixture: string;
  /** What the program does, for the test name. */
  does: string;
  exit: 0 | 1;
  /** The verdict's pitfalls, exactly; or a predicate for cases with more than one honest diagnosis. */
  pitfalls: string[] | ((pitfalls: string[]) => boolean);
  /** Upper bound on the wall time of the whole CLI run. */
  maxMs: number;
  /** Lower bound: the cases that must wait out the 5 s listen deadline. */
  minMs?: number;
  /** How many listening ports the fixture reports in ports.txt. */
  ports: number;
  more?: (verdict: VerdictDoc, workspace: Workspace, result: CliResult) => void;
}

const listensCheck = (verdict: VerdictDoc) => verdict.checks.find((check) => check.id === 'listens')!;

const CASES: Case[] = [
  {
    fixture: 'never-listens-exits.mjs',
    does: 'creates a server, never listens, and exits',
    exit: 1,
    pitfalls: ['never-listens'],
    maxMs: LISTEN_DEADLINE_MS + 1000,
    ports: 0,
    more: (verdict, workspace) => {
      expect(listensCheck(verdict).message).toMatch(/exited \(exit code 0\).*without calling listen\(\)/);
      // Points at createServer, the line that should have been followed by listen().
      expect(listensCheck(verdict).location).toMatchObject({ file: workspace.file, line: 4 });
    },
  },
  {
    fixture: 'never-listens-stays.mjs',
    does: 'never listens but stays alive on a timer',
    exit: 1,
    pitfalls: ['never-listens'],
    minMs: LISTEN_DEADLINE_MS - 500,
    maxMs: NEVER_LISTENS_MAX_MS,
    ports: 0,
    more: (verdict) => expect(listensCheck(verdict).message).toMatch(/still running .* never called listen\(\)/),
  },
  {
    fixture: 'exit-0.mjs',
    does: 'exits at once with code 0',
    exit: 1,
    pitfalls: ['never-listens'],
    maxMs: LISTEN_DEADLINE_MS + 1000,
    ports: 0,
    more: (verdict) => expect(listensCheck(verdict).message).toContain('exit code 0'),
  },
  {
    fixture: 'exit-3.mjs',
    does: 'exits at once with code 3',
    exit: 1,
    pitfalls: ['never-listens'],
    maxMs: LISTEN_DEADLINE_MS + 1000,
    ports: 0,
    more: (verdict) => expect(listensCheck(verdict).message).toContain('exit code 3'),
  },
  {
    fixture: 'busy-startup.mjs',
    does: 'loops forever at start-up, before listen()',
    exit: 1,
    pitfalls: ['never-listens'],
    minMs: LISTEN_DEADLINE_MS - 500,
    maxMs: NEVER_LISTENS_MAX_MS,
    ports: 0,
    more: (verdict) => expect(listensCheck(verdict).message).toMatch(/event loop was blocked/),
  },
  {
    fixture: 'busy-handler.mjs',
    does: 'loops forever inside the first request',
    exit: 1,
    pitfalls: (pitfalls) => pitfalls[0] === 'blocking-event-loop' && pitfalls.every((id) => ['blocking-event-loop', 'timeout'].includes(id)),
    maxMs: LESSON_DEADLINE_MS,
    ports: 1,
    more: (verdict) => {
      expect(listensCheck(verdict).status).toBe('passed');
      expect(verdict.checks.find((check) => check.id === 'get-root')).toMatchObject({ status: 'failed', pitfall: 'blocking-event-loop' });
    },
  },
  {
    fixture: 'ignore-sigterm.mjs',
    does: 'ignores SIGTERM and SIGINT',
    exit: 0,
    pitfalls: [],
    maxMs: LESSON_DEADLINE_MS,
    ports: 1,
  },
  {
    fixture: 'detached-child.mjs',
    does: 'spawns a detached child (a session of its own) before listening',
    exit: 0,
    pitfalls: [],
    maxMs: LESSON_DEADLINE_MS,
    ports: 1,
    more: (_verdict, workspace) => {
      const pids = readFileSync(join(workspace.programDir, 'children.txt'), 'utf8').split('\n').filter(Boolean).map(Number);
      expect(pids).toHaveLength(1);
      if (isLinux) {
        let state: string | null = null;
        try {
          state = /^State:\s+(\w)/m.exec(readFileSync(`/proc/${pids[0]}/status`, 'utf8'))?.[1] ?? null;
        } catch {
          // Gone and reaped.
        }
        // Dead: reaped, or a zombie waiting for init (runs nothing, holds nothing).
        expect(state === null || state === 'Z' || state === 'X').toBe(true);
      }
    },
  },
  {
    fixture: 'flood-stdout.mjs',
    does: 'floods stdout with megabytes, before and while serving',
    exit: 0,
    pitfalls: [],
    maxMs: LESSON_DEADLINE_MS,
    ports: 1,
    more: (_verdict, _workspace, result) => {
      // The learner's output never reaches httpdojo's stdout: it holds the verdict only.
      expect(result.stdout.length).toBeLessThan(20_000);
    },
  },
  // A second listen() on a port the program holds dies as under plain node
  // (issue 8 §2; test/engine/probe-differential.test.ts): this case used to pass.
  {
    fixture: 'listen-twice.mjs',
    does: 'listens twice on port 3000 (two servers): EADDRINUSE, as under node',
    exit: 1,
    pitfalls: ['crash'],
    maxMs: LESSON_DEADLINE_MS,
    ports: 1,
    more: (verdict, workspace) => {
      expect(listensCheck(verdict)).toMatchObject({ status: 'failed', pitfall: 'crash', location: { file: workspace.file, line: 13 } });
      expect(listensCheck(verdict).message).toMatch(/just after it listened.*EADDRINUSE.*:::3000/i);
    },
  },
  {
    fixture: 'listen-twice-same-server.mjs',
    does: 'calls listen(3000) twice on one server: ERR_SERVER_ALREADY_LISTEN, as under node',
    exit: 1,
    pitfalls: ['crash'],
    maxMs: LESSON_DEADLINE_MS,
    ports: 0,
    more: (verdict, workspace) => {
      expect(listensCheck(verdict)).toMatchObject({ status: 'failed', pitfall: 'crash', location: { file: workspace.file, line: 13 } });
      expect(listensCheck(verdict).message).toContain('ERR_SERVER_ALREADY_LISTEN');
    },
  },
  {
    fixture: 'listen-localhost.mjs',
    does: "listens with listen(3000, 'localhost')",
    exit: 0,
    pitfalls: [],
    maxMs: LESSON_DEADLINE_MS,
    ports: 1,
  },
  {
    fixture: 'listen-options-any-host.mjs',
    does: "listens with listen({ port: 3000, host: '0.0.0.0' })",
    exit: 0,
    pitfalls: [],
    maxMs: LESSON_DEADLINE_MS,
    ports: 1,
  },
  {
    fixture: 'syntax-error.mjs',
    does: 'has a syntax error',
    exit: 1,
    pitfalls: ['crash'],
    // Loading TypeScript's parser to find the line costs a second or more on a loaded machine.
    maxMs: LESSON_DEADLINE_MS,
    ports: 0,
    more: (verdict, workspace) => {
      const check = listensCheck(verdict);
      expect(check.message).toMatch(/syntax error/);
      // The learner's line, not "1:1" from tsx's lexer; and no stack of tsx or esbuild as "your stderr".
      expect(check.location).toMatchObject({ file: workspace.file, line: 5 });
      expect(check.stderrTail ?? '').not.toMatch(STACK_FRAME);
      expect(check.stderrTail ?? '').not.toContain('node_modules');
    },
  },
  { fixture: 'correct.cjs', does: 'is a correct CommonJS server', exit: 0, pitfalls: [], maxMs: LESSON_DEADLINE_MS, ports: 1 },
  { fixture: 'correct.mjs', does: 'is a correct ES module server', exit: 0, pitfalls: [], maxMs: LESSON_DEADLINE_MS, ports: 1 },
  { fixture: 'correct.ts', does: 'is a correct TypeScript server', exit: 0, pitfalls: [], maxMs: LESSON_DEADLINE_MS, ports: 1 },
];

const twoAtATime = limiter(2);

describe.concurrent('verify survives a hostile program and leaves nothing behind', () => {
  for (const testCase of CASES) {
    it(`${testCase.fixture}: ${testCase.does}`, { timeout: 90_000 }, () =>
      twoAtATime(async () => {
        const workspace = workspaceWith(`robustness/${testCase.fixture}`);
        try {
          const result = await runCli(['verify', '1', '--file', workspace.file, '--json'], {
            cwd: workspace.programDir,
            env: workspace.env,
            timeoutMs: 40_000,
          });
          const leftovers = await leftoverProcesses(workspace);
          const openPorts: number[] = [];
          for (const port of portsOf(workspace)) if (await isListening(port)) openPorts.push(port);

          expect(result.killed, 'httpdojo itself hung').toBe(false);
          expect(result.code, result.stderr).toBe(testCase.exit);
          // Exactly one JSON document on stdout, and no stack trace anywhere.
          const verdict = parseOneDocument(result.stdout);
          expect(result.stderr).not.toMatch(STACK_FRAME);
          expect(verdict).toMatchObject({ schema: 'httpdojo.verdict/1', lesson: '01-hello-server', file: workspace.file, passed: testCase.exit === 0 });
          if (Array.isArray(testCase.pitfalls)) expect(verdict.pitfalls).toEqual(testCase.pitfalls);
          else expect(testCase.pitfalls(verdict.pitfalls), `pitfalls ${JSON.stringify(verdict.pitfalls)}`).toBe(true);

          expect(result.ms).toBeLessThan(testCase.maxMs);
          expect(verdict.durationMs).toBeLessThanOrEqual(testCase.maxMs);
          if (testCase.minMs !== undefined) expect(verdict.durationMs).toBeGreaterThanOrEqual(testCase.minMs);

          expect(portsOf(workspace)).toHaveLength(testCase.ports);
          testCase.more?.(verdict, workspace, result);

          // Nothing left: no process, no listening port, no temp folder.
          expect(leftovers.map((found) => found.cmdline)).toEqual([]);
          expect(openPorts).toEqual([]);
          expect(tempLeftovers(workspace)).toEqual([]);
        } finally {
          // Whatever an assertion said, this test leaves nothing running either.
          killProcesses(processesMatching(workspace.programDir, workspace.marker));
          workspace.remove();
        }
      }),
    );
  }
});

describe('interrupting verify mid-check', () => {
  // The fixture answers with headers and part of a body and never ends the
  // response, and ignores SIGTERM/SIGINT itself; httpdojo is signalled while a
  // check is waiting on that response.
  const cases: Array<[NodeJS.Signals, number, string]> = [
    ['SIGINT', 130, 'Ctrl-C'],
    ['SIGTERM', 130, 'SIGTERM'],
    ['SIGHUP', 129, 'a terminal hang-up'],
  ];
  for (const [signal, code, what] of cases) {
    it(`${what} exits ${code} and leaves no learner process, port or temp folder`, { timeout: 60_000 }, async () => {
      const workspace = workspaceWith('robustness/hangs-ignores-sigterm.mjs');
      try {
        const cli = startCli(['verify', '1', '--file', workspace.file, '--json'], { cwd: workspace.programDir, env: workspace.env, timeoutMs: 40_000 });
        // The program listens; the first check sends GET / and waits (up to 2 s) for an end that never comes.
        expect(await waitUntil(() => portsOf(workspace).length > 0, 15_000), 'the program never listened').toBe(true);
        await sleep(400);
        const learner = processesMatching(workspace.programDir, workspace.marker).filter((found) => found.cmdline.includes(workspace.file) && !found.cmdline.includes('httpdojo.js'));
        if (isLinux) expect(learner.length, 'the learner process should be running before the signal').toBeGreaterThan(0);
        const [port] = portsOf(workspace);
        expect(await isListening(port)).toBe(true);

        cli.child.kill(signal);
        const result = await cli.result;
        const leftovers = await leftoverProcesses(workspace);

        expect(result.killed, 'httpdojo did not exit after the signal').toBe(false);
        expect(result.code).toBe(code);
        expect(result.stderr).not.toMatch(STACK_FRAME);
        expect(leftovers.map((found) => found.cmdline)).toEqual([]);
        expect(await isListening(port)).toBe(false);
        expect(tempLeftovers(workspace)).toEqual([]);
      } finally {
        killStartedClis();
        killProcesses(processesMatching(workspace.programDir, workspace.marker));
        workspace.remove();
      }
    });
  }
});
