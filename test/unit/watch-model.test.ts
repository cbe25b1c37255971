// The watch screen's state changes that need no terminal (src/ui/watch/model.ts)
// and which file events count as a save (src/ui/watch/trigger.ts).

import { describe, expect, it } from 'vitest';
import type { Lesson } from '../../src/course/lessons.ts';
import type { CheckResult, Verdict } from '../../src/engine/verdict.ts';
import { moveInList, newModel, openList, startChecking, toggleTimeline, toggleWire, typeLessonNumber, type ScreenModel } from '../../src/ui/watch/model.ts';
import { countsAsSave } from '../../src/ui/watch/trigger.ts';

const lessons = [1, 2, 10, 12].map((number) => ({ id: `${String(number).padStart(2, '0')}-x`, number, title: `L${number}` }) as Lesson);
const model = (changes: Partial<ScreenModel> = {}): ScreenModel => ({ ...newModel(lessons[1], '/ws/02-x/server.js', { task: null, after: null, hints: [], hasQuiz: false }), ...changes });
const check = (status: CheckResult['status'], changes: Partial<CheckResult> = {}) => ({ id: 'c', title: 't', status, pitfall: null, message: null, location: null, durationMs: 1, wire: [], error: null, stderrTail: null, ...changes }) as CheckResult;
const verdictOf = (...checks: CheckResult[]) => ({ checks, passed: checks.every((c) => c.status === 'passed') }) as Verdict;
const sent = [{ connection: 1, direction: 'sent', atMs: 0, data: Buffer.from('GET /') }] as CheckResult['wire'];
const slow = [{ kind: 'sent', atMs: 0 }, { kind: 'received', atMs: 900 }] as unknown as CheckResult['timeline'];

describe('w: the wire panel', () => {
  it('nothing run, nothing failed, a failure without bytes: a message, no panel', () => {
    for (const [verdict, message] of [
      [null, 'w shows the bytes of a failed check; nothing has failed yet.'],
      [verdictOf(check('passed')), 'w shows the bytes of a failed check; nothing has failed yet.'],
      [verdictOf(check('failed')), 'That check sent nothing over the wire.'],
    ] as const) {
      const state = model({ verdict });
      toggleWire(state);
      expect([state.panel, state.message]).toEqual(['none', message]);
    }
  });
  it('a failure with bytes: shown, and w again hides it', () => {
    const state = model({ verdict: verdictOf(check('failed', { wire: sent })) });
    toggleWire(state);
    expect(state.panel).toBe('wire');
    toggleWire(state);
    expect(state.panel).toBe('none');
  });
});

describe('i: the timeline panel', () => {
  it('steps through the checks with a timeline, then hides', () => {
    const timed = check('failed', { timeline: slow });
    const state = model({ verdict: verdictOf(timed, { ...timed, id: 'd' }) });
    const seen: Array<[string, number]> = [];
    for (let press = 0; press < 3; press++) {
      toggleTimeline(state);
      seen.push([state.panel, state.timelineIndex]);
    }
    expect(seen).toEqual([['timeline', 0], ['timeline', 1], ['none', 1]]);
  });
  it('nothing to draw: a message saying why', () => {
    const state = model();
    toggleTimeline(state);
    expect(state.message).toBe('i shows the timeline of a check; nothing has run yet.');
  });
});

describe('a new check and the lesson list', () => {
  it('a new check clears the last run, its wire panel and the message; the hint stays', () => {
    const state = model({ phase: 'done', live: [check('passed')], liveTotal: 3, error: 'x', panel: 'wire', message: 'm' });
    startChecking(state);
    expect(state).toMatchObject({ phase: 'checking', live: [], liveTotal: 0, error: null, panel: 'none', message: null });
    const hinted = model({ panel: 'hint' });
    startChecking(hinted);
    expect(hinted.panel).toBe('hint');
  });
  it('opens on the current lesson, wraps around, and picks a lesson by its typed number', () => {
    const state = model();
    openList(state, lessons);
    expect([state.panel, state.listIndex]).toEqual(['list', 1]);
    moveInList(state, -1, lessons.length);
    moveInList(state, -1, lessons.length);
    expect(state.listIndex).toBe(3);
    let typed = typeLessonNumber(state, '1', lessons);
    expect(state.listIndex).toBe(0);
    typed = typeLessonNumber(state, typed + '2', lessons);
    expect([typed, state.listIndex]).toEqual(['12', 3]);
    typed = typeLessonNumber(state, typed + '9', lessons);
    expect([typed, state.listIndex]).toEqual(['29', 3]);
  });
});

describe('which file events count as a save', () => {
  const FILE = '/ws/04-x/server.ts';
  it.each([
    ['server.ts', true],
    ['routes.js', true],
    ['data.json', true],
    ['lib.mts', true],
    ['solution.ts', false],
    ['.server.ts.swp', false],
    ['server.ts~', false],
    ['server.ts.1234.tmp', false],
    ['notes.md', false],
  ])('%s → %s', (name, expected) => {
    expect(countsAsSave(name, FILE)).toBe(expected);
  });
});
