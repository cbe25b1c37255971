// The classroom from the watch screen, in a real terminal (tmux): a save reports
// the verdict to the board, `a` raises a hand carrying the current failure, and
// the screen shows the mentor's "on my way". Skipped, saying why, without tmux.

import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBoard, type Board } from '../../src/classroom/server.ts';
import { BIN, requireBuild, runCli, sleep } from './cli-support.ts';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
requireBuild();
const socket = `hdj-class-${randomUUID().slice(0, 8)}`;
const temps: string[] = [];
const ROOM = 'WATCH7';
const TOKEN = 'watch-token-0123456789';
let board: Board | null = null;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
}

function screen(session: string): string {
  try {
    return tmux('capture-pane', '-p', '-t', session);
  } catch {
    return '';
  }
}

async function waitFor<T>(probe: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || performance.now() > end) return value;
    await sleep(50);
  }
}

afterAll(async () => {
  if (hasTmux) spawnSync('tmux', ['-L', socket, 'kill-server']);
  await board?.close();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

const title = hasTmux ? 'the watch screen in a classroom' : 'the watch screen in a classroom (skipped: tmux is not installed; .ci/run installs it)';

describe.skipIf(!hasTmux)(title, () => {
  it('reports each save, raises a hand with a, and shows the mentor on the way', async () => {
    const data = mkdtempSync(join(tmpdir(), 'hdj-class-watch-board-'));
    const parent = mkdtempSync(join(tmpdir(), 'hdj-class-watch-'));
    temps.push(data, parent);
    board = await startBoard({ dir: data, room: ROOM, token: TOKEN, name: 'Watch', lessons: [], host: '127.0.0.1', port: 0 });
    const root = join(parent, 'ws');
    const env = { NO_COLOR: '1', npm_command: undefined, HTTPDOJO_CLASSROOM_TIMEOUT_MS: '8000' };
    expect((await runCli(['init', root, '--lang', 'js'], { cwd: parent, env })).code).toBe(0);
    expect((await runCli(['join', `http://127.0.0.1:${board.port}/r/${ROOM}`, '--name', 'Tmux Tess'], { cwd: root, env })).code).toBe(0);
    expect((await runCli(['read', '1'], { cwd: root, env })).code).toBe(0);
    const exported = async () => (await (await fetch(`http://127.0.0.1:${board!.port}/export.json?token=${TOKEN}`)).json()) as Array<{ type: string; id: string; passed: boolean | null; pitfalls: string[] }>;

    const session = 'classroom';
    tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '45', '-c', root, `env -u npm_command -u FORCE_COLOR -u NO_COLOR HTTPDOJO_CLASSROOM_TIMEOUT_MS=8000 ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} watch 1; sleep 600`);
    expect(await waitFor(() => screen(session), (text) => /a ask for help/.test(text), 15_000)).toMatch(/a ask for help/);

    appendFileSync(join(root, '01-hello-server', 'server.js'), '\n// saved\n');
    const afterSave = await waitFor(exported, (rows) => rows.some((row) => row.type === 'verify'), 20_000);
    const verify = afterSave.find((row) => row.type === 'verify');
    expect(verify).toMatchObject({ passed: false });
    expect(verify!.pitfalls.length).toBeGreaterThan(0);
    // The failure is on screen before the hand goes up (the diagnosis it carries is this one).
    await waitFor(() => screen(session), (text) => /✗/.test(text), 10_000);

    tmux('send-keys', '-t', session, 'a');
    const withHand = await waitFor(exported, (rows) => rows.some((row) => row.type === 'hand'), 10_000);
    const hand = withHand.find((row) => row.type === 'hand');
    expect(hand?.pitfalls).toEqual([verify!.pitfalls[0]]);
    expect(await waitFor(() => screen(session), (text) => /hand is up/.test(text), 10_000)).toMatch(/hand is up/);

    const answer = await fetch(`http://127.0.0.1:${board.port}/board/hands/${hand!.id}?token=${TOKEN}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"status":"on-my-way"}' });
    expect(answer.status).toBe(200);
    expect(await waitFor(() => screen(session), (text) => /mentor is on the way/.test(text), 10_000)).toMatch(/mentor is on the way/);
    tmux('send-keys', '-t', session, 'q');
  }, 90_000);
});
