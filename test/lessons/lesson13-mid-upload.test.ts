// Lesson 13's upstream-fails-mid-upload-502: the mistake shapes it exists for are
// diagnosed as proxy-no-upstream-error on their `// BUG:` line, one program per
// test (the location figure only counts them), and the check's own time stays
// small for a proxy that gets it right. Needs `npm run build` (dist/lessons).

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCourse } from '../../src/course/lessons.ts';
import { judgeMistake, readMistake } from '../../src/engine/self-check.ts';
import { verify } from '../../src/engine/verify.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const compiledChecksDir = join(root, 'dist', 'lessons');
const lesson = loadCourse(join(root, 'lessons')).find((candidate) => candidate.id === '13-reverse-proxy')!;
const CHECK = 'upstream-fails-mid-upload-502';

describe.concurrent('lesson 13: the upstream fails while the request body is still arriving', () => {
  it.each([
    'lessons/13-reverse-proxy/mistakes/proxy-no-upstream-error-pipeline.ts',
    'test/fixtures/mistake-shapes/13-reverse-proxy/proxy-no-upstream-error-pipe-no-resume.ts',
  ])('%s: proxy-no-upstream-error on its BUG line, from this check', { timeout: 60_000 }, async (relative) => {
    const file = join(root, relative);
    const mistake = readMistake(file)!;
    expect(mistake.pitfall).toBe('proxy-no-upstream-error');
    const verdict = await verify(lesson, file, { compiledChecksDir });
    expect(judgeMistake(mistake, verdict)).toEqual({ ok: true, problem: null });
    const check = verdict.checks.find((candidate) => candidate.id === CHECK)!;
    expect(check.status).toBe('failed');
    // What was sent, what came back and for how long nothing did.
    expect(check.message).toMatch(/the first 1,024 bytes.*answered 502.*GET \/api\/after-upload on the same connection: nothing came back for \d\.\d s/);
    expect(check.message).toContain('req.resume()');
  });

  it.each(['lessons/13-reverse-proxy/solution.ts', 'test/fixtures/correct/13-reverse-proxy/close-after-502.ts'])(
    '%s passes it well under the 2 s budget',
    { timeout: 60_000 },
    async (relative) => {
      const verdict = await verify(lesson, join(root, relative), { compiledChecksDir });
      const check = verdict.checks.find((candidate) => candidate.id === CHECK)!;
      expect({ status: check.status, message: check.message }).toEqual({ status: 'passed', message: check.message });
      expect(check.durationMs).toBeLessThan(1000);
    },
  );
});
