// The toolkit's helpers for lessons 09 and 14 (src/engine/toolkit/event-loop.ts,
// shutdown.ts, timers.ts): the probe's evidence of a blocked loop and its line;
// what holds a process after SIGTERM, in words, and the line behind a hang; a
// timer that is not unref()'d. The helpers that talk to a live server
// (sigtermDuring, slowHeaderClient) are proven by lesson 14's mistakes (dev check).

import { describe, expect, it } from 'vitest';
import type { CheckContext } from '../../src/engine/check-api.ts';
import { blockingEvidence, judgeBlocked, syncBlocked } from '../../src/engine/toolkit/event-loop.ts';
import { hangLine, holdersText, lossText, signalExitText, whatHolds } from '../../src/engine/toolkit/shutdown.ts';
import { heldTimer, matchingParen } from '../../src/engine/toolkit/timers.ts';
import { codeSource } from '../../src/engine/toolkit/source.ts';

const FILE = '/ws/server.ts';
const at = (line: number) => ({ file: FILE, line, column: 1 });
const BOUNDS = { syncMs: 50, handlerMs: 100, lagMs: 300 };

function serverWith(events: Record<string, unknown[]>, requests: unknown[] = []) {
  return { file: FILE, listenAt: at(40), eventsOf: (t: string) => events[t] ?? [], requests: () => requests, request: () => undefined, waitFor: async () => null };
}

describe('event loop evidence', () => {
  const source = codeSource(FILE, 'const a = 1;\nwhile (Date.now() < end) {}\n');
  it('a long *Sync call in a handler: which function, how often, at the longest call', () => {
    const server = serverWith({ 'sync-call': [{ fn: 'pbkdf2Sync', inRequest: 1, durationMs: 220, at: at(7) }, { fn: 'pbkdf2Sync', inRequest: 2, durationMs: 240, at: at(7) }], tick: [{ lagMs: 400 }] });
    const ctx = { server, source } as unknown as CheckContext;
    expect(syncBlocked(ctx, 50)).toBe(true);
    const block = blockingEvidence(ctx, '/hash', BOUNDS)!;
    expect(block.text).toBe('pbkdf2Sync() ran 2 times inside your request handlers, 230 ms each (longest 240 ms): while it runs, no other request, timer or response is served. The event loop was blocked for up to 400 ms at a time.');
    expect(block.at).toEqual(at(7));
  });
  it('late heartbeats alone: a busy wait in the source', () => {
    const ctx = { server: serverWith({ tick: [{ lagMs: 350 }] }), source } as unknown as CheckContext;
    expect(blockingEvidence(ctx, '/slow', BOUNDS)?.at).toMatchObject({ line: 2 });
  });
  it('nothing beyond the bounds: no evidence; judgeBlocked measures again, then fails timeout', async () => {
    const failures: string[] = [];
    const notes: string[] = [];
    const ctx = {
      server: serverWith({ tick: [{ lagMs: 40 }], 'handler-sync': [{ id: 1, handlerMs: 31 }] }),
      source,
      sleep: async () => {},
      note: (text: string) => notes.push(text),
      fail: (pitfall: string) => { failures.push(pitfall); throw new Error(pitfall); },
    } as unknown as CheckContext;
    expect(blockingEvidence(ctx, '/slow', BOUNDS)).toBeNull();
    await judgeBlocked(ctx, 'We sent 8 GET /slow.', '/slow', 1, BOUNDS);
    expect(notes).toHaveLength(1);
    await expect(judgeBlocked(ctx, 'We sent 8 GET /slow.', '/slow', 2, BOUNDS)).rejects.toThrow('timeout');
    expect(failures).toEqual(['timeout']);
  });
});

describe('what holds a process', () => {
  const tick = (resources: Record<string, number>) => ({ t: 'tick', lagMs: 0, rss: 0, resources });
  it('reads the last heartbeat', () => {
    expect(whatHolds([])).toBeNull();
    const held = whatHolds([tick({ TCPServerWrap: 1 }), tick({ Timeout: 1, TCPSocketWrap: 2, FSEventWrap: 1 })])!;
    expect(held).toEqual({ listening: false, connections: 2, timers: 1, others: ['FSEventWrap'] });
    expect(holdersText(held)).toMatch(/^1 timer \(.*\) and 2 open connections \(.*\) and other handles: FSEventWrap$/);
    expect(holdersText({ listening: false, connections: 0, timers: 0, others: [] })).toBe('');
  });
  it('says how the process ended and how a request was lost', () => {
    expect(signalExitText({ code: null, signal: 'SIGTERM' }, 3, null)).toMatch(/^the signal killed it 3 ms later: there is no SIGTERM handler/);
    expect(signalExitText({ code: 1, signal: null }, 2500, { t: 'exit-call', code: 1, at: null, ms: 0, receivedAt: 0 })).toBe('it called process.exit(1) 2.5 s after the signal, ending with code 1');
    expect(lossText({ reason: 'reset', partial: null }, 12)).toBe('12 ms after the signal the connection was reset without an answer');
    expect(lossText({ reason: 'timeout' }, 12)).toBe('no answer came');
  });
  it('points a hang at the timer started in the SIGTERM handler, not an unref()d one', () => {
    const text = [
      "const tick = setInterval(() => {}, 1000).unref();",
      "process.on('SIGTERM', () => {",
      '  server.close();',
      '  setTimeout(() => process.exit(1), 10_000);',
      '});',
    ].join('\n');
    const source = codeSource(FILE, text);
    const ctx = { source, server: { listenAt: at(9) } } as unknown as CheckContext;
    expect(heldTimer(source, null)).toMatchObject({ line: 4 });
    const timers = { listening: false, connections: 0, timers: 1, others: [] };
    expect(hangLine(ctx, { held: timers, exitCall: null, closeCall: { t: 'server-close', at: at(3) } as never })).toMatchObject({ line: 4 });
    // Still listening: the SIGTERM handler that never closes the server.
    expect(hangLine(ctx, { held: { ...timers, listening: true }, exitCall: null, closeCall: null })).toMatchObject({ line: 2 });
  });
  it('matchingParen skips strings', () => {
    const text = "f(a, ')', (b))";
    expect(matchingParen(text, 1)).toBe(text.length - 1);
    expect(matchingParen(text, -1)).toBe(-1);
  });
});
