import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { needsTsx } from '../../src/engine/learner-process.ts';

const root = mkdtempSync(join(tmpdir(), 'httpdojo-needs-tsx-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function file(folder: string, name: string, text: string, packageJson?: object): string {
  const dir = join(root, folder);
  mkdirSync(dir, { recursive: true });
  if (packageJson) writeFileSync(join(dir, 'package.json'), JSON.stringify(packageJson));
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

describe('needsTsx: tsx only where plain node cannot run the file', () => {
  it.each([
    ['a .ts file', file('ts', 'server.ts', 'const x: number = 1;'), true],
    ['a .mts file', file('mts', 'server.mts', 'export {};'), true],
    ['a .cts file', file('cts', 'server.cts', 'export {};'), true],
    ['an .mjs file', file('mjs', 'server.mjs', "import http from 'node:http';"), false],
    ['a .cjs file', file('cjs', 'server.cjs', "require('node:http');"), false],
    ['ESM .js under "type": "module"', file('esm', 'server.js', "import http from 'node:http';", { type: 'module' }), false],
    ['CommonJS .js without a package type', file('commonjs', 'server.js', "const http = require('node:http');", {}), false],
    ['ESM syntax in .js under a CommonJS package', file('mixed', 'server.js', "import http from 'node:http';\n", { name: 'x' }), true],
    ['export syntax in .js, package.json far up absent', file('deep/a/b', 'server.js', 'export const x = 1;\n'), true],
  ])('%s → %s', (_name, path, expected) => {
    expect(needsTsx(path)).toBe(expected);
  });
});
