// The hang budget (DESIGN.md "Performance budgets"; issue 8 §3): any hanging
// program gets its complete verdict within 10 s for lessons 01-13 (and 16's two servers), with the
// right pitfall and the learner's line. Each case runs the built CLI
// (`verify <lesson> --file <fixture> --json`) on a program that hangs in one
// way — a client that retries forever, never exits, never ends its request or
// never reads its responses; a server that streams forever, never ends a
// response, never listens, or spins in a loop; a proxy that never answers — and
// measures the wall time from spawn to exit.
//
// Before this budget existed the same programs took up to 30 s (two client
// checks of 15 s each): the checks now stop a client 2 s (+ a 1 s margin for a
// loaded machine) after the check's ending event, and skip later checks that
// would only wait for the same hang again. At most two cases run at once
// (2-core machine).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killStartedClis, limiter, parseOneDocument, requireBuild, runCli, workspaceWith, type VerdictDoc } from './cli-support.ts';

/** DESIGN.md: any hanging program, complete verdict within 10 s (lessons 01-13). */
const HANG_BUDGET_MS = 10_000;

beforeAll(requireBuild);
afterAll(killStartedClis);

interface Case {
  fixture: string;
  lesson: string;
  does: string;
  /** The first failed check's pitfall. */
  pitfall: string;
  /** Its line in the fixture (any of these), or null when the diagnosis has no line. */
  lines: number[] | null;
  /** The first failed check's message matches. */
  message?: RegExp;
  /**
   * Later checks that would only repeat the hang are skipped: at most one more
   * check fails (with the same pitfall) before they are, and at least one is.
   * Checks that need nothing of the hung part may still run and pass.
   */
  skipsRest?: boolean;
  /** The hang is one route's: every later check still runs, and passes. */
  laterPass?: boolean;
}

const CASES: Case[] = [
  {
    fixture: 'hangs/client-retries-refused.mjs', lesson: '10', does: 'a client that retries a refused connection forever',
    pitfall: 'timeout', lines: [8], message: /still running \d+\.\d s after its request failed, and kept making requests \(\d+ more after that\).*kept retrying/, skipsRest: true,
  },
  {
    fixture: 'hangs/client-never-exits.mjs', lesson: '10', does: 'a client that never exits after a correct answer',
    // The line is the interval that keeps it alive (the probe's last heartbeat lists one timer and no socket).
    pitfall: 'timeout', lines: [6], message: /still running \d+\.\d s after our last response.*What still kept it alive: 1 timer/, skipsRest: true,
  },
  // Stopped 5 s after the probe's hello without a request, not after the 10 s allowed for starting.
  { fixture: 'hangs/client-never-requests.mjs', lesson: '10', does: 'a client that never makes its request', pitfall: 'timeout', lines: [6, 8], message: /never made a request/, skipsRest: true },
  {
    fixture: 'hangs/client-never-ends-request.mjs', lesson: '11', does: 'a client that never calls req.end()',
    pitfall: 'client-missing-end', lines: [20], message: /never called req\.end\(\)/, skipsRest: true,
  },
  {
    fixture: 'hangs/client-never-consumes.mjs', lesson: '12', does: 'a client that never consumes its responses',
    pitfall: 'unconsumed-response', lines: [10, 11], message: /never read to the end/, skipsRest: true,
  },
  {
    fixture: 'hangs/server-endless-padding.mjs', lesson: '01', does: 'a server that streams padding forever',
    pitfall: 'missing-res-end', lines: [9], message: /body bytes in \d\.\d s, still arriving \d+ ms before we stopped waiting/, skipsRest: true,
  },
  { fixture: 'hangs/server-never-ends.mjs', lesson: '01', does: 'a server whose handler never ends the response', pitfall: 'missing-res-end', lines: [6], skipsRest: true },
  { fixture: 'hangs/server-never-ends.mjs', lesson: '03', does: 'a lesson-03 server that never ends any response', pitfall: 'missing-res-end', lines: [6], skipsRest: true },
  { fixture: 'hangs/server-never-ends.mjs', lesson: '08', does: 'a lesson-08 server that never ends any response', pitfall: 'missing-res-end', lines: [6], skipsRest: true },
  // Route-level: GETs are answered, every POST hangs; after two POST checks the later ones are skipped.
  { fixture: 'hangs/server-post-never-answers.ts', lesson: '04', does: 'a lesson-04 server that never answers a POST', pitfall: 'missing-res-end', lines: [111, 119, 120], skipsRest: true },
  { fixture: 'hangs/server-post-never-answers.ts', lesson: '05', does: 'a lesson-05 server that never answers a POST', pitfall: 'missing-res-end', lines: [111, 119, 120], skipsRest: true },
  // Not the same for every check: one branch never answers, the other routes are fine and still checked.
  { fixture: 'hangs/server-one-route-hangs.ts', lesson: '03', does: 'a lesson-03 server whose unknown-id branch never answers', pitfall: 'missing-res-end', lines: [47, 49], laterPass: true },
  // Two servers, one silent: the HTTPS server answers, the plain-HTTP redirect server never
  // ends a response; after two of its checks hung, the checks that need it are skipped.
  {
    fixture: '../../lessons/16-https-server/mistakes/missing-res-end.ts', lesson: '16', does: 'a lesson-16 redirect server that never ends a response beside an HTTPS server that answers',
    pitfall: 'missing-res-end', lines: [36], message: /never called res\.end\(\)/, skipsRest: true,
  },
  { fixture: 'hangs/proxy-never-answers.mjs', lesson: '13', does: 'a proxy that never answers', pitfall: 'missing-res-end', lines: [6, 7], skipsRest: true },
  { fixture: 'robustness/never-listens-stays.mjs', lesson: '01', does: 'a server that never listens but stays alive', pitfall: 'never-listens', lines: [4], skipsRest: true },
  { fixture: 'robustness/busy-startup.mjs', lesson: '01', does: 'a busy loop before listen()', pitfall: 'never-listens', lines: [5, 6], skipsRest: true },
  {
    fixture: 'robustness/busy-handler.mjs', lesson: '01', does: 'a busy loop in the handler',
    pitfall: 'blocking-event-loop', lines: [6, 7], message: /event loop has been blocked/, skipsRest: true,
  },
  // Lesson 03's own no-answer diagnosis (missing-res-end) gives way to the blocked loop.
  { fixture: 'robustness/busy-handler.mjs', lesson: '03', does: 'a lesson-03 server with a busy loop in the handler', pitfall: 'blocking-event-loop', lines: [6, 7], skipsRest: true },
  { fixture: 'robustness/busy-handler.mjs', lesson: '05', does: 'a lesson-05 server with a busy loop in the handler', pitfall: 'blocking-event-loop', lines: [6, 7], skipsRest: true },
  { fixture: 'robustness/hangs-ignores-sigterm.mjs', lesson: '01', does: 'a server that never ends a response and ignores SIGTERM', pitfall: 'missing-res-end', lines: [11], skipsRest: true },
];

