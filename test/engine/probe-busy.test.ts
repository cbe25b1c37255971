// The probe's busy-loop watcher (issue 8 §4): when a handler blocks the event
// loop, a worker thread pauses the main thread once through the inspector and
// reports the learner's spinning line, mapped through tsx's source map for a
// .ts file. The program must behave as without it: the answer is the same, and
// the watcher keeps nothing alive (the program exits when its work is done).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, expect, it } from 'vitest';
import { loadCourse } from '../../src/course/lessons.ts';
import { LearnerProcess } from '../../src/engine/learner-process.ts';
import type { EventOf } from '../../src/engine/probe-events.ts';
import { verify } from '../../src/engine/verify.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'hdj-busy-'));
const programs: LearnerProcess[] = [];
afterEach(async () => {
  await Promise.all(programs.splice(0).map((program) => program.stop()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Types and blank lines above the loop make the transpiled line differ from the .ts line.
const PROGRAM = [
  "import http from 'node:http';",
  '',
  'type Answer = { spins: number };',
  'interface Unused { a: string; b: number }',
  '',
  'function work(ms: number): Answer {',
  '  const end = Date.now() + ms;',
  '  let spins = 0;',
  '  while (Date.now() < end) spins++; // MARK:spin',
  '  return { spins: spins > 0 ? 1 : 0 };',
  '}',
  '',
  'const server = http.createServer((_req, res) => {',
  '  res.end(JSON.stringify(work(900)));',
  '});',
  'server.listen(0, () => {',
  '  const { port } = server.address() as { port: number };',
  "  http.get({ host: '127.0.0.1', port, path: '/' }, (res) => {",
  "    let body = '';",
  "    res.on('data', (chunk) => (body += chunk));",
  "    res.on('end', () => { console.log(body); server.close(); });",
  '  });',
  '});',
];

it('reports the spinning line of a blocked .ts handler and changes nothing else', { timeout: 40_000 }, async () => {
  const file = join(dir, 'busy.ts');
  writeFileSync(file, PROGRAM.join('\n') + '\n');
  const program = new LearnerProcess({ file, args: [] });
  programs.push(program);
  const exit = await program.waitForExit(20_000);
  // It exits by itself once the server is closed: the watcher keeps nothing alive.
  expect(exit).toMatchObject({ code: 0 });
  expect(program.stdout.text().trim()).toBe('{"spins":1}');
  const blocked = program.events.filter((event): event is EventOf<'blocked-at'> => event.t === 'blocked-at');
  expect(blocked.length).toBeGreaterThanOrEqual(1);
  const spinLine = PROGRAM.findIndex((line) => line.includes('// MARK:spin')) + 1;
  expect(blocked[0].at).toMatchObject({ file, line: spinLine });
  expect(blocked[0].blockedMs).toBeGreaterThanOrEqual(300);
});

it('a program that never blocks gets no event and prints what plain node prints', { timeout: 40_000 }, async () => {
  const file = join(dir, 'quick.mjs');
  writeFileSync(file, PROGRAM.join('\n').replace('type Answer = { spins: number };', '').replace('interface Unused { a: string; b: number }', '').replace('work(900)', 'work(5)').replace('(ms: number): Answer', '(ms)').replace(' as { port: number }', '') + '\n');
  const plain = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 15_000 });
  const program = new LearnerProcess({ file, args: [] });
  programs.push(program);
  expect(await program.waitForExit(20_000)).toMatchObject({ code: 0 });
  expect(program.stdout.text()).toBe(plain.stdout);
  expect(program.events.some((event) => event.t === 'blocked-at')).toBe(false);
});

it('verify points a handler that never stops looping at its loop, not at createServer', { timeout: 60_000 }, async () => {
  const file = join(root, 'test', 'fixtures', 'robustness', 'busy-handler.mjs');
  const lesson = loadCourse(join(root, 'lessons')).find((candidate) => candidate.id.startsWith('01'))!;
  const verdict = await verify(lesson, file, { compiledChecksDir: join(root, 'dist', 'lessons') });
  const failed = verdict.checks.find((check) => check.status === 'failed');
  const loopLine = readFileSync(file, 'utf8').split('\n').findIndex((line) => /while \(true\)/.test(line)) + 1;
  expect(failed).toMatchObject({ pitfall: 'blocking-event-loop', location: { file, line: loopLine } });
});
