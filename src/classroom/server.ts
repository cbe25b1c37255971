// The classroom board: Node's raw http module, as the course teaches it.
// Learners POST events to /r/<ROOM>/events; the mentor's board, its live stream
// (Server-Sent Events) and the exports need the token. Every acknowledged event
// is on disk first (log.ts). Timeouts guard against slow clients (lesson 14);
// close() is the graceful shutdown (stop accepting, finish what is in flight,
// flush the log).

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { boardAsset } from './assets.js';
import { toCsv, toJson } from './export.js';
import { newToken, sameSecret } from './secrets.js';
import { readBody, RateLimiter, refuse, send, sendJson, SECURITY_HEADERS } from './http-util.js';
import { EventLog, replayLog } from './log.js';
import { validateBody, validateThresholds, type AnyEvent, type Stored } from './schema.js';
import type { QuestionTitle } from './quiz-state.js';
import { apply, createRoom, viewOf, type Room } from './state.js';

export const MAX_BODY_BYTES = 16 * 1024;
export { newRoomCode, newToken } from './secrets.js';

export interface BoardOptions {
  dir: string;
  room: string;
  token: string;
  name: string;
  /** The course's lesson ids, in order: the board's columns. */
  lessons: string[];
  host: string;
  port: number;
  /** Per learner: a burst, then this many requests a second. */
  rate?: { burst: number; perSecond: number };
  /** How often the live view is pushed at most (coalescing bursts), ms. */
  pushMs?: number;
  /** Names a quiz question for the "Hardest questions" panel (classroom-quiz-titles.ts); without it the page shows "Q3". */
  questionTitle?: QuestionTitle;
}

export interface Board {
  port: number;
  /** Problems found replaying the log (a torn last line...). */
  notices: string[];
  events: () => number;
  close: () => Promise<void>;
}

// The request target is parsed against a constant base: the Host header is the
// client's word, and nothing here depends on it (RFC 9112 §3.2).
const BASE = 'http://board.invalid';

