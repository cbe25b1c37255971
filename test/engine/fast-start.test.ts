// The learner's TypeScript started without tsx's loader (src/engine/fast-start.ts):
// only where the program cannot tell, and then with the very stacks tsx gives
// (file, line, column, function names), which is what every location rests on.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { differenceFromTsx, fastStartFile, isBuiltin, sweepOrphanPrograms, tsconfigOptions } from '../../src/engine/fast-start.ts';

const root = mkdtempSync(join(tmpdir(), 'hdj-fast-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
/** A folder with a package.json of `type` and the given files. */
function folder(type: 'module' | 'commonjs' | null, files: Record<string, string>): string {
  const dir = join(root, String(folders++));
  mkdirSync(dir);
  if (type) writeFileSync(join(dir, 'package.json'), JSON.stringify({ type }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('differenceFromTsx: what would tell the program it is not under tsx', () => {
  const cases: Array<[string, string | null]> = [
    ['import http from"node:http";import{readFileSync}from"fs";http.createServer();', null],
    ['import*as fsp from"node:fs/promises";export{};', null],
    ['import{helper}from"./helper.js";', 'an import of "./helper.js"'],
    ['import express from"express";', 'an import of "express"'],
    ['import"./side-effect.js";', 'an import of "./side-effect.js"'],
    ['const here=new URL(".",import.meta.url);', 'import.meta'],
    ['const m=require("node:http");', 'CommonJS names'],
    ['console.log(__dirname);', 'CommonJS names'],
    ['const me=process.argv[1];', 'process.argv[1]'],
    ['const m=await import("node:http");', 'a dynamic import'],
    ['import{fork}from"node:child_process";', 'child processes'],
    ['import{Worker}from"worker_threads";', 'child processes'],
  ];
  it.each(cases)('%s', (code, reason) => {
    expect(differenceFromTsx(code)).toBe(reason);
  });

  it('knows the built-ins with and without node:', () => {
    expect(['node:http', 'http', 'fs/promises', 'node:test'].every(isBuiltin)).toBe(true);
    expect(['express', './x.js', 'httpdojo/check'].some(isBuiltin)).toBe(false);
  });
});

describe('tsconfigOptions: the compilerOptions tsx would give esbuild', () => {
  it('reads comments and trailing commas, and follows a relative extends', () => {
    const dir = folder(null, {
      'base.json': '{ "compilerOptions": { "target": "ES2020", "experimentalDecorators": true } }',
      'tsconfig.json': '{\n  // for the editor\n  "extends": "./base.json",\n  "compilerOptions": { "target": "ES2022", /* newer */ "strict": true, },\n}\n',
    });
    expect(tsconfigOptions(dir)).toEqual({ target: 'ES2022', experimentalDecorators: true, strict: true });
  });

  it('is null for what only a package resolver reads (tsx would), and undefined without a tsconfig', () => {
    expect(tsconfigOptions(folder(null, { 'tsconfig.json': '{ "extends": "@tsconfig/node20/tsconfig.json" }' }))).toBeNull();
    expect(tsconfigOptions(folder(null, { 'tsconfig.json': '{ "compilerOptions": ' }))).toBeNull();
    expect(tsconfigOptions('/')).toBeUndefined();
  });

  it('keeps "//" inside strings', () => {
    const dir = folder(null, { 'tsconfig.json': '{ "compilerOptions": { "baseUrl": "http://x//y" } }' });
    expect(tsconfigOptions(dir)).toEqual({ baseUrl: 'http://x//y' });
  });
});

const PROGRAM = `import http from 'node:http';

interface Point { x: number; y: number }
type Handler = (req: http.IncomingMessage) => void;

class Shape {
  constructor(readonly name: string) {}
  area(): number {
    return fail({ x: 1, y: 2 });
  }
}

function fail(point: Point): never {
  throw new Error('at ' + point.x);
}

const arrow: Handler = () => {
  console.log(JSON.stringify([fail.name, Shape.name, new Shape('sq').name, arrow.name]));
  new Shape('sq').area();
};
arrow({} as http.IncomingMessage);
`;

describe('fastStartFile', () => {
  it('writes the program once per content, in an ES module scope only', () => {
    const esm = folder('module', { 'server.ts': PROGRAM });
    const first = fastStartFile(join(esm, 'server.ts'));
    expect(first).toMatch(/\.mjs$/);
    expect(fastStartFile(join(esm, 'server.ts'))).toBe(first);
    expect(readFileSync(first!, 'utf8')).toContain('sourceMappingURL=data:application/json');
    // A .ts file outside an ES module scope is CommonJS to tsx; a .mts file never is.
    expect(fastStartFile(join(folder('commonjs', { 'server.ts': PROGRAM }), 'server.ts'))).toBeNull();
    expect(fastStartFile(join(folder(null, { 'server.ts': PROGRAM }), 'server.ts'))).toBeNull();
    expect(fastStartFile(join(folder(null, { 'server.mts': PROGRAM }), 'server.mts'))).toMatch(/\.mjs$/);
  });

  it('leaves to tsx a syntax error, a relative import, JavaScript, and everything when HTTPDOJO_TSX=1', () => {
    const dir = folder('module', { 'broken.ts': 'const x: number = ;\n', 'two.ts': "import { a } from './a.ts';\nconsole.log(a);\n", 'plain.js': 'console.log(1);\n', 'ok.ts': 'const n: number = 1;\nconsole.log(n);\n' });
    expect(fastStartFile(join(dir, 'broken.ts'))).toBeNull();
    expect(fastStartFile(join(dir, 'two.ts'))).toBeNull();
    expect(fastStartFile(join(dir, 'plain.js'))).toBeNull();
    process.env.HTTPDOJO_TSX = '1';
    try {
      expect(fastStartFile(join(dir, 'ok.ts'))).toBeNull();
    } finally {
      delete process.env.HTTPDOJO_TSX;
    }
    expect(fastStartFile(join(dir, 'ok.ts'))).toMatch(/\.mjs$/);
  });

  it('keeps the 64 programs used last written, and writes an evicted one again when it is used', () => {
    const dir = folder('module', {});
    const files = Array.from({ length: 66 }, (_, i) => {
      writeFileSync(join(dir, `p${i}.ts`), `const n: number = ${i};\nconsole.log(n);\n`);
      return join(dir, `p${i}.ts`);
    });
    const first = fastStartFile(files[0])!;
    const second = fastStartFile(files[1])!;
    for (const file of files.slice(2, 64)) fastStartFile(file);
    fastStartFile(files[0]); // used again: now the newest
    fastStartFile(files[64]);
    fastStartFile(files[65]);
    expect(existsSync(first)).toBe(true);
    expect(existsSync(second)).toBe(false);
    expect(fastStartFile(files[1])).toBe(second);
    expect(existsSync(second)).toBe(true);
  });

  it('removes the program folders of httpdojo processes that are gone, and only those', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const tmp = folder(null, {});
    const names = [`httpdojo-programs-${dead.stdout}-aaaaaa`, `httpdojo-programs-${process.pid}-bbbbbb`, `httpdojo-programs-${process.ppid}-cccccc`, 'httpdojo-programs-dddddd', 'httpdojo-XYZ123'];
    for (const name of names) mkdirSync(join(tmp, name));
    sweepOrphanPrograms(tmp);
    expect(readdirSync(tmp).sort()).toEqual(names.slice(1).sort());
  });

  it('gives the output and the stack tsx gives: file, line, column, function and class names', () => {
    const dir = folder('module', { 'server.ts': PROGRAM });
    const file = join(dir, 'server.ts');
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const underTsx = spawnSync(process.execPath, ['--import', tsx, file], { cwd: dir, encoding: 'utf8' });
    const fast = spawnSync(process.execPath, ['--enable-source-maps', fastStartFile(file)!], { cwd: dir, encoding: 'utf8' });
    expect(underTsx.stdout).toBe('["fail","Shape","sq","arrow"]\n');
    expect(fast.stdout).toBe(underTsx.stdout);
    expect(fast.status).toBe(underTsx.status);
    // The crash report names server.ts:14 (the throw), :9 (area), :20 (arrow), :22, with their columns.
    expect(underTsx.stderr).toContain(`at fail (${file}:14:9)`);
    expect(fast.stderr).toBe(underTsx.stderr);
  });
});
