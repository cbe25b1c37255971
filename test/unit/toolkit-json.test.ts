// ctx.json (src/engine/toolkit/json.ts): status, media type and body in one step,
// a wrong status pointed at the line that chose it, the list of a collection, and
// "still serving" after a request that may have broken the server.

import { describe, expect, it } from 'vitest';
import type { CheckContext, ResponseRecord } from '../../src/engine/check-api.ts';
import type { HttpResponse } from '../../src/engine/clients/http-client.ts';
import type { Location } from '../../src/engine/probe-events.ts';
import { jsonHelpers } from '../../src/engine/toolkit/json.ts';
import { expectResponse } from '../../src/engine/verify/expect.ts';
import { CheckFailure } from '../../src/engine/verdict.ts';

const CHOSE: Location = { file: '/w/server.js', line: 10, column: 12 };
const RECORD = { id: 1, calls: [], lastCallAt: null } as unknown as ResponseRecord;

function response(status: number, body: string, contentType = 'application/json'): HttpResponse {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status, headers: { 'content-type': contentType }, text: body, body: Buffer.from(body), json, request: { method: 'GET', target: '/api/users', headers: {}, bodyBytes: 0, bodyPreview: '' } } as unknown as HttpResponse;
}

function fakeCtx(answer: HttpResponse) {
  const notes: string[] = [];
  const server = { recordOf: async () => RECORD, callLine: (_record: unknown, query: { status?: number }) => (query.status === answer.status ? CHOSE : null) };
  const ctx = {
    http: { request: async () => answer },
    server,
    expect: (res: HttpResponse) => expectResponse(res, server as never),
    fail: (pitfall: string, message: string, location: Location | null = null) => {
      throw new CheckFailure(pitfall, message, location);
    },
    note: (text: string) => notes.push(text),
  } as unknown as CheckContext;
  return { json: jsonHelpers(ctx), notes };
}

async function failureOf(promise: Promise<unknown>): Promise<{ pitfall: string; location: Location | null } | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    if (!(error instanceof CheckFailure)) throw error;
    return { pitfall: error.pitfall, location: error.location };
  }
}

describe('json.expect', () => {
  const CASES: Array<[string, HttpResponse, number, unknown, { pitfall: string; location: Location | null } | null]> = [
    ['all as expected', response(200, '[{"id":1}]'), 200, [{ id: 1 }], null],
    ['status and media type only', response(404, '{"error":"x"}'), 404, undefined, null],
    ['a wrong status points at the line that chose it', response(404, '{}'), 200, undefined, { pitfall: 'wrong-status', location: CHOSE }],
    ['a wrong media type', response(200, '{}', 'text/plain'), 200, {}, { pitfall: 'wrong-content-type', location: null }],
    ['a wrong body', response(200, '{"id":2}'), 200, { id: 1 }, { pitfall: 'wrong-body', location: null }],
  ];
  it.each(CASES)('%s', async (_name, res, status, body, want) => {
    const failure = await failureOf(fakeCtx(res).json.expect(res, status, body));
    // Expectation locations other than the status are found lazily by the engine (CheckFailure.locate).
    expect(failure).toEqual(want);
  });
});

describe('json.equal, isObject, typed', () => {
  const { json } = fakeCtx(response(200, '{}'));
  const CASES: Array<[string, boolean, boolean]> = [
    ['equal ignores key order', json.equal({ a: 1, b: 2 }, { b: 2, a: 1 }), true],
    ['isObject rejects arrays', json.isObject([]), false],
    ['typed: application/json with a charset', json.typed(response(200, '{}', 'application/json; charset=utf-8')), true],
    ['typed: text/plain', json.typed(response(200, '{}', 'text/plain')), false],
    ['a JSON.parse SyntaxError', json.isParseError({ name: 'SyntaxError', stack: 'SyntaxError: Unexpected end\n    at JSON.parse (<anonymous>)' }), true],
    ['another SyntaxError', json.isParseError({ name: 'SyntaxError', stack: 'SyntaxError: x\n    at new Function' }), false],
    ['not a SyntaxError', json.isParseError({ name: 'TypeError', stack: 'at JSON.parse' }), false],
  ];
  it.each(CASES)('%s', (_name, got, want) => {
    expect(got).toBe(want);
  });
});

describe('json.list and json.stillServing', () => {
  it('list gives the array', async () => {
    expect(await fakeCtx(response(200, '[1,2]')).json.list('/api/users')).toEqual([1, 2]);
  });
  it('list fails with wrong-body on an object', async () => {
    expect((await failureOf(fakeCtx(response(200, '{}')).json.list('/api/users')))?.pitfall).toBe('wrong-body');
  });
  it('stillServing notes what came before and checks the answer', async () => {
    const { json, notes } = fakeCtx(response(200, '{"id":1}'));
    await json.stillServing('/api/users/1', 'an oversized upload', { status: 200, body: { id: 1 } });
    expect(notes).toEqual(['a new request: the server must still answer after an oversized upload']);
    expect((await failureOf(fakeCtx(response(500, '')).json.stillServing('/x', 'y', { status: 200 })))?.pitfall).toBe('wrong-status');
  });
});
