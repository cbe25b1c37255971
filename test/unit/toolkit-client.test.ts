// ctx.client (src/engine/toolkit/client.ts): the client harness bound to the
// check. Every function of the harness that takes the context is there with the
// context given; the pure ones are the very same functions; the harness's
// wording is the toolkit's (show, seconds).

import { describe, expect, it } from 'vitest';
import type { CheckContext } from '../../src/engine/check-api.ts';
import * as harness from '../../src/engine/client-harness/index.ts';
import { clientHarness } from '../../src/engine/toolkit/client.ts';
import { format } from '../../src/engine/toolkit/format.ts';

describe('ctx.client', () => {
  const notes: string[] = [];
  const ctx = { note: (text: string) => notes.push(text) } as unknown as CheckContext;
  const client = clientHarness(ctx);
  const PURE = ['cut', 'cutInside', 'escapeBytes', 'eventsOf', 'clientRequests', 'requestLine', 'exitText', 'outcome', 'show', 'sameOutput', 'CHECK_MS', 'EXIT_WITHIN_MS', 'NETWORK_CODES'] as const;
  it.each(PURE)('%s is the harness export itself', (name) => {
    expect(client[name]).toBe(harness[name]);
  });
  it('binds the context: failUnended and the others fail through ctx.fail', () => {
    const failures: string[] = [];
    const bound = clientHarness({ ...ctx, fail: (pitfall: string) => { failures.push(pitfall); throw new Error(pitfall); } } as unknown as CheckContext);
    const result = { exited: true, code: 0, signal: null, stdout: '', stderr: '', events: [], uncaught: null, exitAfterMs: 0, idleMs: 0, ranMs: 10, afterEnd: null, stoppedEarly: false } as harness.ClientResult;
    expect(() => bound.expectSuccessOutput(result, 'We answered 200 "hi"', 'hi')).toThrow();
    expect(failures).toHaveLength(1);
  });
  const WORDS: Array<[string, string, string]> = [
    ['show: no output is "nothing"', harness.show(''), 'nothing'],
    ['show quotes like format.body', harness.show('a\nb'), format.body('a\nb')],
    ['show cuts at 160 by default', harness.show('z'.repeat(200)), `"${'z'.repeat(160)}…"`],
    ['seconds is the toolkit\'s', harness.seconds(2500), '2.5 s'],
  ];
  it.each(WORDS)('%s', (_name, got, want) => {
    expect(got).toBe(want);
  });
});
