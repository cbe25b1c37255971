// Lesson 08: stream-error-crash, fd-leak-on-abort, buffers-whole-file.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream';
import {
  CHILD_PRELUDE,
  HOST,
  makeTempDir,
  rawExchange,
  removeDir,
  startChild,
  startChildServer,
  startServer,
  withDeadline,
} from './support.ts';

describe('streaming a file that does not exist', () => {
  it("createReadStream(missing).pipe(res) crashes the process with ENOENT (unhandled 'error')", async () => {
    const { child, port } = await startChildServer(`${CHILD_PRELUDE}
      const server = http.createServer((req, res) => {
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        fs.createReadStream('./no-such-file.txt').pipe(res);
      });
      listen(server);
    `);
    try {
      await rawExchange(port, ['GET /files/no-such-file.txt HTTP/1.1\r\nHost: localhost\r\n\r\n'], { readMs: 1_000 });
      const exit = await child.exit(10_000);
      expect(exit.timedOut).toBe(false);
      expect(exit.code).toBe(1);
      expect(exit.stderr).toContain('ENOENT');
    } finally {
      await child.dispose();
    }
  });

  it('pipeline() passes ENOENT to its callback and destroys res: the client gets 0 bytes', async () => {
    const dir = await makeTempDir();
    let callbackError: string | undefined;
    const srv = await startServer((_req, res) => {
      pipeline(fs.createReadStream(path.join(dir, 'no-such-file.txt')), res, (err) => {
        callbackError = (err as NodeJS.ErrnoException | null | undefined)?.code ?? 'none';
      });
    });
    try {
      const result = await rawExchange(srv.port, ['GET /files/no-such-file.txt HTTP/1.1\r\nHost: localhost\r\n\r\n'], {
        readMs: 1_000,
      });
      expect(callbackError).toBe('ENOENT');
      expect(result.data.length).toBe(0);
      expect(result.closed).toBe(true);
    } finally {
      await srv.close();
      await removeDir(dir);
    }
  });
});

describe('a client that disconnects mid-download', () => {
  // The child serves a 32 MiB (sparse) file with .pipe() or pipeline(), aborts 20 downloads
  // itself after the first bytes, then reports how many read streams never closed and, on
  // Linux, how many descriptors in /proc/self/fd still point at the file.
  const source = `${CHILD_PRELUDE}
    import { pipeline } from 'node:stream';
    import path from 'node:path';
    const mode = process.argv[2];
    const FILE = path.resolve('big.bin');
    fs.closeSync(fs.openSync(FILE, 'w'));
    fs.truncateSync(FILE, 32 * 1024 * 1024);
    const open = new Set();
    const countFds = () => {
      if (process.platform !== 'linux') return -1;
      let n = 0;
      for (const fd of fs.readdirSync('/proc/self/fd')) {
        try { if (fs.readlinkSync('/proc/self/fd/' + fd) === FILE) n += 1; } catch {}
      }
      return n;
    };
    const server = http.createServer((req, res) => {
      const stream = fs.createReadStream(FILE);
      open.add(stream);
      stream.on('close', () => open.delete(stream));
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': 32 * 1024 * 1024 });
      if (mode === 'pipe') stream.pipe(res);
      else pipeline(stream, res, () => {});
    });
    server.listen(0, '127.0.0.1', async () => {
      const port = server.address().port;
      for (let i = 0; i < 20; i += 1) {
        await new Promise((resolve) => {
          const socket = net.connect(port, '127.0.0.1');
          socket.on('error', () => {});
          socket.once('data', () => socket.destroy());
          socket.on('close', resolve);
          socket.write('GET /files/big.bin HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n');
        });
      }
      await new Promise((r) => setTimeout(r, 300));
      console.log('RESULT ' + JSON.stringify({ openStreams: open.size, fds: countFds() }));
      server.close();
      server.closeAllConnections();
      process.exit(0);
    });
  `;

  it('with .pipe() the file stays open (20 aborts leave 20 open streams, and 20 fds on Linux); with pipeline() it is closed', async () => {
    const viaPipe = await startChild(source, { args: ['pipe'] });
    const viaPipeline = await startChild(source, { args: ['pipeline'] });
    try {
      const [a, b] = await Promise.all([viaPipe.exit(20_000), viaPipeline.exit(20_000)]);
      const leaky = JSON.parse(/RESULT (.*)/.exec(a.stdout)?.[1] ?? 'null') as { openStreams: number; fds: number } | null;
      const clean = JSON.parse(/RESULT (.*)/.exec(b.stdout)?.[1] ?? 'null') as { openStreams: number; fds: number } | null;
      expect(leaky, a.stderr).not.toBeNull();
      expect(clean, b.stderr).not.toBeNull();
      expect(leaky!.openStreams).toBe(20);
      expect(clean!.openStreams).toBe(0);
      if (process.platform === 'linux') {
        expect(leaky!.fds).toBe(20);
        expect(clean!.fds).toBe(0);
      }
      // elsewhere: /proc/self/fd does not exist; the open-stream count above is the evidence
    } finally {
      await viaPipe.dispose();
      await viaPipeline.dispose();
    }
  });
});

