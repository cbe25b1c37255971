import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { needsTsx } from '../../src/engine/learner-process.ts';
import { nodeArguments } from '../../src/engine/learner-spawn.ts';

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

describe('nodeArguments: tsx, or tsx\'s transform done once (fast-start.ts)', () => {
  const probe = '/opt/httpdojo/dist/engine/probe/probe.js';
  it('starts an ES module .ts file that imports only built-ins without the loader', () => {
    const path = file('fast', 'server.ts', "import http from 'node:http';\nconst port: number = 3000;\nhttp.createServer().listen(port);\n", { type: 'module' });
    const args = nodeArguments({ file: path, args: ['x'] }, 768, probe);
    expect(args.slice(0, 4)).toEqual(['--max-old-space-size=768', '--enable-source-maps', '--import', probe]);
    expect(args[4]).toMatch(/httpdojo-programs-.*\.mjs$/);
    expect(args.slice(5)).toEqual(['x']);
    expect(args.join(' ')).not.toContain('tsx');
  });

  it('keeps tsx for a relative import, for a probe run from source, and without a probe', () => {
    const path = file('slow', 'server.ts', "import { port } from './config.ts';\nconsole.log(port);\n", { type: 'module' });
    expect(nodeArguments({ file: path }, null, probe)[0]).toBe('--import');
    expect(nodeArguments({ file: path }, null, probe)[1]).toMatch(/tsx/);
    const plain = file('fast2', 'server.ts', 'const n: number = 1;\nconsole.log(n);\n', { type: 'module' });
    expect(nodeArguments({ file: plain }, null, '/src/engine/probe/probe.ts')[1]).toMatch(/tsx/);
    expect(nodeArguments({ file: plain, probe: false }, null, null)).toEqual(['--import', expect.stringMatching(/tsx/), plain]);
  });
});
