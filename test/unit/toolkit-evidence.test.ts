// The failure-evidence API (src/engine/toolkit/evidence.ts): evidence stated by a
// check is added to the diagnosis whoever writes it: how the request was sent,
// a detail, a fallback location, and a crash's lesson pitfall.

import { describe, expect, it } from 'vitest';
import type { CrashInfo, Evidence } from '../../src/engine/check-api.ts';
import { NoResponseError } from '../../src/engine/clients/connection.ts';
import type { EventOf, Location } from '../../src/engine/probe-events.ts';
import { amendFailure, EvidenceBoard, runWithEvidence, withSent } from '../../src/engine/toolkit/evidence.ts';
import { CheckFailure } from '../../src/engine/verdict.ts';

const AT: Location = { file: '/w/server.js', line: 4, column: 3 };

describe('withSent', () => {
  const CASES: Array<[string, string, string]> = [
    ['We sent POST /api/users; expected status 201, got 400.', 'We sent POST /api/users in 3 pieces; expected status 201, got 400.', 'an expectation'],
    ['We sent POST /api/users with body {"a":1}; expected JSON', 'We sent POST /api/users in 3 pieces with body {"a":1}; expected JSON', 'with a body preview'],
    ['When we sent GET /x?y=1: your program crashed', 'When we sent GET /x?y=1 in 3 pieces: your program crashed', "the engine's crash wording"],
    ['Your program crashed.', 'Your program crashed. (the request was sent in 3 pieces)', 'no request clause'],
  ];
  it.each(CASES)('%s', (message, want) => {
    expect(withSent(message, 'in 3 pieces')).toBe(want);
  });
});

describe('amendFailure', () => {
  const failure = { message: 'We sent GET /a; expected status 200, got 404.', location: null as Location | null, pitfall: 'wrong-status' };
  const CASES: Array<[string, Evidence[], string, Location | null]> = [
    ['nothing stated', [], failure.message, null],
    ['how it was sent', [{ sent: '(one byte at a time)' }], 'We sent GET /a (one byte at a time); expected status 200, got 404.', null],
    ['a detail', [{ detail: 'The same request without a query got 200.' }], `${failure.message} The same request without a query got 200.`, null],
    ['a location when there is none', [{ location: () => AT }], failure.message, AT],
    ['the first location that finds one', [{ location: () => null }, { location: async () => AT }], failure.message, AT],
    ['a location look-up that throws is skipped', [{ location: () => { throw new Error('bug in the check'); } }, { location: () => AT }], failure.message, AT],
  ];
  it.each(CASES)('%s', async (_name, evidence, message, location) => {
    const amended = await amendFailure(failure, evidence);
    expect(amended.message).toBe(message);
    expect(amended.location).toEqual(location);
    expect(amended.pitfall).toBe('wrong-status');
  });
  it('keeps a location the diagnosis has', async () => {
    const other = { ...AT, line: 9 };
    expect((await amendFailure({ ...failure, location: other }, [{ location: () => AT }])).location).toEqual(other);
  });
});

describe('runWithEvidence', () => {
  const uncaught = { t: 'uncaught', name: 'URIError', message: 'URI malformed', origin: 'x', at: AT, ms: 0, receivedAt: 0 } as EventOf<'uncaught'>;
  const crash: CrashInfo = { exit: { code: 1, signal: null, killedBy: null, atMs: 5 }, error: uncaught, stderrTail: '' };
  const fakeCtx = (crashed: CrashInfo | null) => ({
    program: { waitForExit: async () => crashed?.exit ?? null } as never,
    server: { crash: () => crashed } as never,
  });
  const closed = () => Object.assign(new NoResponseError('closed', 10, null, 0), { request: { method: 'GET', target: '/plain' } });

  it('a crash the evidence explains becomes its pitfall, at the throwing line', async () => {
    const board = new EvidenceBoard();
    board.add({ crash: { pitfall: 'url-string-split', because: 'new URL(req.url, base) handles a target without "?"' } });
    const error = await runWithEvidence(fakeCtx(crash), board, () => Promise.reject(closed())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckFailure);
    expect((error as CheckFailure).pitfall).toBe('url-string-split');
    expect((error as CheckFailure).message).toBe('We sent GET /plain; your program crashed with URIError: URI malformed: new URL(req.url, base) handles a target without "?".');
    expect((error as CheckFailure).location).toEqual(AT);
  });
  const UNCHANGED: Array<[string, Evidence[], CrashInfo | null, () => unknown]> = [
    ['no evidence', [], crash, closed],
    ['withdrawn evidence', [], crash, closed],
    ['a timeout is not a crash', [{ crash: { pitfall: 'p', because: 'b' } }], crash, () => new NoResponseError('timeout', 2000, null, 0)],
    ['the program did not crash', [{ crash: { pitfall: 'p', because: 'b' } }], null, closed],
    ['the evidence does not accept this error', [{ crash: { pitfall: 'p', because: 'b', when: (e) => e.name === 'TypeError' } }], crash, closed],
    ['not a request failure', [{ crash: { pitfall: 'p', because: 'b' } }], crash, () => new Error('internal')],
  ];
  it.each(UNCHANGED)('leaves the failure to the engine: %s', async (name, evidence, crashed, make) => {
    const board = new EvidenceBoard();
    const withdraw = evidence.map((item) => board.add(item));
    if (name === 'withdrawn evidence') board.add({ crash: { pitfall: 'p', because: 'b' } })();
    const thrown = make();
    const error = await runWithEvidence(fakeCtx(crashed), board, () => Promise.reject(thrown)).catch((e: unknown) => e);
    expect(error).toBe(thrown);
    withdraw.forEach((done) => done());
    expect(board.current).toEqual([]);
  });
  const timeout = () => Object.assign(new NoResponseError('timeout', 2000, null, 0), { request: { method: 'GET', target: '/where' } });
  const NO_ANSWER: Array<[string, () => unknown, CrashInfo | null, string]> = [
    ['a timeout', timeout, null, 'We sent GET /where with an empty Host; we received nothing, and no end of the response for 2.0 s, while the same request with a normal Host was answered.'],
    ['a closed connection without a crash', closed, null, 'We sent GET /plain with an empty Host; we received nothing, and the server closed the connection before the response was complete, while the same request with a normal Host was answered.'],
  ];
  it.each(NO_ANSWER)('no answer becomes the evidence\'s pitfall: %s', async (_name, make, crashed, message) => {
    const board = new EvidenceBoard();
    board.add({ sent: 'with an empty Host', noAnswer: { pitfall: 'host-header-url-base', because: 'while the same request with a normal Host was answered' }, location: () => AT });
    const error = (await runWithEvidence(fakeCtx(crashed), board, () => Promise.reject(make())).catch((e: unknown) => e)) as CheckFailure;
    expect([error.pitfall, error.message, error.location]).toEqual(['host-header-url-base', message, AT]);
  });
  it('a crash the evidence explains wins over no answer', async () => {
    const board = new EvidenceBoard();
    board.add({ noAnswer: { pitfall: 'p', because: 'b' } });
    board.add({ crash: { pitfall: 'url-string-split', because: 'b' } });
    const error = (await runWithEvidence(fakeCtx(crash), board, () => Promise.reject(closed())).catch((e: unknown) => e)) as CheckFailure;
    expect(error.pitfall).toBe('url-string-split');
  });

  it('a passing check passes', async () => {
    await expect(runWithEvidence(fakeCtx(null), new EvidenceBoard(), () => undefined)).resolves.toBeUndefined();
  });
});
