// A request the learner's router never answers (pitfall missing-res-end, lessons
// 03, 04, 15: an `if` without an `else`, a route function that returns without
// res.end()). The engine's own diagnosis of a timeout names the last call on the
// response; when the branch made no call at all, that is the handler's first line
// (or a middleware's setHeader), which says nothing about where the answer went
// missing. These helpers find the branch: the probe cannot see a call that never
// happened, so they ask for the nearest route that does answer and point at the
// condition that chose it (Node's response stays open until end() is called:
// https://nodejs.org/docs/latest-v20.x/api/http.html#responseenddata-encoding-callback).

import type { CheckContext, HttpResponse, Location, RequestOptions } from '../check-api.js';

/** The request got no complete response in time (a NoResponseError whose reason is 'timeout'). */
export function timedOut(error: unknown): error is Error & { reason: 'timeout'; waitedMs: number } {
  return error instanceof Error && (error as { reason?: unknown }).reason === 'timeout' && 'receivedBytes' in error;
}

/**
 * The two answering requests that locate the branch `method target` fell
 * through, from `routes` (GET targets of the lesson that answer, such as
 * ['/api/users', '/api/users/1']): `reference`, the nearest route that answers
 * (the same target with GET when the hang was another method, else the route
 * whose path has the same segments, or the same parent and depth: /api/users/99
 * → /api/users/1), and `other`, another route (the frames both answers share
 * are a helper such as sendJson, not the branch). Null off every route.
 */
export function nearestRoutes(method: string, target: string, routes: readonly string[]): { reference: string; other: string; byMethod: boolean } | null {
  const segments = (path: string) => new URL(path, 'http://localhost').pathname.split('/').slice(1);
  const mine = segments(target);
  const same = (route: string, depth: number) => {
    const theirs = segments(route);
    return theirs.length === mine.length && theirs.slice(0, depth).every((segment, i) => segment === mine[i]);
  };
  const route = routes.find((candidate) => same(candidate, mine.length)) ?? routes.find((candidate) => same(candidate, mine.length - 1));
  const other = routes.find((candidate) => candidate !== route);
  if (!route || !other) return null;
  const byMethod = method !== 'GET';
  return { reference: byMethod ? target : route, other, byMethod };
}

/**
 * Where a request that got no call on its response fell through: of the frames
 * of the nearest answering route's first call, the line not shared with another
 * route's answer is that branch's answer; the condition on it or around it is
 * the `if` that has no `else` (one that tests the method when the hang was
 * another method). Else the request handler.
 */
export async function silentBranch(ctx: CheckContext, method: string, target: string, routes: readonly string[]): Promise<Location | null> {
  const fallback = ctx.server.lineOf('request-handler');
  const near = nearestRoutes(method, target, routes);
  if (!near) return fallback;
  ctx.note(`to find the branch that does not answer, we also send GET ${near.reference} and GET ${near.other}`);
  const answerFrames = async (path: string): Promise<Location[]> => {
    try {
      await ctx.http.request('GET', path, { timeoutMs: 500 });
    } catch {
      // Evidence only: a failure here is reported by the checks that test this route.
    }
    const record = await ctx.server.settled('GET', path);
    // The first call that answers: a middleware's setHeader is shared by every route.
    return ctx.server.framesOf(record?.calls.find((call) => !call.nested && call.at && call.fn !== 'setHeader' && call.fn !== 'removeHeader'));
  };
  const [answer, other] = await Promise.all([answerFrames(near.reference), answerFrames(near.other)]);
  const shared = new Set(other.map((frame) => frame.line));
  const own = answer.find((frame) => !shared.has(frame.line));
  if (!own) return fallback;
  const branches = ctx.source.conditionsAround(own);
  const chosen = (near.byMethod ? branches.find((branch) => /method/i.test(branch.text)) : undefined) ?? branches[0];
  return chosen ? { file: own.file, line: chosen.line, column: chosen.column } : own;
}

/**
 * `method target` got no complete response (`error`). A timeout on a request the
 * server received and never ended is missing-res-end: what it had called, and
 * the line (the last call that answers, else the silent branch). Anything else
 * (a crash, a closed connection, a request never received) is rethrown for the
 * engine. `alsoHung`: targets sent at the same time that hung too.
 */
export async function failUnanswered(ctx: CheckContext, request: { method: string; target: string; error: unknown; routes: readonly string[]; alsoHung?: readonly string[] }): Promise<never> {
  const { method, target, error } = request;
  const record = timedOut(error) ? ctx.server.request({ method, url: target }) : undefined;
  if (!timedOut(error) || !record || record.ended) throw error;
  const calls = [...new Set(record.calls.filter((call) => !call.nested).map((call) => call.fn))];
  const others = (request.alsoHung ?? []).filter((other) => other !== target);
  const what = calls.length
    ? `it had called ${calls.join(', ')} but never res.end()`
    : 'it had made no call on the response at all: a branch of your routing ends without answering';
  return ctx.fail(
    'missing-res-end',
    `We sent ${method} ${target}${others.length ? ` (and ${others.join(', ')}, with the same result)` : ''}; your server received it, and ${ctx.format.seconds(error.waitedMs)} later ${what}.`,
    // Only headers set (e.g. by a middleware that runs for every request, lesson 15)
    // says nothing about where the answer went missing: look for the branch.
    calls.some((fn) => fn !== 'setHeader' && fn !== 'removeHeader') ? record.lastCallAt : await silentBranch(ctx, method, target, request.routes),
  );
}

/**
 * ctx.http.request, with a route that never answers diagnosed by failUnanswered
 * (`routes` as for nearestRoutes), and the probe's record of the answer awaited.
 */
export async function requestRoute(ctx: CheckContext, method: string, target: string, options: RequestOptions & { routes: readonly string[] }): Promise<HttpResponse> {
  const { routes, ...sent } = options;
  let res: HttpResponse;
  try {
    res = await ctx.http.request(method, target, sent);
  } catch (error) {
    return failUnanswered(ctx, { method, target, error, routes });
  }
  await ctx.server.recordOf(res);
  return res;
}
