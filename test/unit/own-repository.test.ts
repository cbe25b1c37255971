// Where the first run proposes the workspace when httpdojo runs inside its own
// repository, and how `~` reads and is typed.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { expandTilde, ownRepositoryAround, tildePath, workspaceOutside } from '../../src/cli/own-repository.ts';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/[\\/]$/, '');
const work = mkdtempSync(join(tmpdir(), 'httpdojo-own-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('ownRepositoryAround', () => {
  it('is this repository from its root and from a folder inside it', () => {
    expect(ownRepositoryAround(root)).toBe(root);
    expect(ownRepositoryAround(join(root, 'src', 'cli'))).toBe(root);
  });

  it('finds another httpdojo clone by its package.json, and nothing in an ordinary folder', () => {
    const other = join(work, 'other-clone');
    mkdirSync(join(other, 'lessons'), { recursive: true });
    writeFileSync(join(other, 'package.json'), '{"name":"httpdojo"}');
    expect(ownRepositoryAround(join(other, 'lessons'))).toBe(other);
    const project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{"name":"my-app"}');
    expect(ownRepositoryAround(project)).toBeNull();
    expect(ownRepositoryAround(work)).toBeNull();
  });
});

describe('workspaceOutside', () => {
  it('is ~/httpdojo-workspace, outside the repository', () => {
    const outside = workspaceOutside(root);
    expect(outside).toBe(join(homedir(), 'httpdojo-workspace'));
    expect(outside.startsWith(root + '/')).toBe(false);
  });

  it('is beside the repository when the home folder is inside it', () => {
    expect(workspaceOutside(homedir())).toBe(join(homedir(), '..', 'httpdojo-workspace'));
  });
});

describe('~', () => {
  it('shows a path under home with ~ and leaves others as they are', () => {
    expect(tildePath(join(homedir(), 'a', 'b'))).toBe('~/a/b');
    expect(tildePath('/elsewhere/x')).toBe('/elsewhere/x');
  });

  it('reads a typed ~ as the home folder, as a shell does, and nothing else', () => {
    expect(expandTilde('~/dojo')).toBe(join(homedir(), 'dojo'));
    expect(expandTilde('~')).toBe(homedir());
    expect(expandTilde('~dojo')).toBe('~dojo');
    expect(expandTilde('dojo')).toBe('dojo');
  });
});
