// verify --timeline (issue 12 §2) through the built CLI, without a TTY and with
// NO_COLOR, as a pipe or CI gets it: for the lessons where timing is the lesson,
// the timeline shows what the verdict's words say — a countdown that arrives all
// at once (or spread out), a 413 only after the whole upload, twenty connections
// where four would do, a proxy that sends nothing until the upstream finished, a
// process.exit() with a request in flight.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killStartedClis, limiter, requireBuild, ROOT, runCli } from './cli-support.ts';

beforeAll(requireBuild);
afterAll(killStartedClis);

const atMost2 = limiter(2);

async function timeline(lesson: string, file: string): Promise<{ code: number | null; text: string; stdout: string }> {
  const result = await atMost2(() => runCli(['verify', lesson, '--file', join(ROOT, file), '--timeline'], { env: { NO_COLOR: '1' }, timeoutMs: 40_000 }));
  const start = result.stdout.indexOf('\nTimeline: ');
  expect(start, result.stdout + result.stderr).toBeGreaterThan(0);
  return { code: result.code, text: result.stdout.slice(start + 1), stdout: result.stdout };
}

/** "client received 211 B in 4 pieces, from 7 ms to 309 ms" → pieces and span (ms). */
function received(text: string): { pieces: number; spanMs: number } {
  const match = /client received [\d.]+ (?:B|KiB) in (\d+) pieces?, (?:all at .*|from ([\d.]+ m?s) to ([\d.]+ m?s))$/m.exec(text);
  expect(match, text).not.toBeNull();
  const ms = (value: string | undefined) => (value === undefined ? 0 : value.endsWith(' ms') ? Number(value.slice(0, -3)) : Number(value.slice(0, -2)) * 1000);
  return { pieces: Number(match![1]), spanMs: ms(match![3]) - ms(match![2]) };
}

/** The row index of the first line matching. */
const rowOf = (text: string, pattern: RegExp) => text.split('\n').findIndex((line) => pattern.test(line));

