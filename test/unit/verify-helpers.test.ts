// Small pure pieces of the verify runner and the course self-check: JSON deep
// equality, source locations, mistake files and how a mistake's verdict is judged.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeMistake, readMistake, type Mistake } from '../../src/engine/self-check.ts';
import type { CheckResult, Verdict } from '../../src/engine/verdict.ts';
import { buildRecords, deepEqual, quote, sourceView, syntaxErrorIn } from '../../src/engine/verify.ts';
import type { ProbeEvent } from '../../src/engine/probe-events.ts';

describe('deepEqual (JSON values)', () => {
  const EQUAL: Array<[string, unknown, unknown]> = [
    ['same primitives', 1, 1],
    ['strings', 'Zoë', 'Zoë'],
    ['null', null, null],
    ['key order does not matter', { id: 3, name: 'x' }, { name: 'x', id: 3 }],
    ['nested', { a: [1, { b: [true, null] }] }, { a: [1, { b: [true, null] }] }],
    ['empty containers', { a: [], b: {} }, { b: {}, a: [] }],
  ];
  it.each(EQUAL)('equal: %s', (_name, a, b) => {
    expect(deepEqual(a, b)).toBe(true);
    expect(deepEqual(b, a)).toBe(true);
  });

  const DIFFERENT: Array<[string, unknown, unknown]> = [
    ['number vs string', 1, '1'],
    ['null vs object', null, {}],
    ['null vs undefined', null, undefined],
    ['array vs object with index keys', [1], { 0: 1 }],
    ['array order matters', [1, 2], [2, 1]],
    ['array length', [1], [1, 1]],
    ['a missing key', { a: 1 }, { a: 1, b: 2 }],
    ['a key present as undefined', { a: 1, b: undefined }, { a: 1, c: undefined }],
    ['nested difference', { a: { b: 1 } }, { a: { b: 2 } }],
    ['true vs 1', true, 1],
  ];
  it.each(DIFFERENT)('different: %s', (_name, a, b) => {
    expect(deepEqual(a, b)).toBe(false);
    expect(deepEqual(b, a)).toBe(false);
  });
});

