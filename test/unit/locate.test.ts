// From the probe's line to the mentor's line (src/engine/locate.ts, crash-cause.ts), on small
// sources and hand-made probe events: each rule moves the location only in its
// own shape and leaves every other location alone.

import { describe, expect, it } from 'vitest';
import { crashWithoutLocation, secondaryCrash } from '../../src/engine/crash-cause.ts';
import { refineLocation } from '../../src/engine/locate.ts';
import type { Location, ProbeEvent } from '../../src/engine/probe-events.ts';
import { sourceView } from '../../src/engine/verify.ts';

const file = '/work/learner/server.ts';
const at = (line: number, column = 3): Location => ({ file, line, column });
const lineOf = (text: string, mark: string) => text.split('\n').findIndex((line) => line.includes(mark)) + 1;
const event = (fields: Record<string, unknown>) => ({ ms: 0, receivedAt: 0, ...fields }) as unknown as ProbeEvent;
const refine = (text: string, pitfall: string, location: Location, events: ProbeEvent[] = []) => refineLocation({ file, text, pitfall, location, events })?.line;

describe('a header or option inside a multi-line call', () => {
  const text = [
    "res.writeHead(200, {",
    "  'Content-Length': body.length, // LEN",
    "  'Content-Type': 'text/plain', // TYPE",
    "});",
    "const agent = new http.Agent({",
    "  maxSockets: 4,",
    "  keepAlive: false, // KEEP",
    "});",
    "const options = { method: 'POST', headers: {",
    "  contentType: 'application/json', // MISSPELLED",
    "} };",
  ].join('\n');
  it('moves from the call line to the property the pitfall is about', () => {
    expect(refine(text, 'wrong-content-type', at(1))).toBe(lineOf(text, 'TYPE'));
    expect(refine(text, 'content-length-string-length', at(1))).toBe(lineOf(text, 'LEN'));
    expect(refine(text, 'no-keepalive', at(5))).toBe(lineOf(text, 'KEEP'));
    expect(refine(text, 'missing-content-type', at(9))).toBe(lineOf(text, 'MISSPELLED'));
  });
  it('leaves a location alone when the line already names the header, or the pitfall is another', () => {
    expect(refine(text, 'wrong-content-type', at(3))).toBe(3);
    expect(refine(text, 'wrong-status', at(1))).toBe(1);
  });
});

describe('helpers', () => {
  const text = [
    'function send(res, type, body) {',
    "  res.writeHead(200, { 'Content-Type': type }); // HELPER",
    '  res.end(body);',
    '}',
    'function tag(res, id) {',
    "  res.setHeader('X-Id', id); // TAG",
    '}',
    "send(res, 'text/html', body); // CALLER",
    'tag(res, 1); // LATE',
  ].join('\n');
  const call = (line: number, via: number) => event({ t: 'call', id: 1, fn: 'setHeader', nested: false, state: {}, at: at(line), via: [at(via)] });
  it('a header value that is the helper parameter: the caller chose it', () => {
    expect(refine(text, 'wrong-content-type', at(2), [call(2, 8)])).toBe(lineOf(text, 'CALLER'));
  });
  it('a helper that only sets headers, called too late: the call site', () => {
    expect(refine(text, 'headers-after-body', at(6), [call(6, 9)])).toBe(lineOf(text, 'LATE'));
  });
  it('a helper that writes the body itself keeps its own line', () => {
    expect(refine(text, 'headers-after-body', at(2), [call(2, 8)])).toBe(2);
  });
  it('a throw in a one-line wrapper: the next learner frame of the stack', () => {
    const wrapper = ['function parseJson(text) {', '  return JSON.parse(text);', '}', "req.on('end', () => {", '  req.body = parseJson(text);', '});'].join('\n');
    const stack = `SyntaxError: bad\n    at JSON.parse (<anonymous>)\n    at parseJson (${file}:2:15)\n    at IncomingMessage.<anonymous> (${file}:5:14)`;
    const uncaught = event({ t: 'uncaught', origin: 'uncaughtException', name: 'SyntaxError', message: 'bad', stack, at: at(2, 15) });
    expect(refine(wrapper, 'json-parse-crash', at(2, 15), [uncaught])).toBe(5);
  });
});

