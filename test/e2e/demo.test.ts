// Every pitfall demo (lessons/pitfalls/demos/), run for real: the symptom must
// appear on the broken side and not on the fixed side, checked here from the
// raw evidence (the wait really lasted the cap, U+FFFD really is in the body,
// the connection really was reset, a crash trace really was printed), not only
// from the runner's own verdict. Then no program of the demo may be left
// running. Two demos at a time (2-core machine); the CLI is run for a few.

import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Chalk } from 'chalk';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDemo } from '../../src/report/demo.ts';
import { runDemo, DEMO_CAP_MS, type DemoResult, type Exchange, type SideResult } from '../../src/engine/demo/run-demo.ts';
import { listDemos, loadDemo, type Demo, type SymptomRule } from '../../src/engine/demo/scenario.ts';
import { killProcesses, killStartedClis, leftoverProcesses, limiter, processesMatching, requireBuild, STACK_FRAME, startCli } from './cli-support.ts';

const LESSONS = fileURLToPath(new URL('../../lessons', import.meta.url));
const DEMOS = join(LESSONS, 'pitfalls', 'demos');
const ids = listDemos(LESSONS);
const two = limiter(2);
const results = new Map<string, Promise<DemoResult>>();
/** Scratch folders some other run left in the shared temp folder before this file began: not ours to judge. */
const before = new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('httpdojo-demo-')));

afterAll(killStartedClis);

/** Starts every demo at once behind the limiter; each test awaits its own. */
function resultOf(demo: Demo): Promise<DemoResult> {
  if (!results.has(demo.id)) for (const id of ids) results.set(id, two(() => runDemo(loadDemo(LESSONS, id)!)));
  return results.get(demo.id)!;
}

function exchange(side: SideResult, name: string): Exchange {
  const found = side.exchanges.find((item) => item.name === name);
  if (!found) throw new Error(`${side.side}: no exchange ${name}`);
  return found;
}