describe('memory while serving a 128 MiB file', () => {
  // The server child samples its RSS every 5 ms and reports the peak growth over its
  // baseline once the download finished. The client (this worker) discards the bytes.
  const source = `${CHILD_PRELUDE}
    import path from 'node:path';
    const mode = process.argv[2];
    const SIZE = 128 * 1024 * 1024;
    const FILE = path.resolve('big.bin');
    fs.closeSync(fs.openSync(FILE, 'w'));
    fs.truncateSync(FILE, SIZE);
    let baseline = 0;
    let peak = 0;
    const sample = () => { peak = Math.max(peak, process.memoryUsage.rss()); };
    setInterval(sample, 5);
    const server = http.createServer((req, res) => {
      // 'close', not 'finish': the client may close first (it has all Content-Length bytes)
      res.on('close', () => { sample(); console.log('GROWTH_MIB ' + ((peak - baseline) / 1048576).toFixed(1)); });
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': SIZE });
      if (mode === 'stream') fs.createReadStream(FILE).pipe(res);
      else fs.readFile(FILE, (err, data) => { sample(); res.end(data); });
    });
    server.listen(0, '127.0.0.1', () => {
      baseline = process.memoryUsage.rss();
      peak = baseline;
      console.log('PORT ' + server.address().port);
    });
  `;

  /** Downloads the file (all of it, or only up to the response head) and returns the byte count. */
  async function download(port: number, onlyHead = false): Promise<number> {
    return withDeadline(
      new Promise<number>((resolve, reject) => {
        const req = http.get({ host: HOST, port, path: '/files/big.bin', agent: false }, (res) => {
          if (onlyHead) {
            resolve(Number(res.headers['content-length']));
            req.destroy();
            return;
          }
          let bytes = 0;
          res.on('data', (c: Buffer) => (bytes += c.length));
          res.on('end', () => resolve(bytes));
          res.on('error', reject);
        });
        req.on('error', reject);
      }),
      30_000,
      '128 MiB download',
    );
  }

  it('a streaming server grows by far less than the file; readFile + res.end(buffer) grows by about the file size', async () => {
    const started = await Promise.allSettled([
      startChildServer(source, { args: ['stream'] }),
      startChildServer(source, { args: ['readFile'] }),
    ]);
    try {
      const [streaming, whole] = started.map((s) => {
        if (s.status === 'rejected') throw s.reason;
        return s.value;
      });
      // readFile + end(buffer) sends its first byte only once the whole file is in memory,
      // so that download can stop at the response head
      const measure = async (
        server: { port: number; child: { waitFor(p: RegExp, ms: number): Promise<RegExpMatchArray> } },
        onlyHead: boolean,
      ) => {
        expect(await download(server.port, onlyHead)).toBe(128 * 1024 * 1024);
        return Number((await server.child.waitFor(/GROWTH_MIB ([\d.]+)/, 10_000))[1]);
      };
      const [streamGrowth, wholeGrowth] = await Promise.all([measure(streaming, false), measure(whole, true)]);
      expect(streamGrowth).toBeLessThan(64);
      expect(wholeGrowth).toBeGreaterThan(110);
    } finally {
      for (const s of started) if (s.status === 'fulfilled') await s.value.child.dispose();
    }
  });
});

