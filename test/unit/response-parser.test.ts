// The raw response parser: every framing a learner's server may choose, input
// split at every byte boundary, pipelined responses, leftovers, malformed bytes.

import { describe, expect, it } from 'vitest';
import { ResponseParseError, ResponseParser, type ParsedResponse } from '../../src/engine/clients/response-parser.ts';

const CRLF = '\r\n';
const head = (...lines: string[]) => lines.join(CRLF) + CRLF + CRLF;

/** Feeds the pieces in order (each at its own time); `end` closes the connection. */
function parse(pieces: Array<string | Buffer>, options: { head?: boolean; end?: boolean } = {}): ResponseParser {
  const parser = new ResponseParser(() => options.head ?? false);
  pieces.forEach((piece, index) => parser.push(typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece, index));
  if (options.end) parser.end(pieces.length);
  return parser;
}

/** What a check relies on, without the timing fields. */
function essence(response: ParsedResponse) {
  return { status: response.status, reason: response.reason, headers: response.headers, body: response.body.toString('latin1'), framing: response.framing, complete: response.complete };
}

interface Case {
  name: string;
  wire: string;
  head?: boolean;
  end?: boolean;
  expected: Array<Partial<ReturnType<typeof essence>>>;
  leftover?: string;
}

const CASES: Case[] = [
  {
    name: 'Content-Length',
    wire: head('HTTP/1.1 200 OK', 'Content-Type: application/json', 'Content-Length: 19') + '{"message":"Hello"}',
    expected: [{ status: 200, reason: 'OK', body: '{"message":"Hello"}', framing: 'content-length', complete: true, headers: { 'content-type': 'application/json', 'content-length': '19' } }],
  },
  {
    name: 'Content-Length: 0',
    wire: head('HTTP/1.1 200 OK', 'Content-Length: 0'),
    expected: [{ status: 200, body: '', framing: 'content-length', complete: true }],
  },
  {
    name: 'chunked, with chunk extensions and trailers',
    wire: head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'Trailer: X-Checksum') +
      `5;name=value${CRLF}hello${CRLF}6 ; other="x;y"${CRLF} world${CRLF}A${CRLF}0123456789${CRLF}0${CRLF}X-Checksum: abc${CRLF}X-More: 1${CRLF}${CRLF}`,
    expected: [{ status: 200, body: 'hello world0123456789', framing: 'chunked', complete: true }],
  },
  {
    name: 'chunked wins over Content-Length (RFC 9112 §6.3)',
    wire: head('HTTP/1.1 200 OK', 'Content-Length: 100', 'Transfer-Encoding: gzip, chunked') + `3${CRLF}abc${CRLF}0${CRLF}${CRLF}`,
    expected: [{ body: 'abc', framing: 'chunked', complete: true }],
  },
  {
    name: 'a response to HEAD has no body whatever its headers say',
    wire: head('HTTP/1.1 200 OK', 'Content-Length: 19'),
    head: true,
    expected: [{ status: 200, body: '', framing: 'none', complete: true }],
  },
  {
    name: '204 and 304 have no body',
    wire: head('HTTP/1.1 204 No Content', 'Content-Length: 5') + head('HTTP/1.1 304 Not Modified', 'Transfer-Encoding: chunked') + head('HTTP/1.1 200 OK', 'Content-Length: 2') + 'ok',
    expected: [
      { status: 204, body: '', framing: 'none', complete: true },
      { status: 304, body: '', framing: 'none', complete: true },
      { status: 200, body: 'ok', complete: true },
    ],
  },
  {
    name: 'no framing: the body ends when the connection closes',
    wire: head('HTTP/1.0 200 OK', 'Content-Type: text/plain') + 'until the end',
    end: true,
    expected: [{ status: 200, body: 'until the end', framing: 'until-close', complete: true }],
  },
  {
    name: 'two pipelined responses in one read',
    wire: head('HTTP/1.1 200 OK', 'Content-Length: 5') + 'first' + head('HTTP/1.1 404 Not Found', 'Transfer-Encoding: chunked') + `6${CRLF}second${CRLF}0${CRLF}${CRLF}`,
    expected: [
      { status: 200, body: 'first', framing: 'content-length' },
      { status: 404, reason: 'Not Found', body: 'second', framing: 'chunked' },
    ],
  },
  {
    name: 'a Content-Length too small leaves the rest over (it poisons the next response)',
    wire: head('HTTP/1.1 200 OK', 'Content-Length: 3') + 'hello',
    expected: [{ status: 200, body: 'hel', complete: true }],
    leftover: 'lo',
  },
  {
    name: 'interim 100 Continue is skipped',
    wire: head('HTTP/1.1 100 Continue') + head('HTTP/1.1 201 Created', 'Content-Length: 2') + '{}',
    expected: [{ status: 201, reason: 'Created', body: '{}' }],
  },
  {
    name: 'repeated headers are joined; names lower-cased; a status line without a reason',
    wire: head('HTTP/1.1 200', 'Set-Cookie: a=1', 'SET-COOKIE: b=2', 'X-Empty:', 'Content-Length: 0'),
    expected: [{ status: 200, reason: '', headers: { 'set-cookie': 'a=1, b=2', 'x-empty': '', 'content-length': '0' } }],
  },
];