describe('verify --timeline', () => {
  it('06 buffered-response: the countdown reaches the client in one piece, after a long silence', async () => {
    const { code, text } = await timeline('6', 'lessons/06-streaming-and-disconnects/mistakes/buffered-response.ts');
    expect(code).toBe(1);
    expect(text).toMatch(/^Timeline: GET \/countdown/);
    expect(text).toMatch(/server wrote 14 B in 1 piece, all at/);
    expect(received(text).spanMs).toBeLessThan(50);
    // The silence before it is drawn as a compressed, labelled gap.
    expect(text).toMatch(/≈ … [23]\d\d ms …/);
    for (const line of text.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
    expect(text).not.toMatch(/\x1b\[/);
  }, 60_000);

  it('06 solution: the lines arrive one by one, ~100 ms apart', async () => {
    const { code, text } = await timeline('6', 'lessons/06-streaming-and-disconnects/solution.ts');
    expect(code).toBe(0);
    expect(text).toMatch(/^Timeline: GET \/countdown/);
    expect(text).toMatch(/server wrote 14 B in 4 pieces/);
    const { pieces, spanMs } = received(text);
    expect(pieces).toBeGreaterThanOrEqual(4);
    expect(spanMs).toBeGreaterThanOrEqual(250);
  }, 60_000);

  it('05 limit-checked-after-end: the 413 is written only after the request body ended', async () => {
    const { text } = await timeline('5', 'lessons/05-body-limit/mistakes/limit-checked-after-end.ts');
    const ended = rowOf(text, /│ request body ended/);
    expect(ended).toBeGreaterThan(0);
    expect(rowOf(text, /│ writeHead 413/)).toBeGreaterThan(ended);
  }, 60_000);

  it('05 solution: the 413 is written while the chunked body is still arriving', async () => {
    const { code, text } = await timeline('5', 'lessons/05-body-limit/solution.ts');
    expect(code).toBe(0);
    const section = text.slice(text.indexOf('Timeline: a chunked body that grows past the limit'));
    expect(section.length, text).toBeGreaterThan(0);
    const id = /│ (#\d+ )request POST \/api\/users/.exec(section)![1];
    const answered = rowOf(section, new RegExp(`│ ${id}end \\d+ B \\(body in: [\\d.]+ (B|KiB|MiB)`));
    expect(answered, section).toBeGreaterThan(0);
    const ended = rowOf(section, new RegExp(`│ ${id}request body ended`));
    expect(ended === -1 || ended > answered).toBe(true);
  }, 60_000);

  it('12: twenty new connections without keep-alive; reused ones with it', async () => {
    const [mistake, solution] = await Promise.all([
      timeline('12', 'lessons/12-keep-alive/mistakes/no-keepalive.ts'),
      atMost2(() => runCli(['verify', '12', '--file', join(ROOT, 'lessons/12-keep-alive/solution.ts'), '--timeline'], { env: { NO_COLOR: '1' } })),
    ]);
    expect(mistake.text).toContain("your program's requests: 20 on a new connection, 0 on a reused one");
    expect(mistake.text).toMatch(/#\d+ new socket/);
    const reused = /your program's requests: (\d+) on a new connection, (\d+) on a reused one/.exec(solution.stdout);
    expect(reused, solution.stdout).not.toBeNull();
    expect(Number(reused![1])).toBeLessThanOrEqual(4);
    expect(Number(reused![2])).toBeGreaterThan(0);
  }, 60_000);

  it('13 proxy-buffers-response: the proxy writes nothing until the upstream has ended its response', async () => {
    const { text } = await timeline('13', 'lessons/13-reverse-proxy/mistakes/proxy-buffers-response.ts');
    expect(text).toMatch(/upstream \(httpdojo\)/);
    // The upstream holds back the rest for 1.5 s (the compressed gap): it wrote its first
    // chunk before the gap, the proxy wrote nothing (not even its head) until after it.
    const gap = rowOf(text, /≈ … 1\.\d s …/);
    expect(gap, text).toBeGreaterThan(0);
    const lanes = text.split('\n').map((line) => line.split('│').map((cell) => cell.trim()));
    const first = (lane: number) => lanes.findIndex((cells) => /^(#\d+ )?(writeHead|write \d|end \d)/.test(cells[lane] ?? ''));
    expect(first(3)).toBeGreaterThan(0);
    expect(first(3)).toBeLessThan(gap);
    expect(first(2)).toBeGreaterThan(gap);
  }, 60_000);

  it('14 abrupt-shutdown: SIGTERM, then process.exit() while GET /work is in flight', async () => {
    const { text } = await timeline('14', 'lessons/14-timeouts-and-shutdown/mistakes/abrupt-shutdown.ts');
    const work = rowOf(text, /│ (#\d+ )?request GET \/work/);
    const sigterm = rowOf(text, /# SIGTERM sent to your program/);
    const exit = rowOf(text, /│ process\.exit\(/);
    expect(work, text).toBeGreaterThan(0);
    // SIGTERM goes 1 ms after the request is sent: the two rows may be in either order.
    expect(sigterm).toBeGreaterThan(0);
    expect(exit).toBeGreaterThan(work);
    // …and the request in flight never got its response finished.
    const id = /│ (#\d+ )?request GET \/work/.exec(text)![1] ?? '';
    expect(text).not.toContain(`${id}response finished`.replace(/^$/, 'never'));
    if (id) expect(text).toContain(`${id}request GET /work`);
  }, 60_000);

  it('--json stays as it was: no timeline in the document', async () => {
    const result = await atMost2(() => runCli(['verify', '6', '--file', join(ROOT, 'lessons/06-streaming-and-disconnects/mistakes/buffered-response.ts'), '--json']));
    expect(result.stdout).not.toContain('"timeline"');
    expect(JSON.parse(result.stdout).checks.length).toBeGreaterThan(0);
  }, 60_000);
});
