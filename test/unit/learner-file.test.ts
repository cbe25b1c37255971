// The one resolution of the learner's file (src/workspace/locate.ts): in a
// workspace, outside one, with --file; what `run` would pick by itself, whether
// a verdict is recorded, and where `list` says the file would be.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Lesson } from '../../src/course/lessons.ts';
import { learnerFile } from '../../src/workspace/locate.ts';
import { newState, type Language } from '../../src/workspace/state.ts';
import type { Workspace } from '../../src/workspace/workspace.ts';

const base = mkdtempSync(join(tmpdir(), 'hdj-locate-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const lesson = { id: '04-post-body', fileStem: 'server' } as Lesson;
let counter = 0;

/** A fresh folder holding `files` (paths relative to it). */
function folder(files: string[]): string {
  const dir = join(base, `case-${counter++}`);
  mkdirSync(dir, { recursive: true });
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), '// learner\n');
  }
  return dir;
}

const workspaceAt = (root: string, lang: Language): Workspace => ({ root, state: newState(lang), notice: null });

describe('in a workspace', () => {
  it('the existing file, the language of the workspace first; recorded; run picks it', () => {
    const root = folder(['04-post-body/server.js', '04-post-body/server.ts']);
    const found = learnerFile(lesson, { workspace: workspaceAt(root, 'ts'), cwd: base });
    expect(found).toEqual({ file: join(root, '04-post-body/server.ts'), byDefault: join(root, '04-post-body/server.ts'), inWorkspace: true, expected: join(root, '04-post-body/server.ts') });
    expect(learnerFile(lesson, { workspace: workspaceAt(root, 'js'), cwd: base }).file).toBe(join(root, '04-post-body/server.js'));
  });
  it('another learner extension when the language has none', () => {
    const root = folder(['04-post-body/server.mjs']);
    expect(learnerFile(lesson, { workspace: workspaceAt(root, 'js') }).file).toBe(join(root, '04-post-body/server.mjs'));
  });
  it('no file yet: where the starter will be created (the verify hint says to open the lesson)', () => {
    const root = folder([]);
    const found = learnerFile(lesson, { workspace: workspaceAt(root, 'js') });
    expect(found).toMatchObject({ file: join(root, '04-post-body/server.js'), inWorkspace: true });
  });
  it('--file naming another file: not recorded, and run would pick the workspace one', () => {
    const root = folder(['04-post-body/server.js', 'elsewhere/server.js']);
    const found = learnerFile(lesson, { workspace: workspaceAt(root, 'js'), file: 'elsewhere/server.js', cwd: root });
    expect(found).toEqual({ file: join(root, 'elsewhere/server.js'), byDefault: join(root, '04-post-body/server.js'), inWorkspace: false, expected: join(root, 'elsewhere/server.js') });
  });
  it('--file naming the workspace file itself: recorded', () => {
    const root = folder(['04-post-body/server.js']);
    const found = learnerFile(lesson, { workspace: workspaceAt(root, 'js'), file: '04-post-body/server.js', cwd: root });
    expect(found.inWorkspace).toBe(true);
  });
});

describe('outside a workspace', () => {
  it('<cwd>/<lesson-id>/<stem>.<ext> before <cwd>/<stem>.<ext>', () => {
    const cwd = folder(['server.js', '04-post-body/server.ts']);
    expect(learnerFile(lesson, { workspace: null, cwd })).toEqual({ file: join(cwd, '04-post-body/server.ts'), byDefault: join(cwd, '04-post-body/server.ts'), inWorkspace: false, expected: join(cwd, '04-post-body/server.ts') });
    const flat = folder(['server.cjs']);
    expect(learnerFile(lesson, { workspace: null, cwd: flat }).file).toBe(join(flat, 'server.cjs'));
  });
  it('nothing here: no file, nothing for run, and list shows <cwd>/<lesson-id>/<stem>.js', () => {
    const cwd = folder(['client.js']);
    expect(learnerFile(lesson, { workspace: null, cwd })).toEqual({ file: null, byDefault: null, inWorkspace: false, expected: join(cwd, '04-post-body/server.js') });
  });
  it('--file is resolved against cwd, whether it exists or not', () => {
    const cwd = folder(['server.js']);
    expect(learnerFile(lesson, { workspace: null, file: 'mine.js', cwd })).toMatchObject({ file: join(cwd, 'mine.js'), byDefault: join(cwd, 'server.js') });
    expect(learnerFile(lesson, { workspace: null, file: '/abs/other.ts', cwd }).file).toBe('/abs/other.ts');
  });
});
