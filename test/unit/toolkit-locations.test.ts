// Locations by meaning (src/engine/toolkit/locations.ts): named anchors from the
// probe's events first and the source second, the line of a response call
// (status, header, kinds), frames, client request sites and the probe waits.

import { describe, expect, it } from 'vitest';
import type { ProgramView, ResponseRecord } from '../../src/engine/check-api.ts';
import type { EventOf, Location, ProbeEvent, ResponseCall } from '../../src/engine/probe-events.ts';
import { serverLocations, type ServerBasics } from '../../src/engine/toolkit/locations.ts';
import { codeSource } from '../../src/engine/toolkit/source.ts';
import { buildRecords } from '../../src/engine/verify/records.ts';

const FILE = '/w/server.js';
const at = (line: number, column = 1, file = FILE): Location => ({ file, line, column });
const base = { ms: 0, receivedAt: 0 };

const TEXT = [
  "const http = require('node:http');", // 1
  '// http.createServer( in a comment', // 2
  'function sendJson(res, status, body) {', // 3
  "  res.writeHead(status, { 'Content-Type': 'application/json' });", // 4
  '  res.end(JSON.stringify(body));', // 5
  '}', // 6
  'const server = http.createServer((req, res) => {', // 7
  "  if (req.method !== 'GET') {", // 8
  "    res.setHeader('Allow', 'GET');", // 9
  "    return sendJson(res, 405, { error: 'Method not allowed' });", // 10
  '  }', // 11
  "  req.on('data', () => {});", // 12
  "  req.once('end', () => sendJson(res, 200, { ok: true }));", // 13
  '});', // 14
  "process.on('SIGTERM', () => process.exit(0));", // 15
  'server.listen(3000);', // 16
].join('\n');

function call(fields: Partial<ResponseCall> & Pick<ResponseCall, 'fn'>): ProbeEvent {
  return { ...base, t: 'call', id: 1, nested: false, state: { headersSent: false, ended: false, finished: false, destroyed: false }, at: null, ...fields } as ProbeEvent;
}

function fakeServer(events: ProbeEvent[], listenAt: Location | null = null): ServerBasics {
  const eventsOf = <T extends ProbeEvent['t']>(type: T) => events.filter((event): event is EventOf<T> => event.t === type);
  return {
    file: FILE,
    events: () => events,
    eventsOf,
    request: (match = {}) => buildRecords(events).filter((record) => (!match.method || record.method === match.method) && (match.url === undefined || (typeof match.url === 'function' ? match.url(record.url) : record.url === match.url))).pop(),
    waitFor: async (type, options = {}) => eventsOf(type).find((event) => !options.where || options.where(event as never)) ?? null,
    listenAt,
  } as ServerBasics;
}

const POST_405: ProbeEvent[] = [
  { ...base, t: 'req', id: 1, server: 1, method: 'POST', url: '/api/users', headers: {}, remotePort: 5000 },
  call({ fn: 'setHeader', name: 'Allow', value: 'GET', at: at(9, 9) }),
  call({ fn: 'writeHead', status: 405, headers: { 'Content-Type': 'application/json' }, at: at(4, 7), via: [at(10, 12), at(99, 1, '/elsewhere.js')] }),
  call({ fn: 'end', at: at(5, 7), via: [at(10, 12)] }),
  { ...base, t: 'res-finish', id: 1 },
];

