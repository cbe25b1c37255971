// Corrections to what the lessons and pitfall pages used to claim (issue 8,
// section 5), each shown on the running Node. Where a page's code is the claim,
// the test reads that code from the page itself (markdown-code.ts), so the page
// and its proof cannot drift apart.
import { describe, it, expect } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import http from 'node:http';
import net from 'node:net';
import { pipeline } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { blockStartingWith } from './markdown-code.ts';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CHILD_PRELUDE,
  HOST,
  makeTempDir,
  rawExchange,
  removeDir,
  runChild,
  sleep,
  startChildServer,
  startServer,
  statusOf,
  withDeadline,
  type Part,
} from './support.ts';

/** Every status line in the bytes received, in order. */
function statuses(data: Buffer): number[] {
  return [...data.toString('latin1').matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
}

/** A port where nothing listens: bound, then released. */
async function refusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const hasCurl = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
})();

// ---------------------------------------------------------------------------
// Lesson 13 and the proxy pitfall pages

describe.concurrent('lesson 13: forwarding the request body to an upstream that fails', () => {
  type Forward = 'pipeline' | 'pipe+resume' | 'pipe';

  /**
   * A proxy whose upstream refuses every connection. It answers 502 once, and
   * forwards the body with `forward`. A raw keep-alive client sends a POST whose
   * body is still arriving when the upstream fails (or, with `completeBody`, all
   * at once), then a GET on the same connection, and reads for 1.5 s.
   */
  async function postThenGet(forward: Forward, completeBody = false) {
    const deadPort = await refusedPort();
    let socketAfterPipeline: unknown = 'not called';
    const proxy = await startServer((req, res) => {
      if (req.method === 'GET') {
        res.end('second');
        return;
      }
      const upstreamReq = http.request({ host: HOST, port: deadPort, method: req.method, path: req.url, headers: req.headers });
      upstreamReq.on('error', () => {
        if (!res.headersSent) {
          res.writeHead(502, { 'Content-Type': 'application/json' });
          res.end('{"error":"Bad gateway"}');
        }
        if (forward === 'pipe+resume') req.resume();
      });
      if (forward === 'pipeline') {
        pipeline(req, upstreamReq, () => {
          socketAfterPipeline = req.socket;
        });
      } else {
        req.pipe(upstreamReq);
      }
    });
    const body = Buffer.alloc(100_000, 0x61);
    const parts: Part[] = [`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`];
    if (completeBody) parts.push(body, { pauseMs: 300 });
    else parts.push(body.subarray(0, 1_000), { pauseMs: 300 }, body.subarray(1_000), { pauseMs: 300 });
    parts.push('GET /next HTTP/1.1\r\nHost: x\r\n\r\n');
    try {
      const result = await rawExchange(proxy.port, parts, { until: (data) => data.includes('second'), readMs: 1_500, deadlineMs: 5_000 });
      return { result, socketAfterPipeline };
    } finally {
      await proxy.close();
    }
  }

  it('pipeline(req, upstreamReq) with body bytes still arriving: no reset, the connection stays open, and the next request on it is never answered', async () => {
    const { result, socketAfterPipeline } = await postThenGet('pipeline');
    expect(statuses(result.data)).toEqual([502]);
    expect(result.error).toBeUndefined(); // no ECONNRESET
    expect(result.closed).toBe(false); // nobody closed it either
    expect(result.data.includes('second')).toBe(false);
    // pipeline detached the socket from the request before destroying it.
    expect(socketAfterPipeline).toBeNull();
  });

  it('pipeline(req, upstreamReq) after the whole body had arrived: the next request is answered', async () => {
    const { result } = await postThenGet('pipeline', true);
    expect(statuses(result.data)).toEqual([502, 200]);
  });

  it('req.pipe(upstreamReq) plus req.resume() on the upstream error keeps the connection usable: 502, then the next request is answered', async () => {
    const { result } = await postThenGet('pipe+resume');
    expect(statuses(result.data)).toEqual([502, 200]);
    expect(result.closed).toBe(false);
  });

  it('req.pipe(upstreamReq) without req.resume(): the rest of the body is never read, and the next request hangs too', async () => {
    const { result } = await postThenGet('pipe');
    expect(statuses(result.data)).toEqual([502]);
    expect(result.data.includes('second')).toBe(false);
  });
});

