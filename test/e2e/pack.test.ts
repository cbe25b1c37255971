// The published package works on its own: `npm pack`, install the tarball into an
// empty folder, and verify a lesson there. Catches files missing from "files",
// a dev dependency needed at run time, or a probe/tsx path that only resolves in
// the repository.

import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'httpdojo-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('the packed tarball installs into an empty folder and verifies lesson 1 there', { timeout: 180_000 }, () => {
  // --ignore-scripts: the build already ran (npm test builds first); prepack would rebuild.
  // Other suites write and remove temp files beside the package while this runs;
  // one retry absorbs a file vanishing mid-pack, and npm's own words explain any other failure.
  const pack = () => spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  let packed = pack();
  if (packed.status !== 0) packed = pack();
  expect(packed.stderr.split('\n').filter((line) => /ERR!/.test(line))).toEqual([]);
  expect(packed.status).toBe(0);
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
  expect(tarball).toBeDefined();
  const project = join(work, 'learner');
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), '{"name":"learner","private":true,"type":"module"}\n');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', join(work, tarball!)], { cwd: project, stdio: 'ignore', timeout: 150_000 });
  copyFileSync(join(root, 'lessons/01-hello-server/solution.ts'), join(project, 'server.ts'));
  const run = spawnSync(join(project, 'node_modules/.bin/httpdojo'), ['verify', '1', '--file', 'server.ts', '--json'], { cwd: project, encoding: 'utf8', timeout: 30_000 });
  expect(run.stderr).toBe('');
  const verdict = JSON.parse(run.stdout) as { passed: boolean; lesson: string };
  expect(verdict).toMatchObject({ passed: true, lesson: '01-hello-server' });
  expect(run.status).toBe(0);
  // The package's "." export is the engine as a library: the same verdict, no terminal.
  writeFileSync(join(project, 'lib.mjs'), "import { verifyLesson } from 'httpdojo';\nconst v = await verifyLesson('1', 'server.ts');\nconsole.log(JSON.stringify({ passed: v.passed, lesson: v.lesson, checks: v.checks.length }));\n");
  const lib = spawnSync(process.execPath, ['lib.mjs'], { cwd: project, encoding: 'utf8', timeout: 30_000 });
  expect(lib.stderr).toBe('');
  expect(JSON.parse(lib.stdout)).toMatchObject({ passed: true, lesson: '01-hello-server', checks: expect.any(Number) });
});
