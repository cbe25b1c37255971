// Lesson 15: the learner's own framework (router with :params, middleware,
// json() with a 1 MiB limit, central error handling) serving lesson 05's API.
// Every check of lessons 03, 04 and 05 runs again, unchanged, against it: lesson.md
// says so (`reruns: [3, 4, 5]`) and the check loader (src/engine/load-checks.ts)
// puts their checks before these, in that order. Lessons 04 and 05 repeat some of
// 03's ids with stricter versions (04's method-not-allowed expects Allow: GET, POST
// on /api/users, where 03's expects POST to be refused): for a repeated id the last
// version wins, so every id in the verdict is unique. Their `crashes` apply too.
// This module adds GET /boom (the handler throws) and GET /boom-async (the
// handler's promise rejects): both must get 500 {"error":"Internal Server Error"}
// with the server still up afterwards.
//
// A crash during /boom is sync-throw-crash and a crash during /boom-async is
// async-error-unhandled, decided in those checks rather than by a `crashes` entry:
// both die of a plain Error, and only the route tells them apart.
//
// uses-a-framework (express & co.) is caught by the engine before any check runs.
import type { CheckContext, HttpResponse, LessonChecks, Location, ProbeEvent } from 'httpdojo/check';

type UncaughtEvent = Extract<ProbeEvent, { t: 'uncaught' }>;

const INTERNAL_ERROR = { error: 'Internal Server Error' };
const ALICE = { id: 1, name: 'Alice' };

export default {
  // No setup: lessons 03-05 have none (the API needs no fixtures or upstreams).
  checks: [
    {
      id: 'boom-500',
      title: 'GET /boom, whose handler throws, gets 500 {"error":"Internal Server Error"}, and the server keeps serving',
      async run(ctx) {
        await expectInternalError(ctx, '/boom', 'sync-throw-crash');
      },
    },
    {
      id: 'boom-async-500',
      title: 'GET /boom-async, whose async handler rejects, gets 500 {"error":"Internal Server Error"}, and the server keeps serving',
      async run(ctx) {
        await expectInternalError(ctx, '/boom-async', 'async-error-unhandled');
      },
    },
  ],
} satisfies LessonChecks;

/**
 * GET `target`, whose handler fails on purpose: 500 {"error":"Internal Server
 * Error"}, then GET /api/users/1 still works. If the process dies on the way,
 * that is `pitfall`, pointed at the framework's call of the handler when the
 * stack shows it (a synchronous throw), else at the throw itself.
 */
async function expectInternalError(ctx: CheckContext, target: string, pitfall: 'sync-throw-crash' | 'async-error-unhandled'): Promise<void> {
  let res: HttpResponse;
  try {
    res = await ctx.http.get(target);
  } catch (error) {
    await crashed(ctx, target, pitfall, 'no answer reached us');
    throw error;
  }
  const crashedAfter = await crashSoon(ctx);
  if (crashedAfter) await crashed(ctx, target, pitfall, `we got ${res.status} ${quote(res.text)}, and then`);
  ctx.expect(res).status(500).contentType('application/json').json(INTERNAL_ERROR);

  ctx.note('the server must still answer the next request');
  let next: HttpResponse;
  try {
    next = await ctx.http.get('/api/users/1');
  } catch (error) {
    await crashed(ctx, target, pitfall, 'we got the 500, but the next request (GET /api/users/1) got no answer');
    throw error;
  }
  ctx.expect(next).status(200).contentType('application/json').json(ALICE);
}

/** An uncaught error reported within a moment of the response (a framework that answers, then rethrows). */
async function crashSoon(ctx: CheckContext): Promise<UncaughtEvent | null> {
  return ctx.server.eventsOf('uncaught').pop() ?? (await ctx.server.waitFor('uncaught', { timeoutMs: 100 }));
}

/** If the program died of an uncaught error during this check, fail with `pitfall`. */
async function crashed(ctx: CheckContext, target: string, pitfall: 'sync-throw-crash' | 'async-error-unhandled', what: string): Promise<void> {
  const uncaught = ctx.server.eventsOf('uncaught').pop() ?? (await ctx.server.waitFor('uncaught', { timeoutMs: 500 }));
  if (!uncaught) return;
  const exit = await ctx.program.waitForExit(1500);
  const asRejection = uncaught.origin === 'unhandledRejection';
  const error = `${uncaught.name}${uncaught.code ? ` [${uncaught.code}]` : ''}: ${uncaught.message}`;
  const died = exit ? `your server crashed (${exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`})` : 'your server crashed';
  const fix = pitfall === 'sync-throw-crash'
    ? "Call each handler inside try/catch in your framework and turn what it throws into 500 {\"error\":\"Internal Server Error\"}."
    : "A try/catch around an async handler's call sees nothing: the handler returns a rejected promise. Catch it where you call the handler (result.catch(...), or await it inside the try) and answer 500 {\"error\":\"Internal Server Error\"}.";
  ctx.fail(
    pitfall,
    `We sent GET ${target}; ${what}: the handler ${asRejection ? `returned a promise that rejected with ${error}, nothing handled the rejection` : `threw ${error}, nothing caught it`}, and ${died}, dropping every other client's connection too. ${fix}`,
    crashLocation(ctx, uncaught, pitfall),
  );
}

/**
 * For a synchronous throw, the learner's frame below the throw (the framework's
 * line that called the handler without try/catch), when it is in the learner's
 * code; otherwise, and for a rejection, the line that threw.
 */
function crashLocation(ctx: CheckContext, uncaught: UncaughtEvent, pitfall: string): Location | null {
  if (pitfall === 'sync-throw-crash') {
    const frames = learnerFrames(uncaught.stack ?? '', ctx.server.file);
    if (frames.length >= 2 && uncaught.at && sameLocation(frames[0], uncaught.at)) return frames[1];
  }
  return uncaught.at;
}

/** Frames of a stack in the learner's file, innermost first. */
function learnerFrames(stack: string, file: string): Location[] {
  const frames: Location[] = [];
  for (const raw of stack.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('at ')) continue;
    const match = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?$/.exec(line);
    if (!match) continue;
    let path = match[1];
    if (path.startsWith('file://')) {
      try {
        path = decodeURIComponent(new URL(path).pathname);
      } catch {
        continue;
      }
    }
    if (path === file) frames.push({ file, line: Number(match[2]), column: Number(match[3]) });
  }
  return frames;
}

function sameLocation(a: Location, b: Location): boolean {
  return a.file === b.file && a.line === b.line;
}

function quote(text: string): string {
  if (text === '') return '(empty body)';
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}
