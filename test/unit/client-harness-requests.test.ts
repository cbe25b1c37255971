// src/engine/client-harness/requests.ts: what a client program's request looked
// like (body bytes written, agent, media type, where a header or the agent was
// set) and expectNodeHttp, the first judgement of a client lesson. Pure data in,
// locations and failures out: no process, no socket.

import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { CheckContext, Location, ProbeEvent } from '../../src/engine/check-api.ts';
import type { ClientResult, TestServer } from '../../src/engine/client-harness/index.ts';
import * as requests from '../../src/engine/client-harness/requests.ts';
import { clientHarness } from '../../src/engine/toolkit/client.ts';

const at = (line: number): Location => ({ file: '/w/client.ts', line, column: 1 });
const base = { ms: 0, receivedAt: 0 };

function resultOf(events: unknown[], extra: Partial<ClientResult> = {}): ClientResult {
  return { exited: true, stoppedEarly: false, code: 0, signal: null, stdout: '', stderr: '', events: events as ProbeEvent[], uncaught: null, exitAfterMs: 0, idleMs: 0, afterEnd: null, ranMs: 10, ...extra };
}

/** A context whose source is `lines` (every match on every line) and whose fail throws the pitfall id. */
function contextOf(lines: string[]): CheckContext & { failures: Array<{ pitfall: string; message: string; location: Location | null | undefined }> } {
  const failures: Array<{ pitfall: string; message: string; location: Location | null | undefined }> = [];
  const findAll = (pattern: RegExp) => lines.flatMap((text, i) => (new RegExp(pattern.source, pattern.flags).test(text) ? [at(i + 1)] : []));
  return {
    failures,
    note: () => {},
    skipLaterChecks: () => {},
    source: { findAll, find: (...patterns: RegExp[]) => patterns.map((pattern) => findAll(pattern)[0]).find(Boolean) ?? null },
    fail: (pitfall: string, message: string, location?: Location | null) => {
      failures.push({ pitfall, message, location });
      throw new Error(pitfall);
    },
  } as unknown as CheckContext & { failures: typeof failures };
}

const serverWith = (received: number): TestServer => ({ upstream: { received: Array.from({ length: received }, () => ({})) } }) as unknown as TestServer;

describe('client request facts', () => {
  it('bodyBytesWritten sums write and end of the first request only', () => {
    const result = resultOf([
      { ...base, t: 'client-create', id: 1, method: 'POST', path: '/', at: at(3) },
      { ...base, t: 'client-call', id: 1, fn: 'write', bytes: 10, at: at(4) },
      { ...base, t: 'client-call', id: 1, fn: 'end', bytes: 3, at: at(5) },
      { ...base, t: 'client-call', id: 2, fn: 'write', bytes: 99, at: at(6) },
    ]);
    expect(requests.bodyBytesWritten(result)).toBe(13);
    expect(requests.bodyBytesWritten(resultOf([]))).toBe(0);
  });
  it('requestMediaType drops parameters and case; undefined without the header', () => {
    expect(requests.requestMediaType({ headers: { 'content-type': 'Application/JSON; charset=utf-8' } })).toBe('application/json');
    expect(requests.requestMediaType({ headers: {} })).toBeUndefined();
  });
  it('describeReceived says how the body was framed and shows half a character as \\xNN', () => {
    const record = { method: 'POST', url: '/api/users', headers: { 'transfer-encoding': 'chunked' }, body: Buffer.from('ë').subarray(0, 1) };
    expect(requests.describeReceived(record as never)).toBe('POST /api/users, Content-Type (none), no Content-Length (Transfer-Encoding: chunked), body (1 bytes) \\xC3');
  });
  it('agentOf reads the agent the probe saw on the requests', () => {
    const agent = { global: false, keepAlive: true, maxSockets: 4 };
    expect(requests.agentOf(resultOf([{ ...base, t: 'client-req', id: 1, agent }]))).toEqual(agent);
    expect(requests.agentOf(resultOf([{ ...base, t: 'client-req', id: 1 }]))).toBeNull();
  });
  it('headerLine: the setHeader call first, then the header in the options, then the request line', () => {
    const ctx = contextOf(['const req = http.request(url, {', "  headers: { 'Content-Length': n },", '});']);
    const create = { ...base, t: 'client-create', id: 1, method: 'POST', path: '/', at: at(1) };
    expect(requests.headerLine(ctx, resultOf([create, { ...base, t: 'client-call', id: 1, fn: 'setHeader', name: 'Content-Length', at: at(9) }]), 'content-length')).toEqual(at(9));
    expect(requests.headerLine(ctx, resultOf([create]), 'content-length')).toEqual(at(2));
    expect(requests.headerLine(ctx, resultOf([create]), 'content-type')).toEqual(at(1));
    expect(requests.headerLine(ctx, resultOf([create]), 'content-type', /\bheaders\s*:/)).toEqual(at(2));
  });
  it('agentLine: new Agent(, else agent: false, else the request line', () => {
    expect(requests.agentLine(contextOf(['x', 'const agent = new http.Agent({ keepAlive: true });']), resultOf([]))).toEqual(at(2));
    expect(requests.agentLine(contextOf(['http.get(url, { agent: false })']), resultOf([]))).toEqual(at(1));
  });
});

