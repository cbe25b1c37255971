// Lesson 11: `client.js <url> <name>` POSTs {"name": <name>} with node:http,
// Content-Type: application/json and a Content-Length equal to the body's
// length in bytes, then handles the answer as lesson 10 does: the body on stdout
// and exit 0 for a 2xx; nothing on stdout, `HTTP <status>` on stderr and exit 1
// otherwise; `Error:` on stderr and exit 1 when the connection fails. Always:
// exit within 2 s of the last response.
//
// Each check starts its own test server, a stand-in for lesson 04's
// POST /api/users, records exactly what arrives (headers, body bytes), and runs
// the program against it. The names include non-ASCII characters, so a
// Content-Length counted in characters shows.
//
// A client program has no status line and no response body, so the generic ids
// mean, here: `wrong-body` what it sent us, or wrote to stdout or stderr, is
// not what was asked; `wrong-header` a header of its request is wrong in a way
// no listed pitfall names; `wrong-status` its exit code is wrong; `crash` it
// died of an uncaught error; `timeout` it was still running 2 s after its last
// response for no reason a listed pitfall explains.
import type { CheckContext, LessonChecks, Location } from 'httpdojo/check';
import {
  CHECK_MS, clientRequests, cut, cutInside, escapeBytes, eventsOf, exitText, expectErrorLine, expectFailureStatus, expectSuccessOutput, failCommon, findInSource,
  outcome, refusedOrigin, requestLine, runClient, sendPieces, show, testServer, type ClientResult, type Handler, type TestServer,
} from 'httpdojo/check';
// The client harness (test server, running the program, the failures every
// client check shares) is the engine's, from 'httpdojo/check'.

// ---------------------------------------------------------------------------
// Lesson 11

const NAME = 'Zoë 😀';
const USERS = '/api/users';

/** What a stand-in for lesson 04's POST /api/users answers; `status` forces an answer once the body is in. */
function usersApi(ctx: CheckContext, forced?: { status: number; body: string }): Handler {
  return async (req, res, record, server) => {
    await new Promise<void>((resolve) => {
      if (req.readableEnded) return resolve();
      req.on('end', resolve);
      req.on('close', resolve);
    });
    if (res.destroyed || req.socket.destroyed) {
      // Node's parser already answered (400) and closed the connection: the bytes after the body were not HTTP.
      ctx.note(`our server received ${req.method} ${req.url} with a body of ${record.body.length} bytes, ${escapeBytes(record.body)}; the connection was already closed`);
      return;
    }
    ctx.note(
      `our server received ${req.method} ${req.url}, Content-Type ${req.headers['content-type'] ?? '(none)'}, ` +
        `${req.headers['content-length'] !== undefined ? `Content-Length ${req.headers['content-length']}` : `no Content-Length${req.headers['transfer-encoding'] ? ` (Transfer-Encoding: ${req.headers['transfer-encoding']})` : ''}`}, ` +
        `body (${record.body.length} bytes) ${escapeBytes(record.body)}`,
    );
    let status: number;
    let answer: string;
    const name = parseName(record.body);
    if (forced) ({ status, body: answer } = forced);
    else if (req.method !== 'POST' || req.url !== USERS) [status, answer] = [404, '{"error":"Not found"}'];
    else if (mediaType(req.headers['content-type']) !== 'application/json') [status, answer] = [415, '{"error":"Content-Type must be application/json"}'];
    else if (name === undefined) [status, answer] = [400, '{"error":"Invalid JSON"}'];
    else if (typeof name !== 'string' || name === '') [status, answer] = [400, '{"error":"Invalid user"}'];
    else [status, answer] = [201, JSON.stringify({ id: 3, name })];
    res.writeHead(status, { 'Content-Type': 'application/json' });
    const multiByte = [...new Set([...answer].filter((character) => Buffer.byteLength(character) > 1))];
    const bytes = Buffer.from(answer);
    await sendPieces(ctx, server, res, multiByte.length ? cutInside(answer, multiByte, 40) : [bytes.subarray(0, 6), 40, bytes.subarray(6)]);
  };
}

/** The name in a JSON body; undefined when the body is not JSON, null when it has no name. */
function parseName(body: Buffer): unknown {
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    return value && typeof value === 'object' && 'name' in value ? (value as { name: unknown }).name : null;
  } catch {
    return undefined;
  }
}

function mediaType(header: string | string[] | undefined): string | undefined {
  return (Array.isArray(header) ? header[0] : header)?.split(';')[0].trim().toLowerCase();
}

