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
import {
  CHILD_PRELUDE,
  HOST,
  rawExchange,
  runChild,
  sleep,
  startChild,
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