describe('server.lineOf', () => {
  const source = codeSource(FILE, TEXT);
  const CASES: Array<[string, ProbeEvent[], Location | null, Parameters<ProgramView['lineOf']>[0], number | null]> = [
    ['the handler, not the comment', [], null, 'request-handler', 7],
    ['listen from the probe', [], at(16, 8), 'listen', 16],
    ['listen from the source without the probe', [], null, 'listen', 16],
    ['listen in another file falls back to the source', [], at(3, 1, '/node_modules/x.js'), 'listen', 16],
    ['the data listener', [], null, 'data-listener', 12],
    ['the end listener (once)', [], null, 'end-listener', 13],
    ['SIGTERM', [], null, 'sigterm', 15],
    ['process.exit from the source', [], null, 'process-exit', 15],
    ['process.exit as the probe saw it', [{ ...base, t: 'exit-call', code: 0, at: at(15, 30) }], null, 'process-exit', 15],
    ['JSON.parse as the probe saw it throw', [{ ...base, t: 'uncaught', origin: 'x', name: 'SyntaxError', message: 'bad', stack: 'at JSON.parse', at: at(5, 12) }], null, 'json-parse', 5],
    ['the client request site from the probe', [{ ...base, t: 'client-create', id: 1, method: 'GET', host: 'h', path: '/', inRequest: null, at: at(13, 3) }], null, 'client-request', 13],
    ['no client request anywhere', [], null, 'client-request', null],
    ['url read: none', [], null, 'url-read', null],
  ];
  it.each(CASES)('%s', (_name, events, listenAt, anchor, line) => {
    expect(serverLocations(fakeServer(events, listenAt), source).lineOf(anchor)?.line ?? null).toBe(line);
  });
});

describe('server.callLine and framesOf', () => {
  const locations = serverLocations(fakeServer(POST_405), codeSource(FILE, TEXT));
  const record = buildRecords(POST_405)[0] as ResponseRecord;
  const CASES: Array<[string, Parameters<ProgramView['callLine']>[1], number | null]> = [
    ['the status: the caller whose line names 405', { status: 405 }, 10],
    ['a status never set: the last call', { status: 500 }, 5],
    ['the header: the setHeader that names it', { header: 'allow' }, 9],
    ['a header set by writeHead', { header: 'content-type' }, 4],
    ['the last end or write', { fn: ['end', 'write'] }, 5],
    ['any call: the last', {}, 5],
    ['named only: the caller naming 405', { status: 405, named: true }, 10],
    ['named only: no frame names 500', { status: 500, named: true }, null],
    ['named only: the header', { header: 'allow', named: true }, 9],
  ];
  it.each(CASES)('%s', (_name, query, line) => {
    expect(locations.callLine(record, query)?.line ?? null).toBe(line);
  });
  it('is null without a record', () => {
    expect(locations.callLine(undefined, { status: 200 })).toBeNull();
  });
  it('frames are the learner file only, own line first', () => {
    expect(locations.framesOf(record.calls[1]).map((frame) => frame.line)).toEqual([4, 10]);
    expect(locations.framesOf({ at: null, via: [at(3)] })).toEqual([]);
    expect(locations.framesOf(undefined)).toEqual([]);
  });
});

describe('server.settled, answerOf, clientRequestAt', () => {
  const events: ProbeEvent[] = [
    ...POST_405,
    { ...base, t: 'req', id: 2, server: 1, method: 'POST', url: '/api/users', headers: {}, remotePort: 5001 },
    { ...base, t: 'client-create', id: 7, method: 'GET', host: 'h', path: '/a', inRequest: null, at: at(12) },
    { ...base, t: 'client-create', id: 8, method: 'GET', host: 'h', path: '/b', inRequest: null, at: at(13) },
  ];
  const locations = serverLocations(fakeServer(events), codeSource(FILE, TEXT));
  it('settled gives the latest record of the request', async () => {
    expect((await locations.settled('POST', '/api/users'))?.id).toBe(2);
    expect(await locations.settled('GET', '/nothing')).toBeUndefined();
  });
  it('answerOf gives the first write or end of a request not yet seen', async () => {
    const answer = await locations.answerOf('POST', '/api/users');
    expect([answer?.req.id, answer?.call.fn]).toEqual([1, 'end']);
    expect(await locations.answerOf('POST', '/api/users', { seen: new Set([1]) })).toBeNull();
  });
  it('clientRequestAt matches, else the first, else the source', () => {
    expect(locations.clientRequestAt((event) => event.path === '/b')?.line).toBe(13);
    expect(locations.clientRequestAt((event) => event.path === '/none')?.line).toBe(12);
    expect(serverLocations(fakeServer([]), codeSource(FILE, 'http.get(url, cb);')).clientRequestAt()?.line).toBe(1);
  });
});
