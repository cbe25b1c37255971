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
import { readBody, RateLimiter, refuse, send, sendJson } from './http-util.js';
import { LiveStreams } from './live.js';
import { validateBody, validateThresholds, type AnyEvent } from './schema.js';
import type { QuestionTitle } from './quiz-state.js';
import { viewOf } from './state.js';
import { RoomStore, type StoreResult } from './store.js';

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
const MENTOR_PATHS = new Set(['/board', '/stream', '/export.csv', '/export.json']);
/**
 * The learners' post, the hot path: a target of these characters only is its own
 * pathname (no query, %-escape, dot segment or absolute form for URL to resolve),
 * so it skips the URL parser; any other target goes through it.
 */
const PLAIN_EVENTS = /^\/r\/[A-Za-z0-9]+\/events$/;

export async function startBoard(options: BoardOptions): Promise<Board> {
  const store = await RoomStore.open(options.dir);
  const routes = new Routes(options, store);
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
      routes.handle(req, res).catch(() => {
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

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // The port is taken (or the address is not ours): nothing was served; let go of the timers and the log.
    routes.live.close();
    await store.close();
    throw error;
  }

  async function close(): Promise<void> {
    if (routes.closing) return;
    routes.closing = true;
    routes.live.close();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // A request that began before the shutdown ends with a keep-alive response and
    // leaves its connection idle: close such connections as they become idle.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    // Requests in flight get 3 s to finish (their events to reach the disk); then the connections go.
    const deadline = setTimeout(() => server.closeAllConnections(), 3000);
    await closed;
    clearInterval(sweep);
    clearTimeout(deadline);
    await store.close();
  }

  return { port: (server.address() as AddressInfo).port, notices: store.notices, events: () => store.events.length, close };
}

/** What the board answers: learners' posts (the room code is the key) and the mentor's pages (the token is). */
class Routes {
  closing = false;
  readonly live: LiveStreams;
  private readonly limiter: RateLimiter;

  constructor(
    private readonly options: BoardOptions,
    private readonly store: RoomStore,
  ) {
    this.limiter = new RateLimiter(options.rate?.burst ?? 20, options.rate?.perSecond ?? 2);
    this.live = new LiveStreams(() => this.frame(), options.pushMs ?? 50);
  }

  private frame(): string {
    const { options, store } = this;
    return `data: ${JSON.stringify({ name: options.name, ...viewOf(store.room, Date.now(), options.lessons, options.questionTitle) })}\n\n`;
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.closing) res.setHeader('Connection', 'close');
    if (PLAIN_EVENTS.test(req.url ?? '')) return this.learner(req, res, req.url!);
    const url = new URL(req.url ?? '/', BASE);
    const path = url.pathname;
    if (path.startsWith('/r/')) return this.learner(req, res, path);
    // The page's script and style are public; the page itself only at /board, with the token.
    const asset = path === '/board.html' ? null : boardAsset(path);
    if (asset && req.method === 'GET') return send(res, 200, asset.type, asset.body, asset.headers);
    if (path === '/') return send(res, 200, 'text/plain; charset=utf-8', 'httpdojo classroom board. Learners: httpdojo join <the URL the mentor shows>.\n');
    if (!MENTOR_PATHS.has(path) && !path.startsWith('/board/')) {
      req.resume();
      return refuse(res, 404, 'not found');
    }
    if (!sameSecret(url.searchParams.get('token'), this.options.token)) {
      req.resume();
      return refuse(res, 401, 'the board needs the mentor token: open the board URL httpdojo classroom printed');
    }
    return this.mentor(req, res, path);
  }

  private async learner(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    const [, , code, ...rest] = path.split('/');
    if (!sameSecret(code ?? '', this.options.room)) {
      req.resume();
      return refuse(res, 404, 'no such room (check the join URL the mentor shows)');
    }
    const tail = rest.join('/');
    const method = req.method ?? 'GET';
    if (tail === 'events') {
      if (method !== 'POST') return refuse(res, 405, 'POST events here', { Allow: 'POST' });
      return this.postEvents(req, res);
    }
    const learner = /^learners\/([A-Za-z0-9_-]{8,64})$/.exec(tail);
    if (learner && method === 'GET') return sendJson(res, 200, { hands: this.store.handsOf(learner[1]) });
    if (tail === '' && method === 'GET') return sendJson(res, 200, { room: this.options.room, name: this.options.name, join: `httpdojo join <this URL>` });
    req.resume();
    return refuse(res, 404, 'not found');
  }

  private async postEvents(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
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
    if (!this.limiter.take(learner)) return refuse(res, 429, 'too many requests from this learner; try again shortly', { 'Retry-After': String(this.limiter.retryAfter()) });
    const result = await this.stored(res, checked.value, { 'Retry-After': '5' });
    if (!result) return;
    // Server-Timing: the board's own share of the acknowledgement (body read, validated, fsynced).
    sendJson(res, 200, { ok: true, ...result, hands: this.store.handsOf(learner) }, { 'Server-Timing': `ack;dur=${(performance.now() - began).toFixed(2)}` });
  }

  /** Stores the events, or answers 503 (and returns null) when the board cannot. */
  private async stored(res: http.ServerResponse, list: AnyEvent[], headers: http.OutgoingHttpHeaders = {}): Promise<StoreResult | null> {
    const { store } = this;
    if (store.broken || this.closing) {
      refuse(res, 503, store.broken ?? 'the board is shutting down', headers);
      return null;
    }
    try {
      const result = await store.store(list);
      if (result.accepted) this.live.changed();
      return result;
    } catch {
      refuse(res, 503, store.broken ?? 'the event log cannot be written', headers);
      return null;
    }
  }

  private async mentor(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    if (req.method === 'POST' && path.startsWith('/board/')) return this.mentorPost(req, res, path);
    if (req.method !== 'GET') {
      req.resume();
      return refuse(res, 405, 'GET only', { Allow: 'GET' });
    }
    if (path === '/board') {
      const page = boardAsset('/board.html')!;
      return send(res, 200, page.type, page.body, page.headers);
    }
    if (path === '/stream') return this.live.open(req, res);
    const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
    if (path === '/export.csv') return send(res, 200, 'text/csv; charset=utf-8', toCsv(this.store.events), { 'Content-Disposition': `attachment; filename="classroom-${stamp}.csv"` });
    return send(res, 200, 'application/json; charset=utf-8', toJson(this.store.events), { 'Content-Disposition': `attachment; filename="classroom-${stamp}.json"` });
  }

  private async mentorPost(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
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
      if (!this.store.room.hands.has(hand[1])) return refuse(res, 404, 'no such hand');
      if (data?.status !== 'on-my-way' && data?.status !== 'done') return refuse(res, 400, 'status must be "on-my-way" or "done"');
      event = { type: 'mentor', id, hand: hand[1], status: data.status };
    } else if (path === '/board/settings') {
      const checked = validateThresholds(data?.thresholds);
      if (!checked.ok) return refuse(res, 400, checked.reason);
      event = { type: 'settings', id, thresholds: checked.value };
    } else return refuse(res, 404, 'not found');
    if (await this.stored(res, [event])) sendJson(res, 200, { ok: true });
  }
}
