// The pretty report quotes the file verify checked, not the file as it is when
// the report is drawn: a save in between (the editor's, in watch mode) must not
// shift the code frame onto other lines.

import { copyFileSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Chalk } from 'chalk';
import { afterAll, expect, it } from 'vitest';
import { loadCourse } from '../../src/course/lessons.ts';
import { verify } from '../../src/engine/verify.ts';
import { verdictJson } from '../../src/report/verdict-json.ts';
import { formatVerdict } from '../../src/report/pretty.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const lessonsDir = join(root, 'lessons');
const dir = mkdtempSync(join(tmpdir(), 'hdj-report-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WRITE_HEAD = "  res.writeHead(200, { 'Content-Type': 'text/plain' });";

it('a save after the verify does not move the code frame', { timeout: 60_000 }, async () => {
  const file = join(dir, 'server.mjs');
  copyFileSync(join(root, 'test', 'fixtures', 'cli', 'wrong-content-type.mjs'), file);
  const verified = readFileSync(file, 'utf8');
  const line = verified.split('\n').indexOf(WRITE_HEAD) + 1;
  const lesson = loadCourse(lessonsDir).find((candidate) => candidate.id.startsWith('01'))!;
  const verdict = await verify(lesson, file, { compiledChecksDir: join(root, 'dist', 'lessons') });
  const failed = verdict.checks.find((check) => check.status === 'failed');
  expect(failed).toMatchObject({ pitfall: 'wrong-content-type', location: { file, line } });
  expect(verdict.source).toBe(verified);

  // The learner saves: three lines above, the old line now holds something else.
  writeFileSync(file, `// one\n// two\n// three\n${verified}`);
  const options = { style: new Chalk({ level: 0 }), width: 100, lessonsDir, cwd: dir };
  const frame = (text: string) => text.split('\n').filter((row) => /^\s+[> ] \d+ │/.test(row));

  const report = formatVerdict(verdict, options);
  expect(report).toContain(`server.mjs:${line}:`);
  expect(frame(report)).toEqual(verified.split('\n').slice(line - 2, line + 1).map((code, i) => `  ${i === 1 ? '>' : ' '} ${line - 1 + i} │ ${code}`));

  // Without the verified text the frame reads the saved file: the lines the learner did not get the diagnosis for.
  const stale = formatVerdict({ ...verdict, source: undefined }, options);
  expect(frame(stale).find((row) => row.includes('>'))).not.toContain(WRITE_HEAD.trim());

  // The text is for the report only: the JSON verdict (VERDICT.md) does not carry the program.
  expect(JSON.parse(verdictJson(verdict))).not.toHaveProperty('source');
});