/** Where the learner set a request header: a setHeader() call, else the header in the options, else the request. */
function headerLine(ctx: CheckContext, result: ClientResult, name: string, fallback?: RegExp): Location | null {
  const call = eventsOf(result, 'client-call').find((event) => event.fn === 'setHeader' && String(event.name).toLowerCase() === name);
  return call?.at ?? findInSource(ctx, new RegExp(`['"\`]${name}['"\`]\\s*:`, 'i')) ?? (fallback ? findInSource(ctx, fallback, /\bhttps?\s*\.\s*request\s*\(|\brequest\s*\(/) ?? findInSource(ctx, fallback) : null) ?? requestLine(result);
}

/** The request our server received: method, Content-Type, Content-Length, body. */
function checkRequest(ctx: CheckContext, result: ClientResult, server: TestServer, sent: string, name: string): void {
  const record = server.upstream.received[0];
  if (!record) return;
  const intendedBytes = Buffer.byteLength(JSON.stringify({ name }));
  if (record.method !== 'POST') ctx.fail('wrong-body', `${sent}; expected a POST, but your program sent ${record.method} ${record.url}.`, requestLine(result));
  const type = record.headers['content-type'];
  if (mediaType(type) !== 'application/json') {
    ctx.fail(
      'missing-content-type',
      `${sent}; your POST ${type === undefined ? 'had no Content-Type header at all' : `said Content-Type: ${String(type)}`}, so our server could not tell the body is JSON and answered 415 Unsupported Media Type; ${outcome(result)}.`,
      headerLine(ctx, result, 'content-type', /\bheaders\s*:/),
    );
  }
  if (record.headers['content-length'] === undefined) {
    ctx.fail(
      'wrong-header',
      `${sent}; your POST had no Content-Length header${record.headers['transfer-encoding'] ? ` (Node sent the body with Transfer-Encoding: ${String(record.headers['transfer-encoding'])})` : ''}; send Content-Length: ${intendedBytes}, the body's length in bytes.`,
      headerLine(ctx, result, 'content-length', /\bheaders\s*:/),
    );
  }
  checkFraming(ctx, result, server, sent, name);
  checkBody(ctx, result, server, sent, name);
}

/** A Content-Length that does not match the bytes written: too small cuts the body, too big leaves our server waiting. */
function checkFraming(ctx: CheckContext, result: ClientResult, server: TestServer, sent: string, name: string): void {
  const record = server.upstream.received[0];
  const declared = record?.headers['content-length'];
  if (!record || declared === undefined) return;
  const intended = JSON.stringify({ name });
  const intendedBytes = Buffer.byteLength(intended);
  const request = clientRequests(result)[0];
  const written = request
    ? eventsOf(result, 'client-call').filter((call) => call.id === request.id && (call.fn === 'write' || call.fn === 'end')).reduce((sum, call) => sum + (call.bytes ?? 0), 0)
    : 0;
  const length = Number(declared);
  const sentBytes = written || intendedBytes;
  if (length < sentBytes) {
    const leftover = sentBytes - length;
    ctx.fail(
      'content-length-string-length',
      `${sent}; your request said Content-Length: ${length}, but its body${sentBytes === intendedBytes ? ` ${intended}` : ''} is ${sentBytes} bytes in UTF-8` +
        `${length === intended.length && sentBytes === intendedBytes ? ` (${length} is its string length, in UTF-16 units)` : ''}. ` +
        `Our server read ${length} bytes as the body, ${escapeBytes(record.body)}, and took the ${leftover} bytes left over for the start of a new request, which is not valid HTTP (a Node server answers that with 400 Bad Request and closes the connection); ${outcome(result)}.`,
      headerLine(ctx, result, 'content-length'),
    );
  }
  if (length > sentBytes && written > 0) {
    ctx.fail('wrong-header', `${sent}; your request said Content-Length: ${length}, but only ${written} bytes of body followed, so our server kept waiting for the rest; send Content-Length: ${intendedBytes}.`, headerLine(ctx, result, 'content-length'));
  }
}

/** The body our server received is the JSON {"name": name}. */
function checkBody(ctx: CheckContext, result: ClientResult, server: TestServer, sent: string, name: string): void {
  const record = server.upstream.received[0];
  const intended = JSON.stringify({ name });
  if (record && record.endAtMs !== null) {
    const got = parseName(record.body);
    let parsed: unknown;
    try {
      parsed = JSON.parse(record.body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    if (got !== name || JSON.stringify(parsed) !== intended) {
      ctx.fail('wrong-body', `${sent}; expected the body ${intended}, but our server received ${show(record.body.toString('utf8'))}.`, findInSource(ctx, /JSON\s*\.\s*stringify\s*\(/) ?? requestLine(result));
    }
  }
}

export default {
  checks: [
    {
      id: 'uses-node-http',
      title: 'the program POSTs with node:http (http.request), not fetch',
      timeoutMs: CHECK_MS,
      async run(ctx) {
        const server = await testServer(ctx, usersApi(ctx));
        // Which client made the request is all this check needs to see.
        const result = await runClient(ctx, server, [`${server.origin}${USERS}`, 'Ada'], (events) => events.some((event) => event.t === 'fetch' || event.t === 'client-create'));
        const sent = `We ran your program with ${server.origin}${USERS} and the name "Ada"`;
        const fetched = eventsOf(result, 'fetch')[0];
        if (fetched) ctx.fail('not-using-http-module', `${sent}; it posted with fetch(), Node's built-in undici client, not with node:http (http.request).`, fetched.at ?? findInSource(ctx, /\bfetch\s*\(/));
        if (server.upstream.received.length > 0 && clientRequests(result).length === 0) {
          ctx.fail('not-using-http-module', `${sent}; a request reached our server, but not through node:http's http.request: your program used another client.`, findInSource(ctx, /\bfetch\s*\(|\.connect\s*\(|createConnection\s*\(/));
        }
        if (clientRequests(result).length === 0) {
          failCommon(ctx, result, server, sent);
          if (result.exited && result.code !== 0) ctx.fail('crash', `${sent}; your program ${exitText(result)} before making any request (stderr ${show(result.stderr, 400)}).`, null);
          ctx.fail('timeout', `${sent}; it never made a request (${outcome(result)}).`, findInSource(ctx, /\bhttp\s*\.\s*(?:get|request)\s*\(/));
        }
      },
    },
    {
      id: 'post-json',
      title: `POSTs {"name":"${NAME}"} with Content-Type: application/json and a Content-Length in bytes, prints the 201 answer, exit code 0`,
      needs: ['uses-node-http'],
      timeoutMs: CHECK_MS,
      async run(ctx) {
        const server = await testServer(ctx, usersApi(ctx));
        const result = await runClient(ctx, server, [`${server.origin}${USERS}`, NAME]);
        const sent = `We ran your program with ${server.origin}${USERS} and the name "${NAME}"`;
        failCommon(ctx, result, server, sent, () => checkRequest(ctx, result, server, sent, NAME));
        checkRequest(ctx, result, server, sent, NAME);
        const created = JSON.stringify({ id: 3, name: NAME });
        expectSuccessOutput(ctx, result, `${sent}; our server answered 201 with ${created}, in pieces cut inside ë and 😀`, created);
      },
    },
    {
      id: 'non-2xx',
      title: 'a 409 or a 303 answer prints nothing on stdout, HTTP <status> on stderr, and exits with code 1',
      needs: ['uses-node-http'],
      timeoutMs: 2 * CHECK_MS,
      async run(ctx) {
        // CURRICULUM: anything but 2xx is "other status", a 3xx too (http.request
        // never follows a redirect: the 303 after a POST reaches the callback as is).
        const answers = [
          { status: 409, body: '{"error":"A user named Bob already exists"}' },
          { status: 303, body: 'See Other: /api/users/3\n' },
        ];
        for (const { status, body } of answers) {
          const server = await testServer(ctx, usersApi(ctx, { status, body }));
          const result = await runClient(ctx, server, [`${server.origin}${USERS}`, 'Bob']);
          const sent = `We ran your program with the name "Bob" against a server that answers a POST with ${status} and ${show(body)}`;
          expectFailureStatus(ctx, result, server, sent, status, body, () => checkFraming(ctx, result, server, sent, 'Bob'));
        }
      },
    },
    {
      id: 'connection-refused',
      title: 'a refused connection prints a line starting with "Error:" on stderr and exits with code 1, without crashing',
      needs: ['uses-node-http'],
      timeoutMs: CHECK_MS,
      async run(ctx) {
        const origin = await refusedOrigin(ctx);
        const server = await testServer(ctx, (_req, res) => {
          res.end();
        });
        const result = await runClient(ctx, server, [`${origin}${USERS}`, NAME]);
        expectErrorLine(ctx, result, server, `We gave your program ${origin}${USERS}, a port where nothing listens (connection refused)`);
      },
    },
    {
      id: 'reset-before-response',
      title: 'a connection reset after the body arrived, before any answer, prints a line starting with "Error:" on stderr and exits with code 1',
      needs: ['uses-node-http'],
      timeoutMs: CHECK_MS,
      async run(ctx) {
        const server = await testServer(ctx, async (req, res, _record, srv) => {
          await new Promise<void>((resolve) => {
            if (req.readableEnded) return resolve();
            req.on('end', resolve);
            req.on('close', resolve);
          });
          cut(srv, res);
        });
        // An ASCII name: this check is about the reset, not about counting bytes.
        const result = await runClient(ctx, server, [`${server.origin}${USERS}`, 'Ada']);
        const sent = 'We ran your program with the name "Ada" against a server that reads the POST and then closes the connection without answering';
        expectErrorLine(ctx, result, server, sent, () => checkFraming(ctx, result, server, sent, 'Ada'));
      },
    },
  ],
} satisfies LessonChecks;