describe('a request that falls through the handler', () => {
  const text = [
    "const server = http.createServer((req, res) => {",
    "  const body = JSON.stringify({ message: 'Hello' });",
    "  if (req.url === '/hello') { // IF",
    '    res.end(body);',
    '  }',
    '});',
  ].join('\n');
  it('the if without an else, rather than createServer', () => {
    expect(refine(text, 'missing-res-end', at(1))).toBe(lineOf(text, 'IF'));
  });
  it('a header set before the if: the if, not the setHeader; a write with no end keeps its line', () => {
    const withHeader = text.replace("  const body", "  res.setHeader('Content-Type', 'application/json');\n  const body");
    const header = event({ t: 'call', id: 1, fn: 'setHeader', nested: false, state: {}, at: at(2) });
    const write = event({ t: 'call', id: 1, fn: 'write', nested: false, state: {}, at: at(2) });
    expect(refine(withHeader, 'missing-res-end', at(2), [header])).toBe(lineOf(withHeader, 'IF'));
    expect(refine(withHeader, 'missing-res-end', at(2), [write])).toBe(2);
  });
  it('a handler that answers after the if is not a fall-through', () => {
    const answered = text.replace('  }\n});', '  }\n  res.end();\n});');
    expect(refine(answered, 'missing-res-end', at(1))).toBe(1);
  });
  it('after a swallowed JSON.parse: the statement in the catch that dropped it', () => {
    const swallowing = ["req.on('end', () => {", '  try {', '    req.body = JSON.parse(text);', '  } catch {', '    return; // DROP', '  }', '  next();', '});'].join('\n');
    const events = [
      event({ t: 'call', id: 7, fn: 'setHeader', nested: false, state: {}, at: at(1) }),
      event({ t: 'swallowed', kind: 'json-parse', message: 'bad', inRequest: 7, at: at(3) }),
    ];
    expect(refine(swallowing, 'missing-res-end', at(1), events)).toBe(lineOf(swallowing, 'DROP'));
  });
});

describe('secondary crashes and crashes without a learner frame', () => {
  const text = ['let data;', 'try {', '  data = JSON.parse(text);', '} catch {} // EMPTY', 'const name = data.name;'].join('\n');
  const swallowed = event({ t: 'swallowed', kind: 'json-parse', message: 'bad', inRequest: 1, at: at(3), ms: 100 });
  const typeError = { name: 'TypeError', message: "Cannot read properties of undefined (reading 'name')", ms: 102 };
  it('a TypeError on undefined just after a swallowed parse is json-parse-crash, at the empty catch', () => {
    const found = secondaryCrash({ file, text, pitfalls: ['json-parse-crash'], events: [swallowed], error: typeError });
    expect(found).toMatchObject({ pitfall: 'json-parse-crash', location: { line: lineOf(text, 'EMPTY') } });
  });
  it('not when the lesson does not teach it, the crash is another, or it came long after', () => {
    expect(secondaryCrash({ file, text, pitfalls: ['crash'], events: [swallowed], error: typeError })).toBeNull();
    expect(secondaryCrash({ file, text, pitfalls: ['json-parse-crash'], events: [swallowed], error: { ...typeError, name: 'RangeError' } })).toBeNull();
    expect(secondaryCrash({ file, text, pitfalls: ['json-parse-crash'], events: [swallowed], error: { ...typeError, ms: 5000 } })).toBeNull();
  });
  it('an aborted upload with no learner frame: the pipeline() call', () => {
    const pipeline = event({ t: 'stream-pipeline', inRequest: 1, at: at(9) });
    expect(crashWithoutLocation(file, [pipeline], { code: 'ECONNRESET', at: null })?.line).toBe(9);
    expect(crashWithoutLocation(file, [pipeline], { code: 'ERR_SOMETHING', at: null })).toBeNull();
    expect(crashWithoutLocation(file, [pipeline], { code: 'ECONNRESET', at: at(4) })?.line).toBe(4);
  });
});

describe('source look-ups', () => {
  it('skip comments and the inside of strings, but match at an opening quote', () => {
    const text = ["// http.createServer(handler) makes the server", "const banner = 'built with http.createServer(handler)';", 'const server = http.createServer(handler);', "res.writeHead(200, { 'Content-Type': 'x' });"].join('\n');
    const view = sourceView(file, text);
    expect(view.find(/createServer\s*\(/)?.line).toBe(3);
    expect(view.find(/['"]Content-Type['"]\s*:/)?.line).toBe(4);
  });
});
