// scripts/ensure-ready.js decides whether `npm start`/`npm test` must install or
// build first. Wrong one way, a fresh clone crashes; wrong the other, every
// `npm test` reinstalls node_modules. Both decisions on small fake trees.

import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .js script with no declarations
import { buildReason, missingDependency } from '../../scripts/ensure-ready.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'httpdojo-ensure-'));
  temps.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const lock = JSON.stringify({
  packages: {
    '': { name: 'httpdojo' },
    'node_modules/chalk': { version: '5.6.2' },
    'node_modules/@esbuild/darwin-arm64': { version: '0.28.2', optional: true },
  },
});

describe('missingDependency', () => {
  it('names node_modules when nothing is installed', () => {
    expect(missingDependency(tree({ 'package-lock.json': lock }))).toBe('node_modules');
  });

  it('is null when every non-optional package is installed at its locked version', () => {
    const hidden = JSON.stringify({ packages: { 'node_modules/chalk': { version: '5.6.2' } } });
    expect(missingDependency(tree({ 'package-lock.json': lock, 'node_modules/.package-lock.json': hidden }))).toBeNull();
  });

  it('names a package installed at another version than the lock says', () => {
    const hidden = JSON.stringify({ packages: { 'node_modules/chalk': { version: '5.0.0' } } });
    expect(missingDependency(tree({ 'package-lock.json': lock, 'node_modules/.package-lock.json': hidden }))).toBe('node_modules/chalk');
  });
});

describe('buildReason', () => {
  const sources = { 'src/cli/index.ts': '', 'lessons/01-x/check.ts': '', 'tsconfig.build.json': '{}' };
  const at = (dir: string, path: string, seconds: number) => utimesSync(join(dir, path), seconds, seconds);

  it('says dist/ is not built when it is missing', () => {
    expect(buildReason(tree(sources))).toBe('dist/ is not built');
  });

  it('is null when dist/ is newer than every source, and a reason once a source or a check changes', () => {
    const dir = tree({ ...sources, 'dist/cli/index.js': '' });
    for (const path of ['src/cli/index.ts', 'src/cli', 'src', 'lessons/01-x/check.ts', 'tsconfig.build.json']) at(dir, path, 1_000);
    at(dir, 'dist/cli/index.js', 2_000);
    expect(buildReason(dir)).toBeNull();
    at(dir, 'lessons/01-x/check.ts', 3_000);
    expect(buildReason(dir)).toBe('a source is newer than dist/');
    at(dir, 'lessons/01-x/check.ts', 1_000);
    at(dir, 'src/cli/index.ts', 3_000);
    expect(buildReason(dir)).toBe('a source is newer than dist/');
  });
});