describe.concurrent('lesson 13: hop-by-hop headers from the upstream', () => {
  const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization'];
  const endToEnd = (headers: http.IncomingHttpHeaders) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.includes(name)));

  it("passing upstreamRes.headers to writeHead copies the upstream's 'Connection: close' and closes the client's keep-alive connection; end-to-end headers only keep it open", async () => {
    // An upstream that closes each of its own connections (RFC 9112 §9.6).
    const upstream = await startServer((_req, res) => {
      res.setHeader('Connection', 'close');
      res.end('from upstream');
    });
    const proxy = await startServer((req, res) => {
      const upstreamReq = http.request({ host: HOST, port: upstream.port, path: req.url }, (upstreamRes) => {
        const headers = req.url === '/raw' ? upstreamRes.headers : endToEnd(upstreamRes.headers);
        res.writeHead(upstreamRes.statusCode ?? 502, headers);
        pipeline(upstreamRes, res, () => {});
      });
      upstreamReq.on('error', () => res.destroy());
      upstreamReq.end();
    });
    const twice = (path: string) =>
      rawExchange(proxy.port, [`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`, { pauseMs: 300 }, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`], { readMs: 500 });
    try {
      const [raw, filtered] = await Promise.all([twice('/raw'), twice('/filtered')]);
      expect(raw.data.toString('latin1')).toMatch(/\r\nconnection: close\r\n/i);
      expect(statuses(raw.data)).toEqual([200]);
      expect(raw.closed).toBe(true);
      expect(statuses(filtered.data)).toEqual([200, 200]);
      expect(filtered.data.toString('latin1')).toMatch(/\r\nConnection: keep-alive\r\n/);
      expect(filtered.closed).toBe(false);
    } finally {
      await proxy.close();
      await upstream.close();
    }
  });
});

// ---------------------------------------------------------------------------
// Lesson 05 and the body-limit pitfall pages

/** Lesson 05's own helpers, read from the lesson text. */
function lesson05Helpers(): string {
  const refuse = blockStartingWith('05-body-limit/lesson.md', 'function refuseTooLarge(req, res) {').code;
  return `
    function sendJson(res, status, data) {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(data));
    }
    ${refuse}
  `;
}

/** A child server whose POST handler is `snippet`, with tooLarge = lesson 05's refuseTooLarge. */
function snippetServer(snippet: string): string {
  return `${CHILD_PRELUDE}
    ${lesson05Helpers()}
    const tooLarge = refuseTooLarge;
    const handle = (res, body) => sendJson(res, 200, { bytes: body.length });
    const server = http.createServer((req, res) => {
      if (req.method !== 'POST') return sendJson(res, 200, { alive: true });
      const LIMIT = 1024 * 1024;
      const chunks = [];
      {
        ${snippet}
      }
    });
    listen(server);
  `;
}

/** A 3 MiB chunked upload in 64 KiB chunks, then a GET on the same connection. */
function chunkedUploadThenGet(): Part[] {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const parts: Part[] = ['POST /api/users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'];
  for (let i = 0; i < 48; i++) parts.push(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
  parts.push('0\r\n\r\n', { pauseMs: 200 }, 'GET /alive HTTP/1.1\r\nHost: x\r\n\r\n');
  return parts;
}

describe.concurrent('pitfalls limit-checked-after-end and no-body-limit: answering 413 once', () => {
  it("the old snippet (tooLarge() on every chunk past the limit) with lesson 05's helper: the second call throws ERR_HTTP_HEADERS_SENT and the process dies", async () => {
    const oldSnippet = `
      let size = 0;
      req.on('data', (chunk) => {
        size += chunk.length;
        if (size > LIMIT) tooLarge(req, res);
        else chunks.push(chunk);
      });
    `;
    const { child, port } = await startChildServer(snippetServer(oldSnippet));
    try {
      await rawExchange(port, chunkedUploadThenGet(), { readMs: 500, deadlineMs: 5_000 });
      const exit = await child.exit(5_000);
      expect(exit.timedOut).toBe(false);
      expect(exit.code).toBe(1);
      expect(exit.stderr).toContain('ERR_HTTP_HEADERS_SENT');
    } finally {
      await child.dispose();
    }
  });

  for (const file of ['pitfalls/limit-checked-after-end.md', 'pitfalls/no-body-limit.md']) {
    it(`the "Right" snippet of ${file} answers one 413 to a 3 MiB chunked body, keeps the connection usable and the server alive`, async () => {
      const snippet = blockStartingWith(file, '// Right').code;
      const { child, port } = await startChildServer(snippetServer(snippet));
      try {
        const result = await rawExchange(port, chunkedUploadThenGet(), { until: (data) => data.includes('"alive":true'), readMs: 1_000, deadlineMs: 6_000 });
        expect(statuses(result.data)).toEqual([413, 200]);
        expect(result.data.toString('latin1')).toContain('{"error":"Payload too large"}');
        // A small body still gets through the same handler.
        const small = await rawExchange(port, ['POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello'], { until: (data) => data.includes('}'), deadlineMs: 3_000 });
        expect(small.data.toString('latin1')).toContain('{"bytes":5}');
        expect(child.alive()).toBe(true);
      } finally {
        await child.dispose();
      }
    });
  }
});

describe.concurrent('lesson 05: a 413 to a client that sent Connection: close', () => {
  /** A server that answers with lesson 05's refuseTooLarge as soon as it sees Content-Length. */
  async function lesson05Server() {
    const { child, port } = await startChildServer(`${CHILD_PRELUDE}
      ${lesson05Helpers()}
      listen(http.createServer((req, res) => refuseTooLarge(req, res)));
    `);
    return { child, port };
  }

  /**
   * Sends the head of a 20 MB upload and 256 KiB of it, then reads (without
   * sending) until the whole 413 is in and for 500 ms more; then keeps sending
   * 64 KiB every 10 ms for 800 ms or until a write fails. Both stay inside the
   * lesson's 2 s drain bound, after which the server hangs up on purpose.
   */
  async function uploadAndWatch(port: number, connection: 'close' | 'keep-alive') {
    // allowHalfOpen: the server's FIN must not make this socket end its own side.
    const socket = net.connect({ port, host: HOST, allowHalfOpen: true });
    let received = '';
    let serverEnded = false;
    let error: string | undefined;
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('end', () => (serverEnded = true));
    socket.on('error', (err: NodeJS.ErrnoException) => (error ??= err.code));
    try {
      await withDeadline(new Promise((resolve) => socket.once('connect', resolve)), 3_000, 'connect');
      socket.write(`POST /api/users HTTP/1.1\r\nHost: x\r\nConnection: ${connection}\r\nContent-Length: 20000000\r\n\r\n`);
      socket.write(Buffer.alloc(256 * 1024, 0x61));
      const answered = Date.now();
      while (!received.includes('Payload too large"}') && Date.now() - answered < 3_000) await sleep(10);
      await sleep(500);
      const endedWhileSending = serverEnded;
      const answer = received;
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const started = Date.now();
      while (error === undefined && !socket.destroyed && Date.now() - started < 800) {
        socket.write(chunk);
        await sleep(10);
      }
      return { answer, endedWhileSending, writeError: error };
    } finally {
      socket.destroy();
    }
  }

  it('Node closes the connection right after the 413 although the body is still coming; the next writes hit a reset (EPIPE or ECONNRESET), with the 413 already delivered to the socket', async () => {
    const { child, port } = await lesson05Server();
    try {
      const result = await uploadAndWatch(port, 'close');
      // The whole answer had arrived before anything went wrong: a client that
      // reads it before its next write fails shows it, one that fails first loses it.
      expect(statusOf(Buffer.from(result.answer, 'latin1'))).toBe(413);
      expect(result.answer).toContain('{"error":"Payload too large"}');
      expect(result.endedWhileSending).toBe(true);
      expect(['EPIPE', 'ECONNRESET']).toContain(result.writeError);
    } finally {
      await child.dispose();
    }
  });

  it("the lesson's way around it: a complete 413 sent with res.write() and res.end() only after the drain keeps even a Connection: close connection open: no reset", async () => {
    const { child, port } = await startChildServer(`${CHILD_PRELUDE}
      listen(http.createServer((req, res) => {
        const body = JSON.stringify({ error: 'Payload too large' });
        res.writeHead(413, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.write(body);
        const timer = setTimeout(() => { res.end(); req.socket.destroy(); }, 2000);
        req.on('end', () => { clearTimeout(timer); res.end(); });
        req.resume();
      }));
    `);
    try {
      const result = await uploadAndWatch(port, 'close');
      expect(statusOf(Buffer.from(result.answer, 'latin1'))).toBe(413);
      expect(result.answer).toContain('{"error":"Payload too large"}');
      expect(result.endedWhileSending).toBe(false);
      expect(result.writeError).toBeUndefined();
    } finally {
      await child.dispose();
    }
  });

  it('on a keep-alive connection the same server keeps the connection open and reading while it drains: no reset', async () => {
    const { child, port } = await lesson05Server();
    try {
      const result = await uploadAndWatch(port, 'keep-alive');
      expect(statusOf(Buffer.from(result.answer, 'latin1'))).toBe(413);
      expect(result.endedWhileSending).toBe(false);
      expect(result.writeError).toBeUndefined();
    } finally {
      await child.dispose();
    }
  });
});

describe.concurrent('lesson 05: does the client stop sending once it has the 413?', () => {
  const SIZE = 20_000_000;

  /** An in-process server that answers 413 at once, then counts what it drains for up to 3 s. */
  async function countingServer() {
    const drained = { bytes: 0, ended: false };
    const srv = await startServer((req, res) => {
      res.writeHead(413, { 'Content-Type': 'application/json' });
      res.end('{"error":"Payload too large"}');
      const timer = setTimeout(() => req.socket.destroy(), 3_000);
      req.on('data', (chunk: Buffer) => (drained.bytes += chunk.length));
      req.on('end', () => {
        drained.ended = true;
        clearTimeout(timer);
      });
      req.on('close', () => clearTimeout(timer));
      req.resume();
    });
    return { srv, drained };
  }

  it("Node's http.request does not: it sends the whole 20 MB body after the 413 has arrived", async () => {
    const { srv, drained } = await countingServer();
    const agent = new http.Agent({ keepAlive: true });
    try {
      const status = await withDeadline(
        new Promise<number>((resolve, reject) => {
          const req = http.request({ host: HOST, port: srv.port, method: 'POST', path: '/api/users', agent, headers: { 'Content-Length': SIZE } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end(Buffer.alloc(SIZE, 0x61));
        }),
        8_000,
        '20 MB upload',
      );
      const deadline = Date.now() + 3_000;
      while (!drained.ended && Date.now() < deadline) await sleep(20);
      expect(status).toBe(413);
      expect(drained.ended).toBe(true);
      expect(drained.bytes).toBe(SIZE);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  it.skipIf(!hasCurl)('curl does (skipped when curl is not installed): it stops sending and hangs up, the server drains only part of the 20 MB', async () => {
    const { srv, drained } = await countingServer();
    const dir = await makeTempDir();
    const file = path.join(dir, 'big.bin');
    try {
      await writeFile(file, Buffer.alloc(SIZE, 0x61));
      const status = await new Promise<string>((resolve) => {
        execFile('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--data-binary', `@${file}`, `http://${HOST}:${srv.port}/api/users`], { timeout: 10_000 }, (_err, stdout) =>
          resolve(stdout),
        );
      });
      await sleep(300);
      expect(status).toBe('413');
      expect(drained.ended).toBe(false);
      expect(drained.bytes).toBeLessThan(SIZE);
    } finally {
      await srv.close();
      await removeDir(dir);
    }
  });
});