describe('sourceView', () => {
  const text = "import http from 'node:http';\n\nconst server = http.createServer((req, res) => {\n  res.end('x');\n});\nserver.listen(3000);\n";
  const view = sourceView('/abs/server.js', text);

  it('finds the first match with 1-based line and column', () => {
    expect(view.find(/createServer\s*\(/)).toEqual({ file: '/abs/server.js', line: 3, column: 21 });
    expect(view.find(/\.listen\s*\(/)).toEqual({ file: '/abs/server.js', line: 6, column: 7 });
    expect(view.find(/^import/)).toEqual({ file: '/abs/server.js', line: 1, column: 1 });
    expect(view.find(/nothing here/)).toBeNull();
  });

  it('a global pattern still finds only the first, and findAll finds every one', () => {
    expect(view.find(/res/g)).toEqual({ file: '/abs/server.js', line: 3, column: 40 });
    expect(view.findAll(/server/)).toEqual([
      { file: '/abs/server.js', line: 3, column: 7 },
      { file: '/abs/server.js', line: 6, column: 1 },
    ]);
    expect(view.text).toBe(text);
  });

  it('CRLF files: a line ends at LF, the column counts from the line start', () => {
    const crlf = sourceView('/f.js', 'a\r\nbb\r\n  cc');
    expect(crlf.find(/cc/)).toEqual({ file: '/f.js', line: 3, column: 3 });
  });
});

describe('syntaxErrorIn', () => {
  it('points at the first syntax error of JavaScript and TypeScript, and says nothing of valid code', async () => {
    const broken = "import http from 'node:http';\n\nhttp.createServer((req, res) => {\n  res.end(JSON.stringify({ a: 1 });\n});\n";
    expect(await syntaxErrorIn('/x/server.mjs', broken)).toEqual({ message: "')' expected.", location: { file: '/x/server.mjs', line: 4, column: 35 } });
    expect(await syntaxErrorIn('/x/server.ts', 'const x: number = ;\n')).toMatchObject({ location: { line: 1 } });
    expect(await syntaxErrorIn('/x/server.ts', "const x: number = 'a type error is not a syntax error';\n")).toBeNull();
    expect(await syntaxErrorIn('/x/server.cjs', "'use strict';\nconst http = require('http');\nhttp.createServer((q, s) => s.end()).listen(3000);\n")).toBeNull();
  });
});

describe('quote', () => {
  it('quotes, says "empty", and cuts long text', () => {
    expect(quote('')).toBe('empty');
    expect(quote('a"b')).toBe('"a\\"b"');
    expect(quote('x'.repeat(200), 10)).toBe(`"${'x'.repeat(10)}…"`);
  });
});

describe('buildRecords', () => {
  const base = { ms: 0, receivedAt: 0 };
  const state = { headersSent: false, ended: false, finished: false, destroyed: false };
  const at = { file: '/abs/server.js', line: 7, column: 9 };
  it('folds the probe events of each request into one record', () => {
    const events = [
      { ...base, t: 'req', id: 1, server: 1, method: 'GET', url: '/a', headers: {}, remotePort: 5 },
      { ...base, t: 'req', id: 2, server: 1, method: 'POST', url: '/b', headers: {}, remotePort: 6 },
      { ...base, t: 'call', id: 1, fn: 'writeHead', nested: false, state, at, status: 200 },
      { ...base, t: 'call', id: 1, fn: 'setHeader', nested: true, state, at: null, name: 'x' },
      { ...base, t: 'call', id: 1, fn: 'end', nested: false, state, at: { ...at, line: 8 } },
      { ...base, t: 'res-finish', id: 1 },
      { ...base, t: 'req-end', id: 2 },
      { ...base, t: 'req-close', id: 2, complete: false },
      { ...base, t: 'call-threw', id: 2, fn: 'setHeader', name: 'Error', message: 'x', code: 'ERR_HTTP_HEADERS_SENT', at },
      { ...base, t: 'call', id: 99, fn: 'end', nested: false, state, at },
    ] as ProbeEvent[];
    const [first, second] = buildRecords(events);
    expect(first).toMatchObject({ id: 1, method: 'GET', url: '/a', ended: true, finished: true, lastCallAt: { line: 8 } });
    expect(first.calls.map((call) => call.fn)).toEqual(['writeHead', 'setHeader', 'end']);
    expect(second).toMatchObject({ id: 2, ended: false, bodyRead: true, requestClosed: true, requestComplete: false, lastCallAt: null });
    expect(second.errors).toHaveLength(1);
    expect(buildRecords(events)).toHaveLength(2);
  });
});

describe('readMistake and judgeMistake', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hdj-mistakes-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('reads the declared pitfall from the first lines and every // BUG: line', () => {
    const file = write('a.ts', "// pitfall: missing-res-end\nimport http from 'node:http';\nconst s = http.createServer((q, r) => {\n  r.write('x'); // BUG: never ends\n  //BUG: also this\n});\n");
    expect(readMistake(file)).toEqual({ file, pitfall: 'missing-res-end', bugLines: [4, 5] });
  });

  it('accepts the declaration on line 2 or 3, and # comments', () => {
    expect(readMistake(write('b.ts', "#!/usr/bin/env node\n'use strict';\n  // pitfall: crash\n"))?.pitfall).toBe('crash');
    expect(readMistake(write('c.ts', '# pitfall: never-listens\n'))?.pitfall).toBe('never-listens');
  });

  it('no declaration in the first three lines: null', () => {
    expect(readMistake(write('d.ts', 'a\nb\nc\n// pitfall: too-late\n'))).toBeNull();
    expect(readMistake(write('e.ts', '// pitfalls are fun\n'))).toBeNull();
  });

  const mistake: Mistake = { file: '/abs/mistake.ts', pitfall: 'missing-res-end', bugLines: [7] };
  const check = (overrides: Partial<CheckResult>): CheckResult => ({
    id: 'c', title: 't', status: 'passed', pitfall: null, message: null, location: null, durationMs: 1, wire: [], error: null, stderrTail: null, ...overrides,
  });
  const verdict = (checks: CheckResult[], pitfalls: string[]): Verdict => ({
    schema: 'httpdojo.verdict/1', lesson: '01-x', file: mistake.file, passed: checks.every((c) => c.status === 'passed'), pitfalls, checks, durationMs: 1, node: process.version, version: '0.0.0',
  });
  const failed = (pitfall: string, line: number | null, file = mistake.file) =>
    check({ status: 'failed', pitfall, message: 'm', location: line === null ? null : { file, line, column: 3 } });

  const JUDGED: Array<[string, Verdict, boolean, RegExp | null]> = [
    ['the right pitfall on the BUG line', verdict([check({}), failed('missing-res-end', 7)], ['missing-res-end']), true, null],
    ['the same pitfall on several checks', verdict([failed('missing-res-end', 7), failed('missing-res-end', 9)], ['missing-res-end']), true, null],
    ['a verdict that passes', verdict([check({})], []), false, /passes every check/],
    ['another pitfall', verdict([failed('timeout', 7)], ['timeout']), false, /diagnosed as \[timeout\], expected exactly \[missing-res-end\]/],
    ['an extra pitfall', verdict([failed('missing-res-end', 7), failed('crash', 7)], ['missing-res-end', 'crash']), false, /expected exactly/],
    ['the right pitfall on another line', verdict([failed('missing-res-end', 8)], ['missing-res-end']), false, /points at line 8, expected the \/\/ BUG: line 7/],
    ['no location', verdict([failed('missing-res-end', null)], ['missing-res-end']), false, /points at no line/],
    ['a location in another file', verdict([failed('missing-res-end', 7, '/abs/other.ts')], ['missing-res-end']), false, /points at no line/],
  ];
  it.each(JUDGED)('%s', (_name, judged, ok, problem) => {
    const result = judgeMistake(mistake, judged);
    expect(result.ok).toBe(ok);
    if (problem) expect(result.problem).toMatch(problem);
    else expect(result.problem).toBeNull();
  });

  it('a mistake without // BUG: lines is judged on the pitfall alone', () => {
    expect(judgeMistake({ ...mistake, bugLines: [] }, verdict([failed('missing-res-end', null)], ['missing-res-end']))).toEqual({ ok: true, problem: null });
  });
});

describe('source look-ups skip comments', () => {
  const text = [
    "// TODO: call res.end() here",
    "const url = 'http://x//y'; /* res.end() in a block */",
    'res.end(body); // res.end again',
    '`template // not a comment` ; res.end();',
  ].join('\n');
  it.each([
    ['the first code match, not the TODO above it', /res\.end\(/, { line: 3, column: 1 }],
    // The code after the string is still code: the string's // started no comment.
    ['a // inside a string is not a comment', /;\s*\/\*/, { line: 2, column: 26 }],
  ])('%s', (_name, pattern, expected) => {
    expect(sourceView('/f.js', text).find(pattern)).toMatchObject(expected);
  });
  it('a match inside a string is not code either (issue 8: every look-up skips comments and strings)', () => {
    expect(sourceView('/f.js', text).find(/http:\/\/x/)).toBeNull();
    expect(sourceView('/f.js', text).find(/not a comment/)).toBeNull();
  });
  it('findAll lists only code matches', () => {
    expect(sourceView('/f.js', text).findAll(/res\.end\(/).map((at) => at.line)).toEqual([3, 4]);
  });
});
