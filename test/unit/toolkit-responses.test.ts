// Responses as lessons 06–08 judge them (src/engine/toolkit/responses.ts): the
// declared charset, the learner's call that set a header and its value, the
// "charset=utf-8" expectation and a response call's line once the probe caught up.

import { describe, expect, it } from 'vitest';
import type { CallQuery, ResponseRecord } from '../../src/engine/check-api.ts';
import type { Location, ResponseCall } from '../../src/engine/probe-events.ts';
import { charsetOf, expectUtf8, headerCall, responseLine } from '../../src/engine/toolkit/responses.ts';

const at = (line: number): Location => ({ file: '/w/server.js', line, column: 3 });
const state = { headersSent: false, ended: false, finished: false, destroyed: false };
const call = (fields: Partial<ResponseCall> & Pick<ResponseCall, 'fn'>): ResponseCall => ({ ms: 0, receivedAt: 0, t: 'call', id: 1, nested: false, state, at: null, ...fields }) as ResponseCall;
const record = (calls: ResponseCall[]): ResponseRecord => ({
  id: 1, method: 'GET', url: '/x', remotePort: null, calls, ended: true, finished: true, closed: true, bodyRead: true,
  requestClosed: true, requestComplete: true, errors: [], lastCallAt: [...calls].reverse().find((c) => c.at)?.at ?? null,
});

describe('charsetOf', () => {
  const CASES: Array<[string | undefined, string | null]> = [
    ['text/plain; charset=utf-8', 'utf-8'],
    ['text/plain;charset=UTF-8', 'utf-8'],
    ['text/html; charset="utf-8"', 'utf-8'],
    ['text/plain; charset=utf-8; format=flowed', 'utf-8'],
    ['text/plain; charset=iso-8859-1', 'iso-8859-1'],
    ['text/plain', null],
    ['text/plain; format=flowed', null],
    // Not a parameter: a media type that merely contains the word.
    ['text/x-charset=utf-8', null],
    [undefined, null],
  ];
  it.each(CASES)('%s -> %s', (type, charset) => {
    expect(charsetOf({ headers: type === undefined ? {} : { 'content-type': type } })).toBe(charset);
  });
});

describe('headerCall', () => {
  it('finds the last learner call that set the header, by setHeader or writeHead (object or flat array), with its value', () => {
    const calls = [
      call({ fn: 'setHeader', name: 'Content-Length', value: '3', at: at(4) }),
      call({ fn: 'writeHead', status: 200, headers: { 'content-length': '5', 'X-A': 'b' }, at: at(7) }),
      call({ fn: 'writeHead', status: 200, headers: ['Content-Length', '9'], at: at(8), nested: true }),
    ];
    expect(headerCall(record(calls), 'Content-Length')).toEqual({ call: calls[1], value: '5' });
    expect(headerCall(record([calls[0]]), 'content-length')?.value).toBe('3');
    expect(headerCall(record([call({ fn: 'writeHead', headers: ['X-B', '1', 'Content-Length', '9'], at: at(8) })]), 'content-length')?.value).toBe('9');
    expect(headerCall(record([call({ fn: 'setHeader', name: 'Content-Type', value: ['a', 'b'] })]), 'content-type')?.value).toBe('a');
  });
  it('is null without a record or such a call (Node\'s own nested calls do not count)', () => {
    expect(headerCall(undefined, 'allow')).toBeNull();
    expect(headerCall(record([call({ fn: 'setHeader', name: 'Allow', value: 'GET', nested: true })]), 'allow')).toBeNull();
  });
});

/** A check context's server part: settled() returns the record; callLine() reports its query. */
function fakeCtx(rec: ResponseRecord | undefined) {
  const seen: Array<{ method: string; target: string; timeoutMs?: number; query?: CallQuery }> = [];
  const failures: Array<{ pitfall: string; message: string; location: Location | null | undefined }> = [];
  const server = {
    settled: async (method: string, target: string, options?: { timeoutMs?: number }) => {
      seen.push({ method, target, timeoutMs: options?.timeoutMs });
      return rec;
    },
    callLine: (r: ResponseRecord | undefined, query: CallQuery) => {
      seen.push({ method: '', target: '', query });
      return r ? r.lastCallAt : null;
    },
  };
  const fail = (pitfall: string, message: string, location?: Location | null): never => {
    failures.push({ pitfall, message, location });
    throw new Error(pitfall);
  };
  return { ctx: { server, fail } as never, seen, failures };
}

const response = (type?: string) => ({ headers: type === undefined ? {} : { 'content-type': type }, request: { method: 'GET', target: '/report' } });

describe('expectUtf8', () => {
  it('passes a declared utf-8 charset without asking the probe', async () => {
    const { ctx, seen } = fakeCtx(undefined);
    await expectUtf8(ctx, response('text/plain; charset=UTF-8'), 'wrong-content-type');
    expect(seen).toEqual([]);
  });
  it('fails with the given pitfall at the call that set Content-Type, saying what came back', async () => {
    const rec = record([call({ fn: 'setHeader', name: 'Content-Type', value: 'text/plain', at: at(6) }), call({ fn: 'end', at: at(9) })]);
    const { ctx, failures } = fakeCtx(rec);
    await expect(expectUtf8(ctx, response('text/plain'), 'wrong-header', 'the file')).rejects.toThrow('wrong-header');
    expect(failures[0].location).toEqual(at(6));
    expect(failures[0].message).toBe('We sent GET /report; expected Content-Type text/plain; charset=utf-8, got "text/plain": without the charset, a client may not decode the file as UTF-8.');
  });
  it('without a Content-Type call, points at the last writeHead/setHeader (callLine)', async () => {
    const rec = record([call({ fn: 'end', at: at(9) })]);
    const { ctx, failures, seen } = fakeCtx(rec);
    await expect(expectUtf8(ctx, response(undefined), 'wrong-content-type')).rejects.toThrow();
    expect(seen.at(-1)?.query).toEqual({ fn: ['writeHead', 'setHeader'] });
    expect(failures[0].message).toContain('got no Content-Type');
  });
});

describe('responseLine', () => {
  it('waits for the probe (300 ms at most) and asks callLine with the query', async () => {
    const rec = record([call({ fn: 'write', at: at(3) }), call({ fn: 'end', at: at(4) })]);
    const { ctx, seen } = fakeCtx(rec);
    expect(await responseLine(ctx, 'HEAD', '/files/a', { fn: ['end'] })).toEqual(at(4));
    expect(seen).toEqual([{ method: 'HEAD', target: '/files/a', timeoutMs: 300 }, { method: '', target: '', query: { fn: ['end'] } }]);
  });
});
