// The learner's side of the classroom, in process: a board that never answers
// costs the learner at most the short deadline (the event stays in the outbox);
// the outbox is bounded; the watch screen's link raises a hand and shows the
// mentor's answer.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/engine/verdict.ts';
import { startBoard, type Board } from '../../src/classroom/server.ts';
import { ClassroomLink } from '../../src/ui/watch-classroom.ts';
import { enqueue, OUTBOX_LIMIT, POST_TIMEOUT_MS, readOutbox, reportVerdict, writeConfig } from '../../src/workspace/classroom-outbox.ts';

const temps: string[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function workspace(url: string): string {
  const root = mkdtempSync(join(tmpdir(), 'hdj-class-learner-'));
  temps.push(root);
  mkdirSync(join(root, '.httpdojo'));
  writeConfig(root, { url, name: 'Ada', learner: 'learner-ada-1', joinedAt: '' });
  return root;
}

const verdict: Verdict = {
  schema: 'httpdojo.verdict/1', lesson: '01-hello-server', file: '/nowhere/server.js', passed: false, pitfalls: ['missing-res-end'], durationMs: 5, node: 'v20', version: '0.1.0',
  checks: [{ id: 'answers', title: 'answers GET /', status: 'failed', pitfall: 'missing-res-end', message: 'GET / got no answer within 2 s', location: null, durationMs: 2000, wire: [], error: null, stderrTail: null }],
};

describe('the learner side', () => {
  it('gives up on a board that never answers after the short deadline, keeping the event', async () => {
    // A server that accepts connections and says nothing: the worst Wi-Fi case.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => silent.close(() => resolve()));
    });
    const root = workspace(`http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/r/ABCDEF`);
    const began = performance.now();
    const result = await reportVerdict(root, verdict, 1, null);
    const took = performance.now() - began;
    expect(took).toBeLessThan(POST_TIMEOUT_MS + 700);
    expect(result?.error).toMatch(/did not answer/);
    expect(readOutbox(root)).toHaveLength(1);
    expect(JSON.stringify(readOutbox(root))).not.toContain('createServer');
  });

  it('bounds the outbox: the oldest events go first', () => {
    const root = workspace('http://127.0.0.1:9/r/ABCDEF');
    for (let i = 0; i < OUTBOX_LIMIT + 5; i++) enqueue(root, { id: `event-${i}-xxxx`, type: 'join' });
    const events = readOutbox(root);
    expect(events).toHaveLength(OUTBOX_LIMIT);
    expect(events[0].id).toBe('event-5-xxxx');
  });

  it('raises a hand from the watch screen and shows when the mentor is on the way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hdj-class-board-'));
    temps.push(dir);
    const board: Board = await startBoard({ dir, room: 'ABCDEF', token: 'token-token-token-token', name: 'T', lessons: [], host: '127.0.0.1', port: 0 });
    cleanups.push(() => board.close());
    const root = workspace(`http://127.0.0.1:${board.port}/r/ABCDEF`);
    let redraws = 0;
    const link = new ClassroomLink(root, () => redraws++);
    cleanups.push(() => link.close());
    expect(link.joined).toBe(true);
    expect(link.raiseHand('01-hello-server')).toMatch(/Hand raised/);
    expect(link.raiseHand('01-hello-server')).toMatch(/already up/);
    const until = async (predicate: () => boolean, ms: number) => {
      for (const end = Date.now() + ms; Date.now() < end && !predicate(); ) await new Promise((r) => setTimeout(r, 50));
      return predicate();
    };
    expect(await until(() => /hand is up/.test(link.statusLine() ?? ''), 3000)).toBe(true);
    const hands = (await (await fetch(`http://127.0.0.1:${board.port}/export.json?token=token-token-token-token`)).json()) as Array<{ type: string; id: string }>;
    const hand = hands.find((row) => row.type === 'hand')!;
    const answer = await fetch(`http://127.0.0.1:${board.port}/board/hands/${hand.id}?token=token-token-token-token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"status":"on-my-way"}' });
    expect(answer.status).toBe(200);
    // The link asks every 4 s while a hand is up.
    expect(await until(() => /mentor is on the way/.test(link.statusLine() ?? ''), 6000)).toBe(true);
    expect(redraws).toBeGreaterThan(0);
  }, 15_000);
});
