// The uploads toolkit (src/engine/toolkit/uploads.ts): whether an answer came before
// the body had arrived, writes cut between the bytes of a character, and the lines a
// body diagnosis points at (early answer, per-chunk decoding, a kept chunk, the size
// test behind a 413, the destroy that cut an upload), on a learner file's text.

import { describe, expect, it } from 'vitest';
import type { CheckContext } from '../../src/engine/check-api.ts';
import type { BodyPart } from '../../src/engine/clients/connection.ts';
import type { HttpResponse } from '../../src/engine/clients/http-client.ts';
import type { Location, ResponseCall } from '../../src/engine/probe-events.ts';
import { codeSource } from '../../src/engine/toolkit/source.ts';
import { answeredBefore, cutBetweenBytes, cutLine, decodeEachChunkLine, earlyAnswerLine, keepsChunkLine, sizeTestLine, type Upload } from '../../src/engine/toolkit/uploads.ts';

const FILE = '/w/server.js';
const at = (line: number): Location => ({ file: FILE, line, column: 1 });

/** A context with the learner's source and a probe view that knows one request's calls. */
function context(lines: string[], calls: ResponseCall[] = []): Pick<CheckContext, 'server' | 'source'> {
  const framesOf = (call: { at: Location | null; via?: Location[] } | undefined) => (call?.at ? [call.at, ...(call.via ?? [])].filter((frame) => frame.file === FILE) : []);
  const record = { calls } as unknown as ReturnType<CheckContext['server']['request']>;
  const server = { file: FILE, framesOf, request: () => record } as unknown as CheckContext['server'];
  return { server, source: codeSource(FILE, lines.join('\n')) };
}

const call = (fn: ResponseCall['fn'], line: number, extra: Partial<ResponseCall> = {}): ResponseCall => ({ fn, at: at(line), ...extra }) as ResponseCall;

function sent(bodyBytesIn: number | undefined, sentBeforeResponse: number): Upload {
  const answer = bodyBytesIn === undefined ? null : ({ req: {}, call: { fn: 'end', at: null, bodyBytesIn } } as unknown as Upload['answer']);
  return { res: { sentBeforeResponse } as HttpResponse, answer };
}

describe('answeredBefore', () => {
  it("the probe's count of body bytes decides when there is one", () => {
    expect(answeredBefore(sent(6, 16), 16)).toBe("when it had received 6 of the body's 16 bytes");
    expect(answeredBefore(sent(16, 3), 16)).toBeNull();
  });
  it('without it, what we had sent when the answer came', () => {
    expect(answeredBefore(sent(undefined, 3), 16)).toBe("when we had sent only 3 of the body's 16 bytes");
    expect(answeredBefore(sent(undefined, 16), 16)).toBeNull();
  });
  it('judges against a limit below the body size, and words the whole size', () => {
    expect(answeredBefore(sent(65_536, 0), 1_048_576, 8_388_608)).toBe("when it had received 65,536 of the body's 8,388,608 bytes");
  });
});

describe('cutBetweenBytes', () => {
  it("cuts between every byte of each character, with pauses between writes", () => {
    const parts = cutBetweenBytes('{"n":"Zoë 😀"}', ['ë', '😀'], 50);
    const writes = parts.filter((part): part is Buffer => Buffer.isBuffer(part));
    expect(writes).toHaveLength(5);
    expect(Buffer.concat(writes).toString('utf8')).toBe('{"n":"Zoë 😀"}');
    expect(parts.filter((part: BodyPart) => !Buffer.isBuffer(part))).toEqual([{ pauseMs: 50 }, { pauseMs: 50 }, { pauseMs: 50 }, { pauseMs: 50 }]);
  });
  it('refuses a character the text does not hold', () => {
    expect(() => cutBetweenBytes('abc', ['é'], 10)).toThrow(/not a multi-byte character/);
  });
});

describe('the lines a body diagnosis points at', () => {
  const EARLY = [
    "http.createServer((req, res) => {", // 1
    '  const chunks = [];', // 2
    "  req.on('data', (c) => chunks.push(c));", // 3
    '  // Buffer.concat(chunks) would go here', // 4
    '  const user = JSON.parse(Buffer.concat(chunks));', // 5
    '  send(res, 201, user);', // 6
    '});', // 7
    'function send(res, status, value) {', // 8
    '  res.end(JSON.stringify(value));', // 9
    '}', // 10
  ];
  it('an early answer: the join nearest above its frames, never a comment', () => {
    const ctx = context(EARLY);
    expect(earlyAnswerLine(ctx, call('end', 9, { via: [at(6)] }))?.line).toBe(5);
  });
  it("an early answer past the frames' reach: the join just below a 'data' listener", () => {
    const ctx = context(EARLY);
    expect(earlyAnswerLine(ctx, null)?.line).toBe(5);
  });
  it("an 'end' listener between the frame and the join stops the look up", () => {
    const ctx = context(["req.on('data', (c) => chunks.push(c));", 'const all = Buffer.concat(chunks);', "req.on('end', () => {", '  res.end(all);', '});']);
    expect(earlyAnswerLine(ctx, call('end', 4))?.line).toBe(2);
    const late = context(['const all = Buffer.concat(chunks);', "req.on('end', () => {", '  res.end(all);', '});']);
    expect(earlyAnswerLine(late, call('end', 3))?.line).toBe(3);
  });
  it('per-chunk decoding: the += on text, not a byte count', () => {
    const ctx = context(["req.on('data', (chunk) => {", '  size += chunk.length;', '  body += chunk;', '});']);
    expect(decodeEachChunkLine(ctx)?.line).toBe(3);
  });
  it('a kept chunk: the push in the listener that keeps, not the one that only counts', () => {
    const ctx = context(["req.on('data', (c) => { drained += c.length; });", "req.on('data', (c) => {", '  chunks.push(c);', '});']);
    expect(keepsChunkLine(ctx)?.line).toBe(3);
  });
  it("the size test behind a 413: the if just above the call that chose it, else above any 413", () => {
    const lines = ["req.on('data', (c) => {", '  size += c.length;', '  if (size > LIMIT) {', '    res.writeHead(413);', '  }', '});'];
    expect(sizeTestLine(context(lines, [call('writeHead', 4, { status: 413 })]), { method: 'POST', target: '/api/users' })?.line).toBe(3);
    expect(sizeTestLine(context(lines), { method: 'POST', target: '/api/users' })?.line).toBe(3);
  });
  it('the cut: a destroy of the request before any other destroy', () => {
    const ctx = context(['function fail(res) { res.destroy(); }', 'if (size > LIMIT) {', '  res.writeHead(413);', '  req.destroy();', '}']);
    expect(cutLine(ctx, call('writeHead', 3))?.line).toBe(4);
    expect(cutLine(context(['res.destroy();']), null)?.line).toBe(1);
  });
});
