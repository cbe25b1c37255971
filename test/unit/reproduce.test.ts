// The reproduce commands of src/report/reproduce.ts, run for real: each byte class
// (quotes, newlines, non-ASCII, NUL, a cut character, empty header values) goes
// through the shell and curl (or node) to a capturing server on 127.0.0.1, and the
// bytes that arrive are the bytes the check sent.

import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireEntry } from '../../src/engine/clients/transcript.js';
import { replaySteps } from '../../src/report/replay-steps.js';
import { curlCommand, printfFormat, reproduce, shellWord } from '../../src/report/reproduce.js';
import { Chalk } from 'chalk';
import { formatFailure } from '../../src/report/pretty.js';
import type { CheckResult } from '../../src/engine/verdict.js';
import { fileURLToPath } from 'node:url';

const hasCurl = await new Promise<boolean>((resolve) => execFile('curl', ['--version'], (error) => resolve(!error)));

let server: Server;
let port = 0;
const captured: Buffer[] = [];
beforeAll(async () => {
  server = createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (data) => {
      chunks.push(data);
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = /content-length: (\d+)/i.exec(all.subarray(0, end).toString('latin1'));
      const chunked = /transfer-encoding: chunked/i.test(all.subarray(0, end).toString('latin1'));
      const complete = chunked ? all.subarray(end).includes('\r\n0\r\n\r\n') : all.length >= end + 4 + Number(length?.[1] ?? 0);
      if (complete) {
        captured.push(all);
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function wireOf(...sent: Array<Buffer | { pauseMs: number }>): WireEntry[] {
  const entries: WireEntry[] = [{ connection: 1, direction: 'connected', atMs: 0, note: '127.0.0.1:40311' }];
  let at = 1;
  for (const part of sent) {
    if (Buffer.isBuffer(part)) entries.push({ connection: 1, direction: 'sent', atMs: at, data: part });
    else {
      entries.push({ connection: 1, direction: 'pause', atMs: at, pauseMs: part.pauseMs });
      at += part.pauseMs;
    }
  }
  return entries;
}

function run(command: string, shell: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(shell, ['-c', command], { timeout: 8000, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function request(head: string, body: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

const bodies: Array<[string, Buffer]> = [
  ['plain JSON', Buffer.from('{"name":"Ada"}')],
  ['a single quote', Buffer.from(`{"name":"O'Brien"}`)],
  ['newlines and CRLF', Buffer.from('line one\nline two\r\nthree')],
  ['non-ASCII', Buffer.from('{"name":"Zoë 😀 東京"}')],
  ['a NUL byte', Buffer.from('a\u0000b')],
  ['a character cut in half', Buffer.from([0x5a, 0x6f, 0xc3])],
  ['percent and backslash', Buffer.from('100% \\n not a newline')],
  ['dollar, backtick, bang', Buffer.from('$HOME `id` !x')],
];

describe.skipIf(!hasCurl)('curl reproduces the exact body (curl is installed)', () => {
  for (const shell of ['sh', 'bash']) {
    it.each(bodies)(`${shell}: %s`, async (_name, body) => {
      const wire = wireOf(request(`POST /api/users HTTP/1.1\r\nHost: 127.0.0.1:40311\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body));
      const command = curlCommand(replaySteps(wire), port);
      expect(command).toMatch(/^(printf .* \| )?curl /);
      captured.length = 0;
      const result = await run(command!, shell);
      expect(result.code, result.stderr).toBe(0);
      const got = captured[0];
      const end = got.indexOf('\r\n\r\n');
      expect(got.subarray(end + 4)).toEqual(body);
      expect(got.subarray(0, end).toString('latin1')).toMatch(/^POST \/api\/users HTTP\/1\.1\r\n/);
      expect(got.subarray(0, end).toString('latin1')).toContain(`Content-Length: ${body.length}`);
      expect(got.subarray(0, end).toString('latin1')).not.toMatch(/Expect:/i);
    });
  }

  it.each([
    ['an empty Host', 'Host: ', /\r\nHost: ?\r\n/],
    ['an odd Host', 'Host: a b', /\r\nHost: a b\r\n/],
    ['an empty header value', 'Host: 127.0.0.1:40311\r\nX-Empty: ', /\r\nX-Empty: ?\r\n/],
    ['a quote in a header', `Host: 127.0.0.1:40311\r\nX-Name: O'Brien`, /\r\nX-Name: O'Brien\r\n/],
    ['a non-ASCII header value', `Host: 127.0.0.1:40311\r\nX-Name: ${Buffer.from('Zoë').toString('latin1')}`, new RegExp(`\\r\\nX-Name: ${Buffer.from('Zoë').toString('latin1')}\\r\\n`)],
  ])('headers: %s', async (_name, headers, expected) => {
    const command = curlCommand(replaySteps(wireOf(request(`GET /where?from=x&y=[1] HTTP/1.1\r\n${headers}\r\n\r\n`))), port);
    captured.length = 0;
    const result = await run(command!, 'sh');
    expect(result.code, result.stderr).toBe(0);
    const head = captured[0].toString('latin1');
    expect(head).toMatch(/^GET \/where\?from=x&y=\[1\] HTTP\/1\.1\r\n/);
    expect(head).toMatch(expected);
  });

  it('no Host at all', async () => {
    const command = curlCommand(replaySteps(wireOf(request('GET /a/../b HTTP/1.1\r\n\r\n'))), port);
    captured.length = 0;
    await run(command!, 'sh');
    expect(captured[0].toString('latin1')).toMatch(/^GET \/a\/\.\.\/b HTTP\/1\.1\r\n/);
    expect(captured[0].toString('latin1')).not.toMatch(/\r\nHost:/i);
  });

  it('two connections one after the other: curl --next, each with its own --max-time', async () => {
    const wire = wireOf(request('GET /first HTTP/1.1\r\nHost: 127.0.0.1:40311\r\n\r\n'));
    wire.push({ connection: 1, direction: 'note', atMs: 5, note: 'we closed the connection' });
    wire.push({ connection: 2, direction: 'connected', atMs: 6, note: '127.0.0.1:40311' });
    wire.push({ connection: 2, direction: 'sent', atMs: 6, data: request('GET /second HTTP/1.1\r\nHost: \r\n\r\n') });
    const command = curlCommand(replaySteps(wire), port)!;
    expect(command.match(/--max-time \d+/g)).toHaveLength(2);
    captured.length = 0;
    await run(command, 'sh');
    expect(captured.map((bytes) => bytes.toString('latin1').split('\r\n')[0])).toEqual(['GET /first HTTP/1.1', 'GET /second HTTP/1.1']);
    expect(captured[1].toString('latin1')).toMatch(/\r\nHost: ?\r\n/);
  });

  it('a chunked body is sent chunked, the same bytes once decoded', async () => {
    const command = curlCommand(replaySteps(wireOf(request('POST /u HTTP/1.1\r\nHost: 127.0.0.1:40311\r\nTransfer-Encoding: chunked\r\n\r\n'), Buffer.from('5\r\nhello\r\n'), Buffer.from('0\r\n\r\n'))), port);
    captured.length = 0;
    await run(command!, 'sh');
    const text = captured[0].toString('latin1');
    expect(text).toMatch(/Transfer-Encoding: chunked/);
    expect(text).toContain('hello');
  });
});

describe('which tool', () => {
  const self = 'httpdojo';
  const lesson = { number: '04', kind: 'server' as const };
  it('pauses, a cut character: a node one-liner that sends the exact bytes at the recorded times', async () => {
    const head = request('POST /api/users HTTP/1.1\r\nHost: 127.0.0.1:40311\r\nContent-Length: 8\r\n\r\n');
    const wire = wireOf(head, Buffer.from([0x5a, 0x6f, 0xc3]), { pauseMs: 50 }, Buffer.from([0xab, 0x21, 0x27, 0x22, 0x5c]));
    const reproduction = reproduce({ lesson, checkId: 'split', port, wire, self });
    expect(reproduction.kind).toBe('node');
    expect(reproduction.command).toMatch(/^node -e '[^']*'$/);
    captured.length = 0;
    const started = Date.now();
    const result = await run(reproduction.command, 'sh');
    expect(result.stdout).toContain('HTTP/1.1 200 OK');
    // The check's default Host names verify's port; the one-liner's names the port it targets.
    const sentHead = request(`POST /api/users HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 8\r\n\r\n`);
    expect(captured[0]).toEqual(Buffer.concat([sentHead, Buffer.from([0x5a, 0x6f, 0xc3, 0xab, 0x21, 0x27, 0x22, 0x5c])]));
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

  it('bytes summarised in the transcript: httpdojo replay', () => {
    const wire = wireOf(request('POST /u HTTP/1.1\r\nContent-Length: 99999\r\n\r\n'));
    wire.push({ connection: 1, direction: 'note', atMs: 3, note: '… 99999 more bytes sent' });
    const reproduction = reproduce({ lesson, checkId: 'big', port: 3000, wire, self });
    expect(reproduction).toMatchObject({ kind: 'replay', command: 'httpdojo replay 04 big' });
  });

  it('a signal the check sent (lesson 14): httpdojo replay, which sends it too; curl and node cannot', () => {
    const wire = wireOf(request('GET /work?ms=800 HTTP/1.1\r\nHost: 127.0.0.1:40311\r\n\r\n'));
    wire.push({ connection: 0, direction: 'note', atMs: 4, note: 'SIGTERM sent to your program, 3 ms after GET /work?ms=800' });
    expect(replaySteps(wire).find((step) => step.op === 'signal')).toMatchObject({ signal: 'SIGTERM', atMs: 4 });
    const reproduction = reproduce({ lesson: { number: 14, kind: 'server' }, checkId: 'sigterm-graceful', port: 3000, wire, self });
    expect(reproduction).toMatchObject({ kind: 'replay', command: 'httpdojo replay 14 sigterm-graceful' });
    expect(reproduction.note).toMatch(/same signal/);
  });

  it('a program that asked for no fixed port: the command says which port it assumed', () => {
    const wire = wireOf(request('POST /u HTTP/1.1\r\nContent-Length: 99999\r\n\r\n'));
    wire.push({ connection: 1, direction: 'note', atMs: 3, note: '… 99999 more bytes sent' });
    expect(reproduce({ lesson, checkId: 'big', port: null, wire, self }).command).toBe('httpdojo replay 04 big --port 3000');
  });

  it('client lessons: httpdojo run against the demo server, and says what differs', () => {
    const wire: WireEntry[] = [{ connection: 0, direction: 'note', atMs: 1, note: 'we ran: client "http://127.0.0.1:4000/x"' }];
    const reproduction = reproduce({ lesson: { number: '10', kind: 'client' }, checkId: 'x', port: null, wire, self });
    expect(reproduction.kind).toBe('run');
    expect(reproduction.command).toBe('httpdojo run 10');
    expect(reproduction.note).toMatch(/exists only while verify runs/);
    expect(reproduction.note).toMatch(/-- <url>\.$/);
  });

  it('TLS server lessons: a check that spoke only HTTPS or HTTP/2 is tried with curl --cacert', () => {
    const wire: WireEntry[] = [{ connection: 0, direction: 'note', atMs: 1, note: 'TLS handshake done: TLSv1.3, ALPN h2' }];
    const reproduction = reproduce({ lesson: { number: 18, kind: 'server', certs: true }, checkId: 'h2-root', port: 8443, wire, self });
    expect(reproduction.kind).toBe('run');
    expect(reproduction.note).toContain('curl -i --cacert certs/ca-cert.pem https://localhost:8443/');
    expect(reproduction.note).toMatch(/--http2/);
  });

  it('TLS client lessons: the demo server speaks HTTPS with the lesson certificate, never a bad one; the own-server form takes the CA file', () => {
    const wire: WireEntry[] = [{ connection: 0, direction: 'note', atMs: 1, note: 'we ran: client "https://127.0.0.1:4000/x" "/c/ca-cert.pem"' }];
    const reproduction = reproduce({ lesson: { number: 17, kind: 'client', certs: true }, checkId: 'x', port: null, wire, self });
    expect(reproduction.command).toBe('httpdojo run 17');
    expect(reproduction.note).toMatch(/never a certificate your client must refuse/);
    expect(reproduction.note).toMatch(/-- <url> certs\/ca-cert\.pem\.$/);
  });

  it('shell quoting', () => {
    expect(shellWord('Host;')).toBe(`'Host;'`);
    expect(shellWord('Expect:')).toBe('Expect:');
    expect(shellWord(`O'Brien`)).toBe(`'O'\\''Brien'`);
    expect(printfFormat(Buffer.from('a\u0000%\\\n'))).toBe(`'a\\000%%\\\\\\n'`);
  });

  it('the pretty report: a Try line after the diagnosis, the command whole on a line of its own at 80 columns', () => {
    const head = request('POST /api/users HTTP/1.1\r\nHost: 127.0.0.1:40311\r\nContent-Length: 8\r\n\r\n');
    const wire = wireOf(head, Buffer.from([0x5a, 0x6f, 0xc3]), { pauseMs: 50 }, Buffer.from([0xab, 0x21, 0x27, 0x22, 0x5c]));
    const reproduction = reproduce({ lesson, checkId: 'split', port: 3000, wire, self });
    const check: CheckResult = { id: 'split', title: 'a split name', status: 'failed', pitfall: 'string-concat-chunks', message: 'We sent it.', location: null, durationMs: 1, wire, error: null, stderrTail: null, reproduce: reproduction };
    const lessonsDir = fileURLToPath(new URL('../../lessons', import.meta.url));
    const text = formatFailure(check, { style: new Chalk({ level: 0 }), width: 80, lessonsDir });
    const lines = text.split('\n');
    const at = lines.findIndex((line) => line.startsWith('  Try '));
    expect(at).toBeGreaterThan(lines.findIndex((line) => line.startsWith('  Fix ')));
    // A one-liner this long is shown as its replay (the JSON has both); either way whole, on its own line.
    expect(reproduction.command.length).toBeGreaterThan(400);
    expect(lines.some((line) => line.trim() === 'httpdojo replay 04 split')).toBe(true);
    expect(text).toMatch(/node -e one-liner/);
    expect(lines.findIndex((line) => line.startsWith('  More '))).toBeGreaterThan(at);
  });
});