/** The symptom from the raw evidence, independently of src/engine/demo/symptom.ts. */
function assertSymptom(rule: SymptomRule, broken: SideResult, fixed: SideResult): void {
  switch (rule.kind) {
    case 'no-response': {
      const hang = exchange(broken, rule.request);
      expect(hang.noResponse?.reason).toBe('timeout');
      expect(hang.durationMs).toBeGreaterThanOrEqual(DEMO_CAP_MS - 50);
      expect(exchange(fixed, rule.request).response).not.toBeNull();
      return;
    }
    case 'crash':
      expect(broken.exit?.code).not.toBe(0);
      expect(broken.stderr).toMatch(/Error/);
      expect(broken.stderr).toMatch(STACK_FRAME);
      expect(fixed.exit).toBeNull();
      expect(fixed.stderr).toBe('');
      return;
    case 'stderr-includes':
      expect(broken.stderr).toContain(rule.text);
      expect(fixed.stderr).not.toContain(rule.text);
      return;
    case 'body-includes':
      expect(exchange(broken, rule.request).response?.body).toContain(rule.text);
      expect(exchange(fixed, rule.request).response?.body).not.toContain(rule.text);
      return;
    case 'body-not':
      expect(exchange(broken, rule.request).response?.body).not.toBe(rule.text);
      expect(exchange(fixed, rule.request).response?.body).toBe(rule.text);
      return;
    case 'status-missing':
      expect(exchange(broken, rule.request).response?.status).not.toBe(rule.status);
      expect(exchange(fixed, rule.request).response?.status).toBe(rule.status);
      return;
    case 'header-missing':
      expect(exchange(broken, rule.request).response?.headers).not.toHaveProperty(rule.header.toLowerCase());
      expect(exchange(fixed, rule.request).response?.headers).toHaveProperty(rule.header.toLowerCase());
      return;
    case 'slower-than':
      expect(exchange(broken, rule.request).durationMs).toBeGreaterThan(rule.ms);
      expect(exchange(fixed, rule.request).durationMs).toBeLessThanOrEqual(rule.ms);
      return;
    case 'all-at-once':
      expect(exchange(broken, rule.request).response!.spreadMs).toBeLessThan(rule.spreadMs);
      expect(exchange(fixed, rule.request).response!.spreadMs).toBeGreaterThanOrEqual(rule.spreadMs);
      return;
    case 'rss-over':
      expect(broken.peakRssMb).toBeGreaterThan(rule.mb);
      expect(fixed.peakRssMb).toBeLessThanOrEqual(rule.mb);
      return;
    case 'still-running':
      expect(broken.exit).toBeNull();
      expect(fixed.exit?.code).toBe(0);
      return;
    case 'exit-zero':
      expect(broken.exit?.code).toBe(0);
      expect(fixed.exit?.code).not.toBe(0);
      return;
    case 'never-listens':
      expect(broken.neverListened).toBe(true);
      expect(broken.exchanges).toEqual([]);
      expect(fixed.exchanges[0].response?.status).toBe(200);
      return;
    case 'writes-after-close':
      expect(broken.writesAfterClose).toBeGreaterThan(0);
      expect(fixed.writesAfterClose).toBe(0);
      return;
    case 'file-streams-left-open':
      expect(broken.fileStreamsOpen).toBeGreaterThan(0);
      expect(fixed.fileStreamsOpen).toBe(0);
      return;
    case 'upstream-header-missing':
      expect(broken.upstream[0].headers).not.toHaveProperty(rule.header.toLowerCase());
      expect(fixed.upstream[0].headers).toHaveProperty(rule.header.toLowerCase());
      return;
    case 'upstream-connections-over':
      expect(broken.upstreamStats!.connections).toBeGreaterThan(rule.n);
      expect(fixed.upstreamStats!.connections).toBeLessThanOrEqual(rule.n);
      expect(fixed.upstream.length).toBe(broken.upstream.length);
      return;
    case 'upstream-in-flight-over':
      expect(broken.upstreamStats!.maxInFlight).toBeGreaterThan(rule.n);
      expect(fixed.upstreamStats!.maxInFlight).toBeLessThanOrEqual(rule.n);
      expect(fixed.upstream.length).toBe(broken.upstream.length);
      return;
    case 'upstream-left-open':
      expect(broken.upstreamStats!.leftOpen).toBeGreaterThan(0);
      expect(fixed.upstreamStats!.leftOpen).toBe(0);
      return;
    case 'upstream-body-later-than':
      expect(broken.upstreamBodyDelayMs).toBeGreaterThan(rule.ms);
      expect(fixed.upstreamBodyDelayMs).not.toBeNull();
      expect(fixed.upstreamBodyDelayMs!).toBeLessThanOrEqual(rule.ms);
      return;
  }
}

describe('pitfall demos', () => {
  it('there are demos to run', () => {
    expect(ids.length).toBeGreaterThanOrEqual(35);
  });

  for (const id of ids) {
    it(`${id}: the symptom on the broken side only, nothing left running`, async () => {
      const demo = loadDemo(LESSONS, id)!;
      const began = performance.now();
      const result = await resultOf(demo);
      expect(result.broken.startError).toBeNull();
      expect(result.fixed.startError).toBeNull();
      assertSymptom(demo.scenario.symptom, result.broken, result.fixed);
      expect(result.broken.symptom.observed).toBe(true);
      expect(result.fixed.symptom.observed).toBe(false);
      expect(result.shown).toBe(true);
      // Both programs show their marked lines.
      expect(result.broken.lines.length).toBeGreaterThan(0);
      expect(result.fixed.lines.length).toBeGreaterThan(0);
      // A few seconds each, with the hang side cut at the cap.
      expect(Math.max(result.broken.durationMs, result.fixed.durationMs)).toBeLessThan(DEMO_CAP_MS * 2 + 2000);
      // Both layouts fit their width, as plain text.
      for (const width of [80, 120]) {
        const text = renderDemo(result, { width, style: new Chalk({ level: 0 }) });
        for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(width);
      }
      const left = processesMatching(join(DEMOS, id), 'no-marker').filter((found) => found.cmdline.includes(`${join(DEMOS, id)}/`));
      expect(left.map((found) => found.cmdline)).toEqual([]);
      expect(performance.now() - began).toBeLessThan(60_000);
    });
  }

  it('the scratch files (128 MiB for buffers-whole-file) are deleted afterwards', async () => {
    await Promise.all([...results.values()]);
    const mine = await Promise.all(ids.filter((id) => loadDemo(LESSONS, id)!.scenario.file).map(async (id) => {
      await resultOf(loadDemo(LESSONS, id)!);
      return readdirSync(tmpdir()).filter((name) => name.startsWith(`httpdojo-demo-${id}-`) && !before.has(name));
    }));
    expect(mine.flat()).toEqual([]);
  });

  // The particular evidence each headline demo promises (issue 12).
  // Usually a reset (body bytes arrive at a destroyed socket); on a loaded machine the
  // client may see the close before its next write fails. Either way no 413 arrives.
  it('body-limit-reset: the 413 is lost to a reset or a close, never delivered', async () => {
    const result = await resultOf(loadDemo(LESSONS, 'body-limit-reset')!);
    expect(['reset', 'closed']).toContain(exchange(result.broken, 'upload').noResponse?.reason);
  });

  it('string-concat-chunks: Zo\uFFFD\uFFFD next to Zoë', async () => {
    const result = await resultOf(loadDemo(LESSONS, 'string-concat-chunks')!);
    expect(exchange(result.broken, 'post').response?.body).toContain('Zo\uFFFD\uFFFD');
    expect(exchange(result.fixed, 'post').response?.body).toContain('Zoë');
  });
});

