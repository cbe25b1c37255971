// src/engine/toolkit/routing.ts: a route that never answers (lesson 03's
// missing-res-end, rerun by lesson 15). The nearest answering routes, the branch
// found from their frames, and the diagnosis of a timeout versus what goes back
// to the engine (a crash, a request the server never received).

import { describe, expect, it } from 'vitest';
import type { CheckContext, ResponseRecord } from '../../src/engine/check-api.ts';
import type { Location } from '../../src/engine/probe-events.ts';
import { failUnanswered, nearestRoutes, requestRoute, silentBranch, timedOut } from '../../src/engine/toolkit/routing.ts';
import { CheckFailure } from '../../src/engine/verdict.ts';

const ROUTES = ['/api/users', '/api/users/1'];
const FILE = '/w/server.ts';
const at = (line: number): Location => ({ file: FILE, line, column: 5 });

function timeout(): Error {
  return Object.assign(new Error('no response came within 2.0 s'), { reason: 'timeout', waitedMs: 2000, receivedBytes: 0 });
}

/** A record of the hung request, and the frames of each answering route's first call. */
function fakeCtx(hung: Partial<ResponseRecord> | undefined, answers: Record<string, Location[]> = {}) {
  const notes: string[] = [];
  const sent: string[] = [];
  const ctx = {
    http: { request: async (method: string, target: string) => { sent.push(`${method} ${target}`); throw timeout(); } },
    server: {
      request: () => (hung ? { calls: [], ended: false, lastCallAt: null, ...hung } : undefined),
      recordOf: async () => undefined,
      lineOf: () => at(3),
      settled: async (_method: string, path: string) => ({ calls: answers[path] ? [{ fn: 'writeHead', at: answers[path][0], nested: false }] : [] }),
      framesOf: (call: { at: Location } | undefined) => (call ? answers[Object.keys(answers).find((path) => answers[path][0] === call.at)!] : []),
    },
    // Line 20 answers user 1 inside `if (user)` (line 19); line 30 is the shared sendJson.
    source: { conditionsAround: (location: Location) => (location.line === 20 ? [{ ...at(19), text: 'if (user) {' }] : []) },
    format: { seconds: (ms: number) => `${(ms / 1000).toFixed(1)} s` },
    note: (text: string) => notes.push(text),
    fail: (pitfall: string, message: string, location: Location | null = null) => {
      throw new CheckFailure(pitfall, message, location);
    },
  } as unknown as CheckContext;
  return { ctx, notes, sent };
}

describe('nearestRoutes', () => {
  it.each([
    ['GET', '/api/users/99', { reference: '/api/users/1', other: '/api/users', byMethod: false }],
    ['GET', '/api/users/2?format=json', { reference: '/api/users/1', other: '/api/users', byMethod: false }],
    ['GET', '/api/users?page=2', { reference: '/api/users', other: '/api/users/1', byMethod: false }],
    ['DELETE', '/api/users/1', { reference: '/api/users/1', other: '/api/users', byMethod: true }],
    ['POST', '/api/users', { reference: '/api/users', other: '/api/users/1', byMethod: true }],
  ])('%s %s', (method, target, want) => {
    expect(nearestRoutes(method, target, ROUTES)).toEqual(want);
  });
  it.each(['/', '/nope', '/api', '/users/1', '/api/users/1/posts', '/api/things/1'])('%s is on no route', (target) => {
    expect(nearestRoutes('GET', target, ROUTES)).toBeNull();
  });
});

describe('timedOut', () => {
  it('only a NoResponseError that timed out', () => {
    expect(timedOut(timeout())).toBe(true);
    expect(timedOut(Object.assign(new Error('closed'), { reason: 'closed', receivedBytes: 0 }))).toBe(false);
    expect(timedOut(new Error('timeout'))).toBe(false);
  });
});

describe('silentBranch', () => {
  it("points at the condition around the line only the nearest route's answer has", async () => {
    const { ctx, notes, sent } = fakeCtx(undefined, { '/api/users/1': [at(30), at(20)], '/api/users': [at(30), at(12)] });
    expect(await silentBranch(ctx, 'GET', '/api/users/99', ROUTES)).toEqual(at(19));
    expect(sent.sort()).toEqual(['GET /api/users', 'GET /api/users/1']);
    expect(notes[0]).toContain('we also send GET /api/users/1 and GET /api/users');
  });
  it('off every route, or with no line of its own: the request handler', async () => {
    expect(await silentBranch(fakeCtx(undefined).ctx, 'GET', '/nope', ROUTES)).toEqual(at(3));
    const shared = fakeCtx(undefined, { '/api/users/1': [at(30)], '/api/users': [at(30)] });
    expect(await silentBranch(shared.ctx, 'GET', '/api/users/99', ROUTES)).toEqual(at(3));
  });
});

describe('failUnanswered', () => {
  it('a received request with no call: missing-res-end at the silent branch, with the others that hung', async () => {
    const { ctx } = fakeCtx({ calls: [] }, { '/api/users/1': [at(30), at(20)], '/api/users': [at(30)] });
    const failure = await failUnanswered(ctx, { method: 'GET', target: '/api/users/99', error: timeout(), routes: ROUTES, alsoHung: ['/api/users/99', '/api/users/abc'] }).catch((error) => error);
    expect(failure).toBeInstanceOf(CheckFailure);
    expect(failure.pitfall).toBe('missing-res-end');
    expect(failure.message).toBe('We sent GET /api/users/99 (and /api/users/abc, with the same result); your server received it, and 2.0 s later it had made no call on the response at all: a branch of your routing ends without answering.');
    expect(failure.location).toEqual(at(19));
  });
  it('a call that answers, without end(): its own line', async () => {
    const { ctx, sent } = fakeCtx({ calls: [{ fn: 'write', nested: false }] as never, lastCallAt: at(40) });
    const failure = await failUnanswered(ctx, { method: 'GET', target: '/api/users/99', error: timeout(), routes: ROUTES }).catch((error) => error);
    expect(failure.message).toContain('it had called write but never res.end()');
    expect(failure.location).toEqual(at(40));
    expect(sent).toEqual([]);
  });
  it('a closed connection, a request never received or one that ended goes back to the engine', async () => {
    const closed = Object.assign(new Error('closed'), { reason: 'closed', receivedBytes: 0 });
    await expect(failUnanswered(fakeCtx({}).ctx, { method: 'GET', target: '/x', error: closed, routes: ROUTES })).rejects.toBe(closed);
    const lost = timeout();
    await expect(failUnanswered(fakeCtx(undefined).ctx, { method: 'GET', target: '/x', error: lost, routes: ROUTES })).rejects.toBe(lost);
    await expect(failUnanswered(fakeCtx({ ended: true }).ctx, { method: 'GET', target: '/x', error: lost, routes: ROUTES })).rejects.toBe(lost);
  });
  it('requestRoute diagnoses its own timeout the same way', async () => {
    const { ctx } = fakeCtx({ calls: [] }, { '/api/users/1': [at(30), at(20)], '/api/users': [at(30)] });
    await expect(requestRoute(ctx, 'GET', '/api/users/99', { routes: ROUTES })).rejects.toMatchObject({ pitfall: 'missing-res-end', location: at(19) });
  });
});