describe('ResponseParser', () => {
  describe.each(CASES)('$name', ({ wire, head: isHead, end, expected, leftover }) => {
    const check = (parser: ResponseParser) => {
      expect(parser.completed.map(essence)).toMatchObject(expected);
      expect(parser.completed).toHaveLength(expected.length);
      expect(parser.leftover.toString('latin1')).toBe(leftover ?? '');
    };

    it('in one piece', () => check(parse([wire], { head: isHead, end })));

    it('split in two at every byte boundary', () => {
      for (let cut = 0; cut <= wire.length; cut++) check(parse([wire.slice(0, cut), wire.slice(cut)], { head: isHead, end }));
    });

    it('one byte at a time', () => check(parse([...wire], { head: isHead, end })));
  });

  it('keeps the raw header names and values, and decodes UTF-8 header values', () => {
    const value = Buffer.from('attachment; filename="Zoë.txt"', 'utf8').toString('latin1');
    const [response] = parse([head('HTTP/1.1 200 OK', `Content-Disposition: ${value}`, 'X-Custom-Case: Yes', 'Content-Length: 0')]).completed;
    expect(response.headers['content-disposition']).toBe('attachment; filename="Zoë.txt"');
    expect(response.rawHeaders).toContainEqual(['X-Custom-Case', 'Yes']);
    expect(response.httpVersion).toBe('1.1');
  });

  it('a body framed by the close is not complete until the close', () => {
    const parser = parse([head('HTTP/1.1 200 OK') + 'partial']);
    expect(parser.completed).toHaveLength(0);
    expect(parser.partial).toMatchObject({ status: 200, framing: 'until-close', complete: false });
    expect(parser.partial!.body.toString()).toBe('partial');
    parser.end(5);
    expect(parser.completed).toHaveLength(1);
    expect(parser.completed[0]).toMatchObject({ complete: true, endAtMs: 5 });
  });

  it('a response cut short stays partial: head and the body so far', () => {
    const parser = parse([head('HTTP/1.1 200 OK', 'Content-Length: 10') + 'abc'], { end: true });
    expect(parser.completed).toHaveLength(0);
    expect(parser.partial).toMatchObject({ status: 200, framing: 'content-length', complete: false });
    expect(parser.partial!.body.toString()).toBe('abc');
    const chunked = parse([head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked') + `5${CRLF}hel`], { end: true });
    expect(chunked.completed).toHaveLength(0);
    expect(chunked.partial!.body.toString()).toBe('hel');
  });

  it('records when body bytes arrived', () => {
    const parser = new ResponseParser();
    parser.push(Buffer.from(head('HTTP/1.1 200 OK', 'Content-Length: 6') + 'ab'), 10);
    parser.push(Buffer.from('cd'), 60);
    parser.push(Buffer.from('ef'), 60);
    const [response] = parser.completed;
    expect(response.headAtMs).toBe(10);
    expect(response.endAtMs).toBe(60);
    expect(response.arrivals).toEqual([{ atMs: 10, bytes: 2 }, { atMs: 60, bytes: 4 }]);
  });

  it('a HEAD answer followed by a GET answer on one connection', () => {
    const methods = ['HEAD', 'GET'];
    const parser: ResponseParser = new ResponseParser((): boolean => methods[parser.completed.length] === 'HEAD');
    parser.push(Buffer.from(head('HTTP/1.1 200 OK', 'Content-Length: 5') + head('HTTP/1.1 200 OK', 'Content-Length: 5') + 'hello'), 0);
    expect(parser.completed.map((response) => response.body.toString())).toEqual(['', 'hello']);
  });

  const MALFORMED: Array<[string, string]> = [
    ['not an HTTP status line', 'HTTP/1.1 OK\r\n\r\n'],
    ['not HTTP at all', 'SSH-2.0-OpenSSH_9.6\r\n\r\n'],
    ['a header line without a colon', head('HTTP/1.1 200 OK', 'Content-Length 5')],
    ['a header line starting with a colon', head('HTTP/1.1 200 OK', ': x')],
    ['a Content-Length that is not a number', head('HTTP/1.1 200 OK', 'Content-Length: five')],
    ['a negative Content-Length', head('HTTP/1.1 200 OK', 'Content-Length: -1')],
    ['a chunk size that is not hex', head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked') + `zz${CRLF}`],
    ['an empty chunk size', head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked') + `${CRLF}`],
    ['chunk data not followed by CRLF', head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked') + `3${CRLF}abcXY`],
  ];
  it.each(MALFORMED)('rejects %s with ResponseParseError', (_name, wire) => {
    expect(() => parse([wire])).toThrow(ResponseParseError);
  });

  it('rejects a head larger than 64 KiB, and a runaway chunk-size line', () => {
    expect(() => parse(['HTTP/1.1 200 OK\r\nX-Big: ' + 'a'.repeat(70 * 1024)])).toThrow(/64 KiB/);
    expect(() => parse([head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked') + 'f'.repeat(2000)])).toThrow(/too long/);
  });

  it('waits (does not throw) for a head that has not ended yet', () => {
    const parser = parse(['HTTP/1.1 200 OK\r\nContent-Le']);
    expect(parser.completed).toHaveLength(0);
    expect(parser.partial).toBeNull();
  });
});