describe('expectNodeHttp', () => {
  const viaHttp = { ...base, t: 'client-create', id: 1, method: 'GET', path: '/', at: at(2) };
  it('passes a request made with node:http', () => {
    const ctx = contextOf(['http.get(url)']);
    expect(() => requests.expectNodeHttp(ctx, resultOf([viaHttp]), serverWith(1), 'We served "hi"')).not.toThrow();
  });
  it('fetch() is not-using-http-module, at the fetch the probe saw, naming the calls the lesson asks for', () => {
    const ctx = contextOf(['await fetch(url)']);
    expect(() => requests.expectNodeHttp(ctx, resultOf([{ ...base, t: 'fetch', url: '/', at: at(7) }]), serverWith(1), 'We served "hi"', 'http.request')).toThrow('not-using-http-module');
    expect(ctx.failures[0].message).toContain('not with node:http (http.request)');
    expect(ctx.failures[0].location).toEqual(at(7));
  });
  it('a request that reached us without node:http is another client', () => {
    const ctx = contextOf(['net.createConnection(port)']);
    expect(() => requests.expectNodeHttp(ctx, resultOf([]), serverWith(1), 'We served "hi"')).toThrow('not-using-http-module');
    expect(ctx.failures[0].location).toEqual(at(1));
  });
  it('no request at all: crash when it exited non-zero, else timeout at its http.get', () => {
    const crashed = contextOf(['http.get(url)']);
    expect(() => requests.expectNodeHttp(crashed, resultOf([], { code: 1, stderr: 'boom' }), serverWith(0), 'We served "hi"')).toThrow('crash');
    const quiet = contextOf(['// http.get( in a comment is still a line here', 'http.get(url)']);
    expect(() => requests.expectNodeHttp(quiet, resultOf([]), serverWith(0), 'We served "hi"')).toThrow('timeout');
    expect(quiet.failures[0].message).toContain('never made a request');
  });
  it('is on ctx.client with the context bound', () => {
    const ctx = contextOf(['await fetch(url)']);
    expect(() => clientHarness(ctx).expectNodeHttp(resultOf([{ ...base, t: 'fetch', url: '/', at: null }]), serverWith(0), 'We served "hi"')).toThrow('not-using-http-module');
    expect(clientHarness(ctx).requestMediaType).toBe(requests.requestMediaType);
  });
});

describe('bodyReceived', () => {
  it('resolves at once for a body already read, else on end or close', async () => {
    await requests.bodyReceived({ readableEnded: true } as IncomingMessage);
    const req = Object.assign(new EventEmitter(), { readableEnded: false }) as unknown as IncomingMessage;
    let done = false;
    const waiting = requests.bodyReceived(req).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    req.emit('close');
    await waiting;
    expect(done).toBe(true);
  });
});
