// The board against every rule of issue 11 section 6 and the course's own hostile
// requests: room code and mentor token, 413 while still reading (keep-alive
// friendly), one-line 400s, 429, no CORS, slow headers, split UTF-8, aborted
// uploads, bad Host headers; the page renders learner strings as text only.
// An in-process board on 127.0.0.1 and raw sockets, so the bytes are ours.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBoard, type Board } from '../../src/classroom/server.ts';
import { ROOT } from './cli-support.ts';

const ROOM = 'K7QX2P';
const TOKEN = 'mentor-token-0123456789abcdef';
let board: Board;
let dir: string;
let port: number;
let counter = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hdj-board-sec-'));
  board = await startBoard({ dir, room: ROOM, token: TOKEN, name: 'Security', lessons: ['01-hello-server'], host: '127.0.0.1', port: 0, rate: { burst: 5, perSecond: 1 } });
  port = board.port;
});
afterAll(async () => {
  await board?.close();
  rmSync(dir, { recursive: true, force: true });
});

function event(learner: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return { id: `sec-event-${counter}-${Date.now()}`, type: 'verify', learner, name: 'Ada', lesson: '01-hello-server', passed: false, failed: [{ id: 'c1', pitfall: 'missing-res-end' }], attempts: counter, lessonMs: 5, ...extra };
}

interface Raw {
  text: string;
  closedAfterMs: number;
}

/** Writes the chunks (with pauses), then reads until the server closes or the deadline passes. */
function raw(chunks: Array<string | Buffer>, options: { pauseMs?: number; deadlineMs?: number; destroyAfterWrite?: boolean } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const began = performance.now();
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closedAfterMs: Infinity });
    }, options.deadlineMs ?? 8000);
    socket.setEncoding('utf8').on('data', (data: string) => (text += data));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedAfterMs: performance.now() - began });
    });
    socket.on('error', () => {});
    socket.once('connect', async () => {
      try {
        for (const chunk of chunks) {
          if (socket.destroyed) break;
          socket.write(chunk);
          if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
        }
        if (options.destroyAfterWrite) socket.destroy();
      } catch (error) {
        reject(error);
      }
    });
  });
}

function post(path: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
}

async function exported(): Promise<Array<{ id: string; name: string }>> {
  return (await (await fetch(`http://127.0.0.1:${port}/export.json?token=${TOKEN}`)).json()) as Array<{ id: string; name: string }>;
}

describe('keys', () => {
  it('needs the room code to post (404 otherwise)', async () => {
    const wrong = await post('/r/WRONG1/events', JSON.stringify(event('learner-keys')));
    expect(wrong.status).toBe(404);
    expect(((await wrong.json()) as { error: string }).error).toMatch(/no such room/);
    expect((await post(`/r/${ROOM}/events`, JSON.stringify(event('learner-keys')))).status).toBe(200);
  });

  it.each(['/board', '/stream', '/export.csv', '/export.json'])('needs the mentor token for %s (401 without or with a wrong one)', async (path) => {
    for (const query of ['', '?token=', `?token=${TOKEN.slice(0, -1)}x`, '?token=short', `?token=${ROOM}`]) {
      const response = await fetch(`http://127.0.0.1:${port}${path}${query}`);
      expect(response.status, `${path}${query}`).toBe(401);
      await response.body?.cancel();
    }
    const ok = await fetch(`http://127.0.0.1:${port}${path}?token=${TOKEN}`);
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
  });

  it('needs the token for the mentor answers too', async () => {
    expect((await post('/board/settings', JSON.stringify({ thresholds: { attempts: 2, minutes: 1, idleMinutes: 1 } }))).status).toBe(401);
  });
});

