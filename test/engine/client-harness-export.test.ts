// Lessons are data (issue 9): no check.ts imports another lesson's; the client
// lessons (10-12) take their harness from the check API, 'httpdojo/check', which
// therefore exports values, not only types. The compiled modules in dist/lessons/
// must load in a plain Node process (not through vitest's resolver), from any
// working directory: 'httpdojo/check' resolves there through the package's
// self-reference (package.json "exports",
// https://nodejs.org/docs/latest-v20.x/api/packages.html#self-referencing-a-package-using-its-name).
// Needs `npm run build`.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import * as checkApi from '../../src/engine/check-api.ts';
import { scanCheckSource } from '../../src/engine/check-scan.ts';
import { CLIENT_HARNESS_PITFALLS } from '../../src/engine/client-harness/pitfalls.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const lessonsDir = join(root, 'lessons');

it('no lesson check.ts imports another lesson (only httpdojo/check, node: built-ins, or its own folder)', () => {
  const offenders: string[] = [];
  for (const entry of readdirSync(lessonsDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !/^\d\d-/.test(entry.name)) continue;
    let text: string;
    try {
      text = readFileSync(join(lessonsDir, entry.name, 'check.ts'), 'utf8');
    } catch {
      continue;
    }
    for (const match of text.matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]/g)) {
      const specifier = match[1] ?? match[2];
      if (specifier !== 'httpdojo/check' && !specifier.startsWith('node:') && !specifier.startsWith('./')) offenders.push(`${entry.name}/check.ts imports ${specifier}`);
    }
  }
  expect(offenders).toEqual([]);
});

it('the check API exports the client harness as values', () => {
  for (const name of ['testServer', 'runClient', 'sendPieces', 'cutInside', 'failCommon', 'failUnended', 'failLingering', 'expectSuccessOutput', 'expectFailureStatus', 'expectErrorLine', 'refusedOrigin', 'findInSource', 'eventsOf', 'requestLine']) {
    expect(typeof (checkApi as Record<string, unknown>)[name], name).toBe('function');
  }
  expect(checkApi.EXIT_WITHIN_MS).toBe(2000);
  expect(checkApi.NETWORK_CODES.has('ECONNREFUSED')).toBe(true);
  // Whole UTF-8 characters as themselves, half of one as \xNN, \n escaped.
  expect(checkApi.escapeBytes(Buffer.from('ü\n', 'utf8').subarray(0, 1))).toBe('\\xC3');
  expect(checkApi.escapeBytes(Buffer.from('ü\n', 'utf8'))).toBe('ü\\n');
  expect(checkApi.cutInside('aüb', ['ü'], 40).map((part) => (typeof part === 'number' ? part : [...part]))).toEqual([[0x61, 0xc3], 40, [0xbc, 0x62]]);
});

it('the compiled client lessons load in a plain Node process outside the repository', { timeout: 30_000 }, () => {
  const script = `for (const id of ['10-http-get', '11-http-post', '12-keep-alive']) {
    const module = await import(${JSON.stringify(join(root, 'dist/lessons'))} + '/' + id + '/check.js');
    console.log(id, module.default.checks.length);
  }`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: tmpdir(), encoding: 'utf8', timeout: 20_000 });
  expect(run.stderr).toBe('');
  expect(run.stdout.trim().split('\n').map((line) => line.split(' ')[0])).toEqual(['10-http-get', '11-http-post', '12-keep-alive']);
  expect(run.status).toBe(0);
});

it("the harness's pitfall list is what its source reports, and a check importing the harness reports them (dev check wants their pages)", () => {
  const harness = join(root, 'src/engine/client-harness');
  const reported = new Set(readdirSync(harness).flatMap((file) => scanCheckSource(readFileSync(join(harness, file), 'utf8'), file).reportedPitfalls.map((pitfall) => pitfall.id)));
  expect([...reported].sort()).toEqual([...CLIENT_HARNESS_PITFALLS]);
  const ids = (text: string) => [...new Set(scanCheckSource(text, 'check.ts').reportedPitfalls.map((pitfall) => pitfall.id))].sort();
  expect(ids("import type { LessonChecks } from 'httpdojo/check';\nimport { type ClientResult } from 'httpdojo/check';\n")).toEqual([]);
  expect(ids("import type { LessonChecks } from 'httpdojo/check';\nimport { runClient } from 'httpdojo/check';\n")).toEqual([...CLIENT_HARNESS_PITFALLS]);
});
