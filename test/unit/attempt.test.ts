// What a verdict leaves behind (src/workspace/attempt.ts), shared by `verify` and
// the watch screen: recorded only for the workspace's own file, the reference
// solution only after a pass and after the state is saved, an unwritable state
// reported rather than thrown; and the "passed" words of both surfaces.

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCourse } from '../../src/course/lessons.ts';
import type { Verdict } from '../../src/engine/verdict.ts';
import { attempt, passedText } from '../../src/workspace/attempt.ts';
import { newState, readStateFile, writeStateFile } from '../../src/workspace/state.ts';
import type { Workspace } from '../../src/workspace/workspace.ts';
import { LESSONS } from './tiny-course.ts';

const lessons = loadCourse(LESSONS);
const [first, second] = lessons;
const last = lessons[lessons.length - 1];
const base = mkdtempSync(join(tmpdir(), 'hdj-attempt-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let counter = 0;

function workspace(): { ws: Workspace; file: string } {
  const root = join(base, `ws-${counter++}`);
  const state = newState('js');
  writeStateFile(root, state);
  const file = join(root, first.id, 'server.js');
  mkdirSync(join(root, first.id), { recursive: true });
  writeFileSync(file, '// mine\n');
  return { ws: { root, state, notice: null }, file };
}

const verdict = (passed: boolean) => ({ passed, lesson: first.id, checks: [] }) as unknown as Verdict;

describe('attempt', () => {
  it('no workspace: nothing recorded, nothing written', async () => {
    expect(await attempt(null, first, '/somewhere/server.js', verdict(true))).toEqual({ workspaceFile: false, progress: null, reference: null, error: null });
  });

  it('a --file outside the lesson folder of a workspace: not recorded', async () => {
    const { ws } = workspace();
    const other = join(ws.root, 'server.js');
    writeFileSync(other, '// elsewhere\n');
    const result = await attempt(ws, first, other, verdict(true));
    expect(result).toMatchObject({ workspaceFile: false, progress: null, reference: null });
    expect(readStateFile(ws.root)).toMatchObject({ ok: true, state: { lessons: {} } });
  });

  it('a failure: recorded, no reference solution', async () => {
    const { ws, file } = workspace();
    const result = await attempt(ws, first, file, verdict(false));
    expect(result).toMatchObject({ workspaceFile: true, progress: { attempts: 1, passed: false, lastResult: 'failed' }, reference: null, error: null });
    expect(existsSync(join(ws.root, first.id, 'solution.js'))).toBe(false);
  });

  it('a pass: recorded, then (after onRecorded) the reference solution beside the file', async () => {
    const { ws, file } = workspace();
    const reference = join(ws.root, first.id, 'solution.js');
    const seen: Array<{ attempts: number; referenceThere: boolean }> = [];
    const result = await attempt(ws, first, file, verdict(true), (progress) => seen.push({ attempts: progress.attempts, referenceThere: existsSync(reference) }));
    expect(seen).toEqual([{ attempts: 1, referenceThere: false }]);
    expect(result).toMatchObject({ workspaceFile: true, progress: { attempts: 1, passed: true }, reference, error: null });
    expect(existsSync(reference)).toBe(true);
    const state = readStateFile(ws.root);
    expect(state.ok && state.state.lessons[first.id]).toMatchObject({ attempts: 1, passed: true, lastResult: 'passed' });
  });

  it('a state that cannot be written: the error is returned, not thrown', async () => {
    const { ws, file } = workspace();
    rmSync(join(ws.root, '.httpdojo'), { recursive: true });
    writeFileSync(join(ws.root, '.httpdojo'), 'not a folder');
    const result = await attempt(ws, first, file, verdict(true));
    expect(result.workspaceFile).toBe(true);
    expect(result.progress).toBeNull();
    expect((result.error as NodeJS.ErrnoException).code).toMatch(/^E/);
  });
});

describe('passedText', () => {
  const style = new Chalk({ level: 0 });
  it('after httpdojo verify: a command to type next', () => {
    expect(passedText(first, '/ws/01-hello-server/solution.js', { on: 'command', style, self: 'npx httpdojo', cwd: '/ws' })).toEqual({
      headline: `Lesson ${first.number} passed.`,
      reference: 'The reference solution, to compare: 01-hello-server/solution.js',
      next: `Next: npx httpdojo next  (or npx httpdojo read ${first.number} for other ways to write it)`,
    });
    expect(passedText(first, null, { on: 'command', style, self: 'httpdojo', cwd: '/ws' }).reference).toBeNull();
  });
  it('on the watch screen: a key to press, and the end of the course', () => {
    const view = { on: 'screen' as const, style, following: second, show: (file: string) => `<${file}>` };
    expect(passedText(first, '/ws/x/solution.js', view)).toEqual({
      headline: `✓ Lesson ${first.number} passed!`,
      reference: 'Reference solution: </ws/x/solution.js>',
      next: `Press n for lesson ${second.number}: ${second.title}`,
    });
    expect(passedText(last, null, { ...view, following: null })).toEqual({ headline: `✓ Lesson ${last.number} passed!`, reference: null, next: 'That was the last lesson. Well done!' });
  });
});
