// The timeline in the watch screen, as a new user meets it: tmux runs httpdojo
// in an 80-column pane on a lesson-06 program that buffers its countdown; after
// the checks, `i` shows when each piece left the server and reached the client.
// Needs tmux (skipped with a message without it), like watch-tmux.test.ts.

import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, requireBuild, ROOT, runCli, sleep } from './cli-support.ts';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.warn('timeline-tmux.test.ts: SKIPPED — tmux is not installed (apt-get install -y tmux).');
requireBuild();

const socket = `hdj-tl-${randomUUID().slice(0, 8)}`;
const COLUMNS = 80;
const temps: string[] = [];

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
}

function screen(): string {
  try {
    return tmux('capture-pane', '-p', '-J', '-t', 'tl');
  } catch {
    return '';
  }
}

async function waitForScreen(pattern: RegExp, timeoutMs: number): Promise<string> {
  const began = performance.now();
  for (;;) {
    const text = screen();
    if (pattern.test(text) || performance.now() - began > timeoutMs) return text;
    await sleep(50);
  }
}

afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // Never started.
  }
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasTmux)('the timeline in the watch screen (tmux, 80 columns)', () => {
  it('a buffered countdown: i shows one long silence, then everything at once; i again hides it', { timeout: 90_000 }, async () => {
    const parent = mkdtempSync(join(tmpdir(), 'hdj-tl-'));
    temps.push(parent);
    expect((await runCli(['init', 'dojo', '--lang', 'ts'], { cwd: parent, env: { NO_COLOR: '1' } })).code).toBe(0);
    const root = join(parent, 'dojo');
    expect((await runCli(['read', '6'], { cwd: root, env: { NO_COLOR: '1' } })).code).toBe(0);
    copyFileSync(join(ROOT, 'lessons/06-streaming-and-disconnects/mistakes/buffered-response.ts'), join(root, '06-streaming-and-disconnects/server.ts'));

    const command = `env -u FORCE_COLOR -u NO_COLOR ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}; sleep 600`;
    tmux('new-session', '-d', '-s', 'tl', '-x', String(COLUMNS), '-y', '50', '-c', root, command);
    await waitForScreen(/i timeline/, 15_000);
    tmux('send-keys', '-t', 'tl', 'r');
    const checked = await waitForScreen(/\d+ failed, \d+ passed/, 40_000);
    expect(checked).toMatch(/buffered-response/);

    tmux('send-keys', '-t', 'tl', 'i');
    const shown = await waitForScreen(/i hides it/, 5_000);
    expect(shown).toMatch(/Timeline: GET \/countdown\?from=3/);
    expect(shown).toMatch(/client \(httpdojo\) +│ server \(your program\)/);
    expect(shown).toMatch(/≈ … [23]\d\d ms …/);
    expect(shown).toMatch(/server wrote 14 B in 1 piece, all at/);
    expect(shown).toMatch(/client received \d+ B in 1 piece, all at/);
    // -J joined tmux's wrapping back: a timeline line over 80 columns would show here.
    const drawn = shown.slice(shown.indexOf('Timeline: '), shown.indexOf('i hides it'));
    for (const line of drawn.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(COLUMNS);

    tmux('send-keys', '-t', 'tl', 'i');
    const hidden = await waitForScreen(/^(?![^]*i hides it)/, 5_000);
    expect(hidden).not.toMatch(/Timeline: /);
    expect(hidden).toMatch(/buffered-response/);
    tmux('send-keys', '-t', 'tl', 'q');
  });
});