const twoAtATime = limiter(2);

describe.concurrent('a hanging program gets its complete verdict within 10 s', () => {
  for (const testCase of CASES) {
    it(`lesson ${testCase.lesson}, ${testCase.fixture}: ${testCase.does}`, { timeout: 60_000 }, () =>
      twoAtATime(async () => {
        const workspace = workspaceWith(testCase.fixture);
        try {
          const result = await runCli(['verify', testCase.lesson, '--file', workspace.file, '--json'], {
            cwd: workspace.programDir,
            env: workspace.env,
            timeoutMs: 45_000,
          });
          const verdict = parseOneDocument<VerdictDoc>(result.stdout);
          const failed = verdict.checks.filter((check) => check.status === 'failed');
          const summary = `${(result.ms / 1000).toFixed(1)} s: ${verdict.checks.map((check) => `${check.id} ${check.status} ${check.pitfall ?? ''} ${check.durationMs} ms`).join('; ')}`;
          expect(result.code, summary).toBe(1);
          expect(verdict.passed).toBe(false);
          expect(result.ms, summary).toBeLessThan(HANG_BUDGET_MS);
          // Complete: every check of the lesson has its status, and a skip says why.
          for (const check of verdict.checks) {
            expect(['passed', 'failed', 'skipped']).toContain(check.status);
            if (check.status === 'skipped') expect(check.message).toBeTruthy();
          }
          const first = failed[0];
          expect(first, summary).toBeDefined();
          expect(first.pitfall, `${summary}\n${first.message}`).toBe(testCase.pitfall);
          if (testCase.message) expect(first.message).toMatch(testCase.message);
          if (testCase.lines) {
            expect(first.location?.file).toBe(workspace.file);
            expect(testCase.lines, `${first.message}`).toContain(first.location?.line);
          }
          if (testCase.skipsRest) {
            const after = verdict.checks.slice(verdict.checks.indexOf(first) + 1);
            const failedAfter = after.filter((check) => check.status === 'failed');
            expect(failedAfter.every((check) => check.pitfall === testCase.pitfall), summary).toBe(true);
            expect(failedAfter.length, summary).toBeLessThanOrEqual(1);
            expect(after.some((check) => check.status === 'skipped'), summary).toBe(true);
          }
          if (testCase.laterPass) {
            const after = verdict.checks.slice(verdict.checks.indexOf(first) + 1);
            expect(after.length).toBeGreaterThan(0);
            expect(after.every((check) => check.status === 'passed'), summary).toBe(true);
          }
        } finally {
          workspace.remove();
        }
      }));
  }
});
