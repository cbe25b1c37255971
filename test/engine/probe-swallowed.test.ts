// The probe's evidence of swallowed errors (issue 8 §4): a JSON.parse that threw
// and an fs callback handed an err are recorded with the learner's line, and the
// program sees exactly what it would under plain node: the same error object,
// a stack without any probe frame and with as many frames, the same callback
// arguments, a working reviver.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { LearnerProcess } from '../../src/engine/learner-process.ts';
import type { EventOf } from '../../src/engine/probe-events.ts';

const dir = mkdtempSync(join(tmpdir(), 'hdj-swallowed-'));
const programs: LearnerProcess[] = [];
afterEach(async () => {
  await Promise.all(programs.splice(0).map((program) => program.stop()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROGRAM = [
  "import fs from 'node:fs';",
  'function deep(n) { return n === 0 ? JSON.parse("{bad") : deep(n - 1); }',
  'let caught;',
  'try {',
  '  deep(20); // MARK:parse',
  '} catch (error) {',
  '  caught = error;',
  '}',
  'const frames = caught.stack.split("\\n").filter((line) => line.trim().startsWith("at ")).length;',
  'console.log(JSON.stringify({ name: caught.name, first: caught.stack.split("\\n")[1].trim(), frames, probe: /probe/.test(caught.stack) }));',
  'console.log(JSON.stringify(JSON.parse(\'{"a":1}\', (k, v) => (typeof v === "number" ? v * 2 : v))));',
  "fs.readFile(join('/nonexistent', 'x.txt'), (err, data) => { // MARK:read",
  '  console.log(JSON.stringify({ code: err && err.code, data: data === undefined ? "undefined" : typeof data }));',
  '});',
  "function join(a, b) { return a + '/' + b; }",
  "import stream from 'node:stream';",
  "import { pipeline } from 'node:stream/promises';",
  "import util from 'node:util';",
  'console.log(JSON.stringify({ same: util.promisify(stream.pipeline) === pipeline, name: stream.pipeline.name, length: stream.pipeline.length, pname: pipeline.name, plength: pipeline.length }));',
  "await pipeline(stream.Readable.from(['a', 'b']), new stream.Writable({ write(chunk, encoding, done) { done(); } })); // MARK:pipeline",
];
const lineOf = (mark: string) => PROGRAM.findIndex((line) => line.includes(`// MARK:${mark}`)) + 1;

it('records the thrown JSON.parse and the fs err, and the program sees what plain node shows it', { timeout: 30_000 }, async () => {
  const file = join(dir, 'program.mjs');
  writeFileSync(file, PROGRAM.join('\n') + '\n');
  const plain = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 10_000 });
  expect(plain.status).toBe(0);

  const program = new LearnerProcess({ file, args: [] });
  programs.push(program);
  expect(await program.waitForExit(15_000)).not.toBeNull();
  // Same output as under plain node: the error's name, its top frame, its number of frames, the reviver's result, the callback's arguments.
  expect(program.stdout.text()).toBe(plain.stdout);
  expect(program.stdout.text()).toContain('"probe":false');

  const swallowed = program.events.filter((event): event is EventOf<'swallowed'> => event.t === 'swallowed');
  expect(swallowed.map((event) => event.kind)).toEqual(['json-parse', 'fs-callback']);
  // The learner's nearest frame of the parse is inside deep(); the read is on its own line.
  expect(swallowed[0].at).toMatchObject({ file, line: 2 });
  expect(swallowed[1]).toMatchObject({ fn: 'fs.readFile', code: 'ENOENT', at: { file, line: lineOf('read') } });
  // pipeline() keeps its name, length and promisified twin, and its call site is recorded.
  expect(program.stdout.text()).toContain('"same":true');
  expect(program.events.find((event) => event.t === 'stream-pipeline')).toMatchObject({ at: { file, line: lineOf('pipeline') } });
});