describe('bodies', () => {
  it('refuses a Content-Length over 16 KiB with 413 before a body byte is sent', async () => {
    const result = await raw([`POST /r/${ROOM}/events HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 20000\r\n\r\n`], { deadlineMs: 4000 });
    expect(result.text).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('refuses a chunked body with 413 once it passes 16 KiB, and the connection stays usable', async () => {
    const piece = 'x'.repeat(4096);
    const chunked = Array.from({ length: 5 }, () => `${piece.length.toString(16)}\r\n${piece}\r\n`);
    const result = await raw([
      `POST /r/${ROOM}/events HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      ...chunked,
      '0\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    ], { pauseMs: 20 });
    const statuses = [...result.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => match[1]);
    expect(statuses).toEqual(['413', '200']);
  });

  it('answers bad JSON and bad events with a one-line 400', async () => {
    for (const [body, reason] of [['{"id":', /^invalid JSON: /], [JSON.stringify({ ...event('learner-400'), passed: 'no' }), /^invalid event: "passed" must be true or false$/]] as const) {
      const response = await post(`/r/${ROOM}/events`, body);
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: string };
      expect(error).toMatch(reason);
      expect(error).not.toContain('\n');
    }
  });

  it('joins a character split between two packets (split UTF-8)', async () => {
    const sent = event('learner-utf8', { name: 'Zoë Ünal' });
    const bytes = Buffer.from(JSON.stringify(sent), 'utf8');
    const split = bytes.indexOf(0xc3) + 1; // between the two bytes of ë
    const head = `POST /r/${ROOM}/events HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`;
    const result = await raw([head, bytes.subarray(0, split), bytes.subarray(split)], { pauseMs: 50 });
    expect(result.text).toMatch(/^HTTP\/1\.1 200 /);
    expect((await exported()).find((row) => row.id === sent.id)?.name).toBe('Zoë Ünal');
  });

  it('forgets an aborted upload and keeps serving', async () => {
    const sent = event('learner-abort');
    const body = JSON.stringify(sent);
    await raw([`POST /r/${ROOM}/events HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body.slice(0, 40)], { pauseMs: 30, destroyAfterWrite: true });
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    expect((await exported()).some((row) => row.id === sent.id)).toBe(false);
  });

  it('limits each learner (429 with Retry-After) without touching the others', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const response = await post(`/r/${ROOM}/events`, JSON.stringify(event('learner-flood')));
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
      await response.body?.cancel();
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect((await post(`/r/${ROOM}/events`, JSON.stringify(event('learner-calm')))).status).toBe(200);
  });
});

describe('hostile clients', () => {
  it('closes a connection whose headers never finish (slow headers) within the header timeout', async () => {
    const result = await raw(['GET /board?token=x HTTP/1.1\r\nHost: a\r\n', 'X-Slow: 1\r\n'], { pauseMs: 100, deadlineMs: 12_000 });
    expect(result.closedAfterMs).toBeLessThan(9000);
    expect(result.text).toMatch(/^HTTP\/1\.1 408 /);
  }, 15_000);

  it('never takes anything from the Host header, and refuses a request without one', async () => {
    const evil = await raw([`GET /r/${ROOM} HTTP/1.1\r\nHost: evil.example:666\r\nConnection: close\r\n\r\n`]);
    expect(evil.text).toMatch(/^HTTP\/1\.1 200 /);
    expect(evil.text).not.toContain('evil.example');
    const empty = await raw([`GET /r/${ROOM} HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n`]);
    expect(empty.text).toMatch(/^HTTP\/1\.1 (200|400) /);
    const none = await raw([`GET /r/${ROOM} HTTP/1.1\r\nConnection: close\r\n\r\n`]);
    expect(none.text).toMatch(/^HTTP\/1\.1 400 /);
    const absolute = await raw([`GET http://evil.example/r/${ROOM} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`]);
    expect(absolute.text).not.toContain('evil.example');
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
  });

  it('sends no CORS headers, even to a preflight', async () => {
    const simple = await fetch(`http://127.0.0.1:${port}/export.json?token=${TOKEN}`, { headers: { Origin: 'http://evil.example' } });
    expect([...simple.headers.keys()].filter((name) => name.startsWith('access-control'))).toEqual([]);
    await simple.body?.cancel();
    const preflight = await fetch(`http://127.0.0.1:${port}/r/${ROOM}/events`, { method: 'OPTIONS', headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.ok).toBe(false);
    expect([...preflight.headers.keys()].filter((name) => name.startsWith('access-control'))).toEqual([]);
    // A cross-site form can only send text/plain: refused.
    expect((await post(`/r/${ROOM}/events`, JSON.stringify(event('learner-form')), { 'Content-Type': 'text/plain' })).status).toBe(415);
  });
});

describe('the page', () => {
  it('serves the board with a policy that forbids inline scripts and other origins', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/board?token=${TOKEN}`);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await response.text()).toContain('<script src="/board.js"');
  });

  it('puts learner strings into the page as text only (no HTML sinks in board.js)', () => {
    const script = readFileSync(join(ROOT, 'src/classroom/assets/board.js'), 'utf8');
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    expect(script).toContain('textContent');
  });

  it('streams a new learner to the board and carries the mentor answer back to the learner', async () => {
    const controller = new AbortController();
    const stream = await fetch(`http://127.0.0.1:${port}/stream?token=${TOKEN}`, { signal: controller.signal });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const frames = async function* () {
      for (let i = 0; i < 50; i++) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split('\n').find((line) => line.startsWith('data: '));
          if (data) yield JSON.parse(data.slice(6)) as { learners: Array<{ name: string }>; hands: Array<{ id: string }> };
        }
      }
    };
    const iterator = frames();
    await iterator.next();
    const handId = `sec-hand-${Date.now()}`;
    const response = await post(`/r/${ROOM}/events`, JSON.stringify({ id: handId, type: 'hand', learner: 'learner-live', name: 'Live <b>one</b>', lesson: '01-hello-server', message: 'help', diagnosis: null }));
    expect(response.status).toBe(200);
    let seen = false;
    for (let i = 0; i < 10 && !seen; i++) {
      const { value } = await iterator.next();
      seen = Boolean(value?.hands.some((hand) => hand.id === handId));
    }
    expect(seen).toBe(true);
    expect((await post(`/board/hands/${handId}?token=${TOKEN}`, JSON.stringify({ status: 'on-my-way' }))).status).toBe(200);
    const status = (await (await fetch(`http://127.0.0.1:${port}/r/${ROOM}/learners/learner-live`)).json()) as { hands: Array<{ id: string; status: string }> };
    expect(status.hands).toEqual([{ id: handId, status: 'on-my-way' }]);
    controller.abort();
  });
});
