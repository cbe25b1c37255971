// src/engine/toolkit/crashes.ts: a request whose handler fails on purpose, and the
// learner's frames of an uncaught error (lesson 15's sync-throw-crash points at the
// framework's call of the handler, not at the deliberate throw).

import { describe, expect, it } from 'vitest';
import type { CheckContext } from '../../src/engine/check-api.ts';
import { callerOf, learnerFrames, survivesFailure } from '../../src/engine/toolkit/crashes.ts';

const FILE = '/ws/server.ts';
const STACK = [
  'Error: boom',
  `    at /ws/server.ts:266:9`,
  `    at next (file:///ws/server.ts:86:22)`,
  '    at Server.<anonymous> (node:_http_server:1:1)',
  `    at other (/ws/other.ts:3:3)`,
].join('\n');

describe('learnerFrames and callerOf', () => {
  it('keeps the frames in the file, paths and file: URLs alike, innermost first', () => {
    expect(learnerFrames(STACK, FILE)).toEqual([
      { file: FILE, line: 266, column: 9 },
      { file: FILE, line: 86, column: 22 },
    ]);
  });
  it('callerOf is the frame below the throw; without one, the throw', () => {
    expect(callerOf({ stack: STACK, at: { file: FILE, line: 266, column: 9 } }, FILE)).toEqual({ file: FILE, line: 86, column: 22 });
    const alone = { file: FILE, line: 272, column: 3 };
    expect(callerOf({ stack: 'Error: x\n    at /ws/server.ts:272:3', at: alone }, FILE)).toBe(alone);
  });
});

type Uncaught = { t: 'uncaught'; origin: string; name: string; message: string; stack?: string; at: { file: string; line: number; column: number } | null };

function fakeCtx(answers: Array<{ status: number; text: string } | Error>, uncaught: Uncaught[]) {
  const failures: Array<{ pitfall: string; message: string; at: unknown }> = [];
  const ctx = {
    http: { get: async () => { const next = answers.shift()!; if (next instanceof Error) throw next; return next; } },
    server: { file: FILE, eventsOf: () => [...uncaught], waitFor: async () => uncaught[0] ?? null },
    program: { waitForExit: async () => ({ code: 1, signal: null }) },
    note: () => {},
    fail: (pitfall: string, message: string, at: unknown) => { failures.push({ pitfall, message, at }); throw new Error(pitfall); },
  } as unknown as CheckContext;
  return { ctx, failures };
}

describe('survivesFailure', () => {
  const crash = { pitfall: 'sync-throw-crash', at: 'caller' as const, who: 'the handler', fix: 'Catch it.' };
  it('returns both answers when the server survived', async () => {
    const { ctx, failures } = fakeCtx([{ status: 500, text: '{}' }, { status: 200, text: '{}' }], []);
    const got = await survivesFailure(ctx, '/boom', '/api/users/1', crash);
    expect([got.res.status, got.next.status]).toEqual([500, 200]);
    expect(failures).toEqual([]);
  });
  it('no answer and an uncaught error: the pitfall, at the caller, with what was thrown and the fix', async () => {
    const { ctx, failures } = fakeCtx([new Error('closed')], [{ t: 'uncaught', origin: 'uncaughtException', name: 'Error', message: 'boom', stack: STACK, at: { file: FILE, line: 266, column: 9 } }]);
    await expect(survivesFailure(ctx, '/boom', '/api/users/1', crash)).rejects.toThrow('sync-throw-crash');
    expect(failures[0].message).toBe("We sent GET /boom; no answer reached us: the handler threw Error: boom, nothing caught it, and your server crashed (exit code 1), dropping every other client's connection too. Catch it.");
    expect(failures[0].at).toEqual({ file: FILE, line: 86, column: 22 });
  });
  it('answered, then the next request got nothing: says what came back first', async () => {
    const { ctx, failures } = fakeCtx([{ status: 500, text: '' }, new Error('refused')], [{ t: 'uncaught', origin: 'unhandledRejection', name: 'Error', message: 'late', at: null }]);
    await expect(survivesFailure(ctx, '/boom', '/api/users/1', { ...crash, at: 'throw' })).rejects.toThrow();
    expect(failures[0].message).toMatch(/^We sent GET \/boom; we got 500 \(empty body\), but the next request \(GET \/api\/users\/1\) got no answer: the handler returned a promise that rejected/);
  });
  it('no answer without any uncaught error: the engine\'s own failure stands', async () => {
    const { ctx, failures } = fakeCtx([new Error('timeout')], []);
    await expect(survivesFailure(ctx, '/boom', '/api/users/1', crash)).rejects.toThrow('timeout');
    expect(failures).toEqual([]);
  });
});
