// Lesson 13: what Node 20 does when an upstream fails AFTER its response head, the
// case lesson 13's contract leaves open. Its check.ts header documents two mutation
// survivors (pipeline-to-pipe#1, drop-return-after-answer#1) as out of contract with
// these facts, and header-after-write#2 as harmless with the last one: if Node changes
// any of them, those "why"s must be re-checked.
import { describe, it, expect } from 'vitest';
import http from 'node:http';
import { PassThrough, Readable, Writable } from 'node:stream';
import { HOST, startServer, withDeadline, type RunningServer } from './support.ts';

type Ending = 'fin' | 'rst' | 'bad-chunk';

/** An upstream that sends a 200 head and `first`, then ends the connection the given way. */
function failingUpstream(ending: Ending): Promise<RunningServer> {
  return startServer((req, res) => {
    req.resume();
    const socket = res.socket!;
    if (ending === 'bad-chunk') {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n');
      setTimeout(() => socket.write('zz\r\nbroken\r\n'), 30);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('first');
    setTimeout(() => (ending === 'rst' ? socket.resetAndDestroy() : socket.destroy()), 30);
  });
}

/** GETs from the upstream; records the request's and the response's events until the response closed (bounded). */
async function eventsAfterHead(ending: Ending, listenOnResponse: boolean): Promise<{ events: string[]; piped: PassThrough }> {
  const upstream = await failingUpstream(ending);
  const events: string[] = [];
  const piped = new PassThrough();
  try {
    await withDeadline(new Promise<void>((resolve) => {
      const req = http.get({ host: HOST, port: upstream.port, path: '/', agent: false }, (res) => {
        events.push('response');
        if (listenOnResponse) res.on('error', (err) => events.push(`res error ${err.message}`));
        res.on('end', () => events.push('res end'));
        res.on('close', () => setTimeout(resolve, 50));
        res.pipe(piped);
      });
      req.on('error', (err) => events.push(`req error ${(err as NodeJS.ErrnoException).code}`));
    }), 5_000, `response close after ${ending}`);
  } finally {
    await upstream.close();
  }
  return { events, piped };
}

describe.concurrent('lesson 13: an upstream that fails after its response head', () => {
  it("a FIN: no 'error' on the request; the response's \"aborted\" 'error' reaches only a listener; pipe() leaves its destination open", async () => {
    const [bare, listened] = await Promise.all([eventsAfterHead('fin', false), eventsAfterHead('fin', true)]);
    expect(bare.events).toEqual(['response']);
    expect(listened.events).toEqual(['response', 'res error aborted']);
    expect(bare.piped.writableEnded).toBe(false);
  });

  it("a RST or a malformed chunk after the head: 'error' on the request itself, after 'response'", async () => {
    const [rst, badChunk] = await Promise.all([eventsAfterHead('rst', false), eventsAfterHead('bad-chunk', false)]);
    expect(rst.events).toEqual(['response', 'req error ECONNRESET']);
    expect(badChunk.events).toEqual(['response', 'req error HPE_INVALID_CHUNK_SIZE']);
  });

  it('writeHead once the head was sent throws ERR_HTTP_HEADERS_SENT, also after res.destroy()', async () => {
    let thrown: unknown;
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      res.write('part');
      res.destroy();
      try {
        res.writeHead(502);
      } catch (err) {
        thrown = err;
      }
    });
    try {
      await withDeadline(new Promise<void>((resolve) => {
        http.get({ host: HOST, port: server.port, agent: false }, (res) => res.on('error', () => resolve()).resume()).on('error', () => resolve());
      }), 5_000, 'destroyed response');
    } finally {
      await server.close();
    }
    expect((thrown as NodeJS.ErrnoException | undefined)?.code).toBe('ERR_HTTP_HEADERS_SENT');
  });

  it('pipe() writes nothing synchronously, even from a source with data already buffered (resume waits for nextTick)', async () => {
    const source = new Readable({ read() {} });
    source.push('buffered');
    source.push(null);
    const written: string[] = [];
    // A Writable's write() runs as soon as pipe() writes: a synchronous write shows here.
    const dest = new Writable({ write(chunk: Buffer, _encoding, done) { written.push(String(chunk)); done(); } });
    source.pipe(dest);
    const synchronously = written.length;
    await withDeadline(new Promise((resolve) => dest.on('finish', resolve)), 2_000, 'pipe finish');
    expect(synchronously).toBe(0);
    expect(written.join('')).toBe('buffered');
  });
});
