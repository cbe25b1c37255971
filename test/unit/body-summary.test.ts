// Bodies summarised instead of kept (Connection.summarizeBodies, for lesson 08's
// 128 MiB download): the size, first and last bytes and hash are those of the
// whole body, for every framing and wherever the input is split.

import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/engine/clients/connection.ts';
import { ResponseParser } from '../../src/engine/clients/response-parser.ts';
import { Transcript } from '../../src/engine/clients/transcript.ts';

const CRLF = '\r\n';
const BODY = Buffer.from(Array.from({ length: 300 }, (_, i) => String.fromCharCode(33 + (i % 90))).join(''), 'latin1');
const chunked = (body: Buffer) => `${body.subarray(0, 100).length.toString(16)}${CRLF}${body.subarray(0, 100).toString('latin1')}${CRLF}${(body.length - 100).toString(16)}${CRLF}${body.subarray(100).toString('latin1')}${CRLF}0${CRLF}${CRLF}`;

const WIRES: Array<{ name: string; wire: string; end?: boolean }> = [
  { name: 'Content-Length', wire: `HTTP/1.1 200 OK${CRLF}Content-Length: ${BODY.length}${CRLF}${CRLF}${BODY.toString('latin1')}` },
  { name: 'chunked', wire: `HTTP/1.1 200 OK${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}${chunked(BODY)}` },
  { name: 'until close', wire: `HTTP/1.1 200 OK${CRLF}${CRLF}${BODY.toString('latin1')}`, end: true },
];

describe('a summarised body', () => {
  for (const { name, wire, end } of WIRES) {
    it(`${name}: size, head, tail and hash of the whole body at every split of the input`, () => {
      const bytes = Buffer.from(wire, 'latin1');
      for (let split = 1; split < bytes.length; split += 7) {
        const parser = new ResponseParser();
        parser.summarize({ head: 50, tail: 5, hash: 'sha256' });
        parser.push(bytes.subarray(0, split), 0);
        parser.push(bytes.subarray(split), 1);
        if (end) parser.end(2);
        const [response] = parser.completed;
        expect(response, `split at ${split}`).toBeDefined();
        expect(response.body.length).toBe(0);
        expect(response.summary).toEqual({
          bytes: BODY.length,
          head: BODY.subarray(0, 50),
          tail: BODY.subarray(-5),
          hash: createHash('sha256').update(BODY).digest('hex'),
        });
        expect(response.arrivals.reduce((sum, arrival) => sum + arrival.bytes, 0)).toBe(BODY.length);
      }
    });
  }

  it('keeps a short body whole in head and tail, byte by byte, and hashes nothing unless asked', () => {
    const parser = new ResponseParser();
    parser.summarize({ head: 64, tail: 16 });
    for (const byte of Buffer.from(`HTTP/1.1 200 OK${CRLF}Content-Length: 3${CRLF}${CRLF}END`, 'latin1')) parser.push(Buffer.from([byte]), 0);
    expect(parser.completed[0].summary).toEqual({ bytes: 3, head: Buffer.from('END'), tail: Buffer.from('END') });
  });

  it('shows the summary so far while the body arrives, and bodies are whole again after summarize(null)', () => {
    const parser = new ResponseParser();
    parser.summarize({ head: 4, tail: 2 });
    parser.push(Buffer.from(`HTTP/1.1 200 OK${CRLF}Content-Length: 10${CRLF}${CRLF}abcdef`, 'latin1'), 0);
    expect(parser.partial?.summary).toEqual({ bytes: 6, head: Buffer.from('abcd'), tail: Buffer.from('ef') });
    parser.summarize(null);
    parser.push(Buffer.from(`ghij`, 'latin1'), 1);
    // The response under way stays summarised; the next one is kept whole.
    parser.push(Buffer.from(`HTTP/1.1 200 OK${CRLF}Content-Length: 2${CRLF}${CRLF}ok`, 'latin1'), 2);
    expect(parser.completed.map((r) => [r.body.toString(), r.summary?.bytes])).toEqual([['', 10], ['ok', undefined]]);
  });

  it('over a real connection: a 3 MiB download is counted, its ends kept, nothing else', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 'x');
    body.write('BEGIN', 0);
    body.write('END', body.length - 3);
    const server = http.createServer((_req, res) => res.end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const connection = await Connection.open((server.address() as AddressInfo).port, new Transcript());
      connection.summarizeBodies({ head: 5, tail: 3 });
      connection.methods.push('GET');
      await connection.write(`GET / HTTP/1.1${CRLF}Host: 127.0.0.1${CRLF}${CRLF}`);
      const response = await connection.readResponse({ timeoutMs: 10_000 });
      connection.destroy();
      expect(response.status).toBe(200);
      expect(response.body.length).toBe(0);
      expect(response.summary).toEqual({ bytes: body.length, head: Buffer.from('BEGIN'), tail: Buffer.from('END') });
    } finally {
      server.close();
    }
  });
});