export async function startBoard(options: BoardOptions): Promise<Board> {
  const replay = replayLog(options.dir);
  const room: Room = createRoom();
  const events: Stored[] = [];
  let seq = 0;
  for (const event of replay.events) {
    if (apply(room, event)) events.push(event);
    seq = Math.max(seq, event.seq ?? 0);
  }
  const log = await EventLog.open(options.dir);
  const limiter = new RateLimiter(options.rate?.burst ?? 20, options.rate?.perSecond ?? 2);
  /** Ids applied but not yet on disk: a duplicate of one waits for the original's fsync. */
  const inflight = new Map<string, Promise<void>>();
  let broken: string | null = null;
  const streams = new Set<http.ServerResponse>();
  let closing = false;

  async function store(list: AnyEvent[]): Promise<{ accepted: number; duplicates: number }> {
    const waits: Promise<void>[] = [];
    let accepted = 0;
    const now = Date.now();
    for (const event of list) {
      const stored = { ...event, t: now, seq: seq + 1 } as Stored;
      if (!apply(room, stored)) {
        const pending = inflight.get(event.id);
        if (pending) waits.push(pending);
        continue;
      }
      seq += 1;
      accepted += 1;
      events.push(stored);
      const written = log.append(stored).finally(() => inflight.delete(stored.id));
      inflight.set(stored.id, written);
      waits.push(written);
    }
    try {
      await Promise.all(waits);
    } catch (error) {
      broken = `the event log cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
      throw error;
    }
    if (accepted) schedulePush();
    return { accepted, duplicates: list.length - accepted };
  }

  // ------------------------------------------------------------ live stream
  let pushTimer: NodeJS.Timeout | undefined;
  function schedulePush(): void {
    pushTimer ??= setTimeout(() => {
      pushTimer = undefined;
      push();
    }, options.pushMs ?? 50);
  }
  function frame(): string {
    return `data: ${JSON.stringify({ name: options.name, ...viewOf(room, Date.now(), options.lessons, options.questionTitle) })}\n\n`;
  }
  function push(): void {
    if (streams.size === 0) return;
    const data = frame();
    for (const res of streams) {
      // A board that cannot keep up is dropped rather than buffered without end; its page reconnects.
      if (res.writableLength > 4 * 1024 * 1024) res.destroy();
      else res.write(data);
    }
  }
  // Times on the board (stuck for N minutes) move on even when nobody posts.
  const tick = setInterval(push, 10_000);
  tick.unref();

  function openStream(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    // A stream is a long response: the socket's idle timeout must not cut it.
    req.socket.setTimeout(0);
    res.write(`retry: 2000\n\n${frame()}`);
    streams.add(res);
    res.on('close', () => streams.delete(res));
  }

  // ------------------------------------------------------------ routes
  const roomPath = `/r/${options.room}`;

  async function postEvents(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const began = performance.now();
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      req.resume();
      return refuse(res, 415, 'send the events as Content-Type: application/json');
    }
    const body = await readBody(req, res, MAX_BODY_BYTES);
    if (!body.ok) return;
    let data: unknown;
    try {
      data = JSON.parse(body.text);
    } catch (error) {
      return refuse(res, 400, `invalid JSON: ${(error as Error).message}`);
    }
    const checked = validateBody(data);
    if (!checked.ok) return refuse(res, 400, `invalid event: ${checked.reason}`);
    const learner = checked.value[0].learner;
    if (!limiter.take(learner)) return refuse(res, 429, 'too many requests from this learner; try again shortly', { 'Retry-After': String(limiter.retryAfter()) });
    if (broken || closing) return refuse(res, 503, broken ?? 'the board is shutting down', { 'Retry-After': '5' });
    try {
      const result = await store(checked.value);
      // Server-Timing: the board's own share of the acknowledgement (body read, validated, fsynced).
      sendJson(res, 200, { ok: true, ...result, hands: handsOf(learner) }, { 'Server-Timing': `ack;dur=${(performance.now() - began).toFixed(2)}` });
    } catch {
      refuse(res, 503, broken ?? 'the event log cannot be written', { 'Retry-After': '5' });
    }
  }

  function handsOf(learner: string): Array<{ id: string; status: string }> {
    return [...room.hands.values()].filter((hand) => hand.learner === learner).slice(-5).map((hand) => ({ id: hand.id, status: hand.status }));
  }

  async function mentorPost(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    const body = await readBody(req, res, MAX_BODY_BYTES);
    if (!body.ok) return;
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(body.text) as Record<string, unknown>;
    } catch (error) {
      return refuse(res, 400, `invalid JSON: ${(error as Error).message}`);
    }
    const id = `m-${newToken()}`;
    const hand = /^\/board\/hands\/([A-Za-z0-9_-]{8,64})$/.exec(path);
    let event: AnyEvent;
    if (hand) {
      if (!room.hands.has(hand[1])) return refuse(res, 404, 'no such hand');
      if (data?.status !== 'on-my-way' && data?.status !== 'done') return refuse(res, 400, 'status must be "on-my-way" or "done"');
      event = { type: 'mentor', id, hand: hand[1], status: data.status };
    } else if (path === '/board/settings') {
      const checked = validateThresholds(data?.thresholds);
      if (!checked.ok) return refuse(res, 400, checked.reason);
      event = { type: 'settings', id, thresholds: checked.value };
    } else return refuse(res, 404, 'not found');
    if (broken || closing) return refuse(res, 503, broken ?? 'the board is shutting down');
    try {
      await store([event]);
      sendJson(res, 200, { ok: true });
    } catch {
      refuse(res, 503, broken ?? 'the event log cannot be written');
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', BASE);
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (closing) res.setHeader('Connection', 'close');

    // Learners: the room code is the key.
    if (path.startsWith('/r/')) {
      const [, , code, ...rest] = path.split('/');
      if (!sameSecret(code ?? '', options.room)) {
        req.resume();
        return refuse(res, 404, 'no such room (check the join URL the mentor shows)');
      }
      const tail = rest.join('/');
      if (tail === 'events') {
        if (method !== 'POST') return refuse(res, 405, 'POST events here', { Allow: 'POST' });
        return postEvents(req, res);
      }
      const learner = /^learners\/([A-Za-z0-9_-]{8,64})$/.exec(tail);
      if (learner && method === 'GET') return sendJson(res, 200, { hands: handsOf(learner[1]) });
      if (tail === '' && method === 'GET') return sendJson(res, 200, { room: options.room, name: options.name, join: `httpdojo join <this URL>` });
      req.resume();
      return refuse(res, 404, 'not found');
    }

    // The page's script and style are public; the page itself only at /board, with the token.
    const asset = path === '/board.html' ? null : boardAsset(path);
    if (asset && method === 'GET') return send(res, 200, asset.type, asset.body, asset.headers);
    if (path === '/') return send(res, 200, 'text/plain; charset=utf-8', 'httpdojo classroom board. Learners: httpdojo join <the URL the mentor shows>.\n');

    // The mentor: the token is the key.
    const mentorPaths = ['/board', '/stream', '/export.csv', '/export.json'];
    if (!mentorPaths.includes(path) && !path.startsWith('/board/')) {
      req.resume();
      return refuse(res, 404, 'not found');
    }
    if (!sameSecret(url.searchParams.get('token'), options.token)) {
      req.resume();
      return refuse(res, 401, 'the board needs the mentor token: open the board URL httpdojo classroom printed');
    }
    if (method === 'POST' && path.startsWith('/board/')) return mentorPost(req, res, path);
    if (method !== 'GET') {
      req.resume();
      return refuse(res, 405, 'GET only', { Allow: 'GET' });
    }
    if (path === '/board') {
      const page = boardAsset('/board.html')!;
      return send(res, 200, page.type, page.body, page.headers);
    }
    if (path === '/stream') return openStream(req, res);
    const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
    if (path === '/export.csv') return send(res, 200, 'text/csv; charset=utf-8', toCsv(events), { 'Content-Disposition': `attachment; filename="classroom-${stamp}.csv"` });
    return send(res, 200, 'application/json; charset=utf-8', toJson(events), { 'Content-Disposition': `attachment; filename="classroom-${stamp}.json"` });
  }

  const server = http.createServer(
    {
      // Slow clients (slowloris): the headers within 5 s, the whole request within
      // 10 s, checked every 500 ms instead of Node's default 30 s
      // (https://nodejs.org/docs/latest-v20.x/api/http.html#httpcreateserveroptions-requestlistener).
      headersTimeout: 5000,
      requestTimeout: 10_000,
      connectionsCheckingInterval: 500,
      keepAliveTimeout: 5000,
      maxHeaderSize: 16 * 1024,
    },
    (req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) refuse(res, 500, 'internal error');
        else res.destroy();
      });
    },
  );
  // Malformed requests and resets: answer what can be answered, never crash.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  server.maxConnections = 2000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  async function close(): Promise<void> {
    if (closing) return;
    closing = true;
    clearInterval(tick);
    clearTimeout(pushTimer);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A stream's connection would otherwise sit idle until keepAliveTimeout once its response ends.
    for (const res of streams) res.end(() => res.socket?.destroy());
    server.closeIdleConnections();
    // A request that began before the shutdown ends with a keep-alive response and
    // leaves its connection idle: close such connections as they become idle.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    // Requests in flight get 3 s to finish (their events to reach the disk); then the connections go.
    const deadline = setTimeout(() => server.closeAllConnections(), 3000);
    await closed;
    clearInterval(sweep);
    clearTimeout(deadline);
    await log.close();
  }

  return { port: (server.address() as AddressInfo).port, notices: replay.notices, events: () => events.length, close };
}