describe('httpdojo explain --demo (the CLI)', () => {
  it('exit 0 and both sides printed for missing-res-end; plain text without a TTY; nothing left', async () => {
    requireBuild();
    const { result } = startCli(['explain', 'missing-res-end', '--demo'], { env: { NO_COLOR: '1' }, timeoutMs: 20_000 });
    const done = await result;
    expect(done.code).toBe(0);
    expect(done.stdout).not.toMatch(/\x1b\[/);
    expect(done.stdout).toContain('BROKEN  broken.js');
    expect(done.stdout).toContain('FIXED  fixed.js');
    expect(done.stdout).toContain("res.write('hello\\n');");
    expect(done.stdout).toMatch(/still nothing after 3\.0 s/);
    for (const line of done.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const left = await leftoverProcesses({ programDir: join(DEMOS, 'missing-res-end'), marker: 'none' } as never);
    killProcesses(left);
    expect(left).toEqual([]);
  });

  it('exit 1, said honestly, when the fixed side shows the symptom too (an instructor\'s demo gone wrong)', async () => {
    requireBuild();
    const course = mkdtempSync(join(tmpdir(), 'httpdojo-demo-course-'));
    try {
      const dir = join(course, 'pitfalls', 'demos', 'missing-res-end');
      mkdirSync(dir, { recursive: true });
      copyFileSync(join(LESSONS, 'pitfalls', 'missing-res-end.md'), join(course, 'pitfalls', 'missing-res-end.md'));
      copyFileSync(join(DEMOS, 'missing-res-end', 'scenario.json'), join(dir, 'scenario.json'));
      copyFileSync(join(DEMOS, 'missing-res-end', 'broken.js'), join(dir, 'broken.js'));
      copyFileSync(join(DEMOS, 'missing-res-end', 'broken.js'), join(dir, 'fixed.js'));
      const { result } = startCli(['explain', 'missing-res-end', '--demo', '--lessons', course], { env: { NO_COLOR: '1' }, timeoutMs: 20_000 });
      const done = await result;
      expect(done.code).toBe(1);
      expect(done.stdout.replace(/\n/g, ' ')).toContain('The demo did not show what it should: the fixed side showed it too');
      const left = processesMatching(course, 'none');
      killProcesses(left);
      expect(left).toEqual([]);
    } finally {
      rmSync(course, { recursive: true, force: true });
    }
  });

  it('exit 2 and the page\'s reason for a pitfall without a demo', async () => {
    requireBuild();
    const { result } = startCli(['explain', 'uses-a-framework', '--demo'], { env: { NO_COLOR: '1' }, timeoutMs: 10_000 });
    const done = await result;
    expect(done.code).toBe(2);
    expect(done.stdout).toContain('No demo for uses-a-framework.');
    expect(done.stdout).toContain('rule of the course, not a behaviour of Node');
  });
});
