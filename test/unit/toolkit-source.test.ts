// ctx.source's look-ups (src/engine/toolkit/source.ts): line, near (direction,
// reach, stop lines, comments and strings skipped, named anchors) and
// conditionsAround.

import { describe, expect, it } from 'vitest';
import type { Location } from '../../src/engine/probe-events.ts';
import { codeSource } from '../../src/engine/toolkit/source.ts';

const FILE = '/w/server.js';
const at = (line: number, column = 1): Location => ({ file: FILE, line, column });

const TEXT = [
  "const http = require('node:http');", // 1
  'http.createServer((req, res) => {', // 2
  '  let body = [];', // 3
  "  req.on('data', (chunk) => body.push(chunk));", // 4
  '  // JSON.parse(Buffer.concat(body)) was here', // 5
  "  const text = 'JSON.parse( in a string';", // 6
  "  req.on('end', () => {", // 7
  '    const user = JSON.parse(Buffer.concat(body));', // 8
  '    if (user.name) {', // 9
  "      res.writeHead(201, { 'Content-Type': 'application/json' });", // 10
  '      res.end(JSON.stringify(user));', // 11
  '    } else {', // 12
  '      res.writeHead(400);', // 13
  '      res.end();', // 14
  '    }', // 15
  '  });', // 16
  '}).listen(3000);', // 17
].join('\n');

describe('source.near', () => {
  const source = codeSource(FILE, TEXT, (anchor) => (anchor === 'end-listener' ? at(7, 3) : null));
  const CASES: Array<[string, Parameters<typeof source.near>, number | null]> = [
    ['up from a frame finds the nearest line above', [at(11), /JSON\.parse\s*\(/, {}], 8],
    ['the anchor line itself counts', [at(8), /JSON\.parse\s*\(/, {}], 8],
    ['unless it is left out', [at(8), /JSON\.parse\s*\(/, { includeAnchor: false }], null],
    ['left out, the next one down is found', [at(4), /body/, { direction: 'down', includeAnchor: false }], 8],
    ['a stop line in between blocks it', [at(11), /JSON\.parse\s*\(/, { stopAt: /\.on\(\s*'end'/ }], 8],
    ['the stop line blocks what lies beyond it', [at(10), /\.push\(/, { stopAt: /\.on\(\s*'end'/ }], null],
    ['without the stop the line beyond is found', [at(10), /\.push\(/, {}], 4],
    ['within limits the reach', [at(11), /createServer/, { within: 3 }], null],
    ['down', [at(4), /JSON\.parse\s*\(/, { direction: 'down' }], 8],
    ['comments and strings are skipped', [at(7), /JSON\.parse\s*\(/, { direction: 'up' }], null],
    ['both ways, nearer first', [at(9), /res\.writeHead/, { direction: 'both' }], 10],
    ['a named anchor', ['end-listener', /JSON\.parse\s*\(/, { direction: 'down' }], 8],
    ['an unknown anchor finds nothing', ['sigterm', /JSON\.parse/, {}], null],
    ['the first of several locations that finds one', [[at(3), at(11)], /JSON\.parse\s*\(/, {}], 8],
    ['null finds nothing', [null, /JSON/, {}], null],
    ['another file finds nothing', [{ file: '/w/other.js', line: 11, column: 1 }, /JSON\.parse/, {}], null],
  ];
  it.each(CASES)('%s', (_name, args, line) => {
    expect(source.near(...args)?.line ?? null).toBe(line);
  });
  it('gives the column of the match', () => {
    expect(source.near(at(11), /JSON\.parse\s*\(/)).toEqual({ file: FILE, line: 8, column: 18 });
  });
});

describe('source.line, find', () => {
  const source = codeSource(FILE, TEXT);
  it('gives a line by number and empty past the end', () => {
    expect(source.line(17)).toBe('}).listen(3000);');
    expect(source.line(99)).toBe('');
  });
  it('find with several patterns: the first pattern that matches at all', () => {
    expect(source.find(/\.url\.split\(/, /res\.end\(/, /JSON\.parse/)?.line).toBe(11);
    expect(source.find(/nothing/, /nowhere/)).toBeNull();
  });
  it('find skips comments and strings', () => {
    expect(source.find(/JSON\.parse/)?.line).toBe(8);
    expect(source.findAll(/JSON\.parse/).map((location) => location.line)).toEqual([8]);
  });
});

describe('source.conditionsAround', () => {
  const source = codeSource(FILE, TEXT);
  const CASES: Array<[string, number, Array<[number, string]>]> = [
    ['inside the if', 10, [[9, 'if (user.name) {']]],
    ['inside the else', 13, [[12, '} else {']]],
    ['on the if line itself', 9, [[9, 'if (user.name) {']]],
    ['no condition above', 8, []],
  ];
  it.each(CASES)('%s', (_name, line, want) => {
    expect(source.conditionsAround(at(line)).map((found) => [found.line, found.text.trim()])).toEqual(want);
  });
  it('points at the keyword', () => {
    expect(source.conditionsAround(at(10))[0]).toMatchObject({ line: 9, column: 5 });
  });
});