// ---------------------------------------------------------------------------
// Lesson 02: an empty Host from curl

describe.concurrent('lesson 02: sending an empty Host', () => {
  it("a request line 'Host:' with nothing after it reaches the handler as req.headers.host === ''", async () => {
    let host: unknown = 'not called';
    const srv = await startServer((req, res) => {
      host = req.headers.host;
      res.end('ok');
    });
    try {
      const result = await rawExchange(srv.port, ['GET /x HTTP/1.1\r\nHost:\r\n\r\n'], { until: (data) => data.includes('ok'), deadlineMs: 3_000 });
      expect(statusOf(result.data)).toBe(200);
      expect(host).toBe('');
    } finally {
      await srv.close();
    }
  });

  it.skipIf(!hasCurl)("curl -H 'Host;' sends exactly one 'Host:' line with an empty value (skipped when curl is not installed)", async () => {
    let head = '';
    const server = net.createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        head += chunk.toString('latin1');
        if (head.includes('\r\n\r\n')) socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, HOST, () => resolve()));
    const { port } = server.address() as net.AddressInfo;
    try {
      await new Promise<void>((resolve) => execFile('curl', ['-s', '-H', 'Host;', `http://${HOST}:${port}/x`], { timeout: 5_000 }, () => resolve()));
      const hostLines = head.split('\r\n').filter((line) => /^host\s*:/i.test(line));
      expect(hostLines).toEqual(['Host:']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

// ---------------------------------------------------------------------------
// Lesson 08: node does not run .ts files

describe.concurrent('lesson 08: a TypeScript server', () => {
  // Like the lesson's server: ES module syntax and a type annotation. (A .ts file
  // with no import or export is loaded as CommonJS instead, and stops at the
  // first type annotation with a SyntaxError.)
  const program = [
    "import path from 'node:path';",
    "const root: string = path.resolve(process.argv[2] ?? 'none');",
    "console.log('ROOT ' + root);",
    '',
  ].join('\n');

  it("`node server.ts ./public` fails on Node 20 with ERR_UNKNOWN_FILE_EXTENSION", async () => {
    const result = await runChild(program, { filename: 'server.ts', args: ['./public'], deadlineMs: 10_000 });
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ERR_UNKNOWN_FILE_EXTENSION');
    expect(result.stdout).not.toContain('ROOT');
  });

  it('with tsx loaded (what `httpdojo run` does) the same file runs and gets ./public as argv[2]', async () => {
    const tsxUrl = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const result = await runChild(program, { filename: 'server.ts', args: ['./public'], nodeArgs: ['--import', tsxUrl], deadlineMs: 15_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ROOT \/.*\/public\n/);
  });
});

// ---------------------------------------------------------------------------
// Pitfall slowloris-unbounded: where connectionsCheckingInterval can be set

describe.concurrent('slowloris-unbounded: setting the limits on the server object', () => {
  /** Trickles one header line every 300 ms for 3.6 s. */
  const trickle = (): Part[] => {
    const parts: Part[] = ['GET / HTTP/1.1\r\nHost: localhost\r\n'];
    for (let i = 0; i < 12; i++) parts.push({ pauseMs: 300 }, `X-Slow-${i}: 1\r\n`);
    return parts;
  };
  // @types/node 20 does not declare the property, although Node reads it at listen().
  const limit = (server: http.Server) => {
    server.headersTimeout = 2_000;
    server.requestTimeout = 5_000;
    (server as http.Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 250;
  };

  it('set after createServer() and before listen(): a trickling client gets 408 a little over 2 s after connecting', async () => {
    const srv = await startServer((_req, res) => res.end('ok'), {}, limit);
    try {
      const result = await rawExchange(srv.port, trickle(), { readMs: 0, deadlineMs: 5_000 });
      expect(statusOf(result.data)).toBe(408);
      expect(result.closed).toBe(true);
      expect(result.closedAtMs).toBeGreaterThanOrEqual(1_950);
      expect(result.closedAtMs).toBeLessThan(2_900);
    } finally {
      await srv.close();
    }
  });

  it('set after listen(): the interval stays 30 s, and the same client is still connected after 3.6 s', async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    limit(srv.server);
    try {
      const result = await rawExchange(srv.port, trickle(), { readMs: 0, deadlineMs: 5_000 });
      expect(result.data.length).toBe(0);
      expect(result.closed).toBe(false);
      expect(result.elapsedMs).toBeGreaterThanOrEqual(3_500);
    } finally {
      await srv.close();
    }
  });
});

// ---------------------------------------------------------------------------
// Lesson 12: which agents send Connection: close

describe.concurrent('lesson 12: the Connection header an agent sends', () => {
  it('only a bare new http.Agent() (and agent: false) send Connection: close; Agent({ maxSockets: 4 }) sends keep-alive', async () => {
    const seen: Array<string | undefined> = [];
    const srv = await startServer((req, res) => {
      seen.push(req.headers.connection);
      res.end('ok');
    });
    const agents: Array<[string, http.Agent | false | undefined]> = [
      ['http.globalAgent', undefined],
      ['agent: false', false],
      ['new http.Agent()', new http.Agent()],
      ['new http.Agent({ maxSockets: 4 })', new http.Agent({ maxSockets: 4 })],
      ['new http.Agent({ keepAlive: true })', new http.Agent({ keepAlive: true })],
    ];
    try {
      const header: Record<string, string | undefined> = {};
      for (const [name, agent] of agents) {
        await withDeadline(
          new Promise<void>((resolve, reject) => {
            http.get(`http://${HOST}:${srv.port}/`, { agent }, (res) => {
              res.resume();
              res.on('end', () => resolve());
            }).on('error', reject);
          }),
          3_000,
          name,
        );
        header[name] = seen.at(-1);
      }
      expect(header).toEqual({
        'http.globalAgent': 'keep-alive',
        'agent: false': 'close',
        'new http.Agent()': 'close',
        'new http.Agent({ maxSockets: 4 })': 'keep-alive',
        'new http.Agent({ keepAlive: true })': 'keep-alive',
      });
    } finally {
      for (const [, agent] of agents) if (agent) agent.destroy();
      await srv.close();
    }
  });

  it('Agent({ maxSockets: 4 }) says keep-alive, yet closes a connection nobody is waiting for: 3 requests one after another use 3 connections', async () => {
    const srv = await startServer((req, res) => {
      res.end(req.headers.connection ?? '');
    });
    const agent = new http.Agent({ maxSockets: 4 });
    try {
      const bodies: string[] = [];
      for (let i = 0; i < 3; i++) {
        bodies.push(
          await withDeadline(
            new Promise<string>((resolve, reject) => {
              http.get(`http://${HOST}:${srv.port}/${i}`, { agent }, (res) => {
                let body = '';
                res.setEncoding('utf8');
                res.on('data', (chunk: string) => (body += chunk));
                res.on('end', () => resolve(body));
              }).on('error', reject);
            }),
            3_000,
            `request ${i}`,
          ),
        );
        await sleep(20);
      }
      expect(bodies).toEqual(['keep-alive', 'keep-alive', 'keep-alive']);
      expect(srv.connections()).toBe(3);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });
});

// ---------------------------------------------------------------------------
// Lesson 14: where the shutdown flag is read

describe.concurrent("lesson 14: when to read the shutdown flag for 'Connection: close'", () => {
  /** Lesson 14's server and SIGTERM handler; `where` says when the flag is read. */
  const server = (where: 'top-of-handler' | 'when-responding') => `${CHILD_PRELUDE}
    let shuttingDown = false;
    const server = http.createServer({ keepAliveTimeout: 1000 }, (req, res) => {
      if (${JSON.stringify(where)} === 'top-of-handler' && shuttingDown) res.setHeader('Connection', 'close');
      const ms = Number(new URL(req.url, 'http://localhost').searchParams.get('ms')) || 0;
      setTimeout(() => {
        if (${JSON.stringify(where)} === 'when-responding' && shuttingDown) res.setHeader('Connection', 'close');
        res.end('{"done":true}');
      }, ms);
    });
    process.on('SIGTERM', () => {
      shuttingDown = true;
      server.close();
      server.closeIdleConnections();
      setTimeout(() => process.exit(1), 3000).unref();
    });
    listen(server);
  `;

  /** /work?ms=800 in flight, SIGTERM 100 ms later: how the answer looked and when the process ended. */
  async function shutdown(where: Parameters<typeof server>[0]) {
    const { child, port } = await startChildServer(server(where));
    try {
      const work = rawExchange(port, ['GET /work?ms=800 HTTP/1.1\r\nHost: x\r\n\r\n'], { readMs: 5_000, deadlineMs: 6_000 });
      await sleep(100);
      const signalled = Date.now();
      child.proc.kill('SIGTERM');
      const [answered, exit] = await Promise.all([work, child.exit(6_000).then((result) => ({ ...result, afterMs: Date.now() - signalled }))]);
      return { head: answered.data.toString('latin1').split('\r\n\r\n')[0], exit };
    } finally {
      await child.dispose();
    }
  }

  it('read at the top of the handler it misses the request already in flight: keep-alive, exit only about 2.7 s after the signal', async () => {
    const { head, exit } = await shutdown('top-of-handler');
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(head).toMatch(/\r\nConnection: keep-alive\r\n/);
    expect(exit.code).toBe(0);
    expect(exit.afterMs).toBeGreaterThanOrEqual(2_200);
  });

  it('read when the response is sent it catches that request: Connection: close, exit about 0.7 s after the signal', async () => {
    const { head, exit } = await shutdown('when-responding');
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(head).toMatch(/\r\nConnection: close\r\n/);
    expect(exit.code).toBe(0);
    expect(exit.afterMs).toBeLessThan(1_500);
  });
});
