// Judging a run of lesson 19's HTTP/2 client against an H2TestServer: what our
// server saw (TLS connections, streams in flight, GOAWAY, HTTP/1.1 requests,
// failed handshakes) and what the program printed. The probe records node:http
// clients only, so the learner's lines come from the source (http2.connect(,
// .request(, session.close(, 'end' listeners) and from a crash's stack.
// Every failure says what we sent, what came back, the pitfall, the line, why
// Node does this and the fix.

import type { CheckContext, Location } from '../../check-api.js';
import { exitText, findInSource, focusRun, outcome, seconds, show, type ClientResult } from '../../client-harness/run.js';
import type { H2TestServer } from './h2-servers.js';

const STREAM_CODES = /^ERR_HTTP2_STREAM|^ERR_HTTP2_GOAWAY|^ERR_HTTP2_INVALID_SESSION/;

export interface H2Expect {
  /** The lines stdout must hold and the exit code, or 'error' for a failure (Error: on stderr, exit 1). */
  lines?: string[];
  code?: 0 | 1;
  error?: 'refused' | 'certificate' | 'refused-stream' | 'drop';
}

export interface H2Judge {
  /** Fails the check unless the run did what `expect` says; `paths` are the paths the program was given. */
  expect(result: ClientResult, server: H2TestServer, sent: string, paths: string[], expect: H2Expect): void;
}

export function h2Judge(ctx: CheckContext): H2Judge {
  const at = {
    connect: () => findInSource(ctx, /\bconnect\s*\(/),
    request: () => findInSource(ctx, /\.request\s*\(/) ?? findInSource(ctx, /\bconnect\s*\(/),
  };
  return {
    expect(result, server, sent, paths, expect) {
      focusRun(result);
      failWire(ctx, result, server, sent, paths, at);
      if (expect.error) return failError(ctx, result, server, sent, expect.error, at);
      failOutput(ctx, result, server, sent, expect.lines ?? [], expect.code ?? 0, at);
    },
  };
}

type Lines = { connect: () => Location | null; request: () => Location | null };

/** Which client, how many connections and streams, crashes, and a program that would not exit. */
function failWire(ctx: CheckContext, result: ClientResult, server: H2TestServer, sent: string, paths: string[], at: Lines): void {
  const fetched = result.events.find((event) => event.t === 'fetch');
  if (fetched || server.http1.length > 0 || server.alpn.some((protocol) => protocol !== 'h2')) {
    const how = fetched ? 'fetch()' : 'an HTTP/1.1 client';
    ctx.fail(
      'not-using-http-module',
      `${sent}; your program asked over HTTP/1.1 (${server.http1.map((request) => `${request.method} ${request.url}`).join(', ') || 'its TLS handshake offered no h2 in ALPN'}) with ${how}, so our server's HTTP/1.1 fallback answered 505 "use HTTP/2"; ${outcome(result)}. node:https and fetch speak HTTP/1.1 here; this lesson is about node:http2: http2.connect(origin, { ca }) and session.request({ ':path': path }).`,
      findInSource(ctx, /\bhttps?\s*\.\s*(?:get|request)\s*\(|\bfetch\s*\(/) ?? at.request(),
    );
  }
  const crash = result.uncaught;
  if (crash?.code === 'ERR_INVALID_PROTOCOL') {
    ctx.fail('not-using-http-module', `${sent}; your program crashed with ERR_INVALID_PROTOCOL: ${crash.message}: node:http cannot even open an https: URL, and node:https would speak HTTP/1.1. This lesson is about node:http2: http2.connect(origin, { ca }) and session.request({ ':path': path }).`, crash.at ?? findInSource(ctx, /\bhttps?\s*\.\s*(?:get|request)\s*\(/) ?? at.request());
  }
  if (crash) {
    const code = crash.code ?? '';
    const stream = STREAM_CODES.test(code);
    const network = stream || /^E[A-Z]+$|CERT|SELF_SIGNED|UNABLE_TO|^ERR_TLS|^ERR_SSL|^ERR_HTTP2/.test(code);
    if (network) {
      ctx.fail(
        'client-no-error-handler',
        `${sent}; your program crashed with ${code}: ${crash.message} (${exitText(result)}, a stack trace on stderr). ${stream ? "A stream emits 'error' when it is refused, reset or cancelled (a session that failed cancels its pending streams), and an 'error' with no listener is thrown: add stream.on('error', …) to every request" : "The session emits 'error' when the connection is refused or the certificate is refused, and an 'error' with no listener is thrown: add session.on('error', …)"} that prints "Error: <message>" and sets process.exitCode = 1.`,
        stream ? at.request() : at.connect(),
      );
    }
    ctx.fail('crash', `${sent}; your program crashed with ${crash.name}${code ? ` [${code}]` : ''}: ${crash.message} (${exitText(result)}).`, crash.at ?? at.request());
  }
  // A GOAWAY after one of our refusals or drops is the program giving up on a failure: fine.
  const failedBefore = (atMs: number) => server.streams.some((stream) => (stream.outcome === 'refused' || stream.outcome === 'dropped') && (stream.endAtMs ?? Infinity) <= atMs);
  const early = server.goaways.find((goaway) => goaway.streamsBefore < paths.length && !failedBefore(goaway.atMs));
  const lost = paths.length - server.streams.length;
  if (early && lost > 0) {
    const refused = /REFUSED_STREAM/.test(result.stderr);
    const how = refused
      ? `${early.streamsBefore === 0 ? 'they' : 'the rest'} were sent, but the GOAWAY right behind them reached our Node server first, so it refused them (RST_STREAM REFUSED_STREAM): a stream that is 'ready' has been sent, not received`
      : `${early.streamsBefore === 0 ? 'they' : 'the rest'} were never sent: a stream created before the session connected is only pending, and session.close() fails it with ERR_HTTP2_GOAWAY_SESSION`;
    ctx.fail(
      'h2-session-closed-too-early',
      `${sent}; your program closed its session (GOAWAY) when ${early.streamsBefore} of its ${paths.length} requests had reached our server; ${how}; ${outcome(result)}. session.close() lets streams the server already has finish, and refuses new ones. Close the session once every stream has closed (after Promise.all of the responses).`,
      findInSource(ctx, /\.close\s*\(\s*\)/) ?? at.connect(),
    );
  }
  if (server.connections > 1 && server.streams.length > 1) {
    ctx.fail(
      'h2-session-per-request',
      `${sent}; your program opened ${server.connections} TLS connections for ${paths.length} paths (each one a full handshake), one session per request; ${outcome(result)}. HTTP/2 carries many requests at once on one connection, each on its own stream: call http2.connect() once and make every request on that session.`,
      at.connect(),
    );
  }
  if (paths.length > 1 && server.streams.length === paths.length && server.maxInFlight < paths.length) {
    const waits = findInSource(ctx, /\bawait\b/, /\bfor\b|\.reduce\s*\(/);
    ctx.fail(
      'h2-sequential-requests',
      `${sent}; your ${paths.length} requests came on one session but at most ${server.maxInFlight} stream${server.maxInFlight === 1 ? ' was' : 's were'} open at once: each request waited for the previous response, so our server (which holds its answers until all requests arrived, or 500 ms) answered them one by one; ${outcome(result)}. Make every request first (paths.map(get)) and then wait for all of them (Promise.all), so they travel as streams side by side.`,
      waits ?? at.request(),
    );
  }
  if (!result.exited && !result.stoppedEarly) {
    const answered = server.streams.length > 0 && server.streams.every((stream) => stream.outcome !== 'pending');
    if (answered && server.goaways.length === 0) {
      ctx.skipLaterChecks('not run: an earlier check found that your program never closes its HTTP/2 session; every later check would wait for it the same way');
      ctx.fail(
        'h2-session-not-closed',
        `${sent}; every stream was answered and closed, but your program never sent GOAWAY (session.close()) and was still running ${result.afterEnd ? seconds(result.afterEnd.ms) : seconds(result.idleMs)} later (stdout ${show(result.stdout)}), so we stopped it. An open HTTP/2 session keeps its TLS socket, and the process, alive: our server, like any Node HTTP/2 server with default settings, never closes an idle session. Call session.close() once every stream has closed (or session.unref()).`,
        findInSource(ctx, /\.close\s*\(\s*\)/) ?? at.connect(),
      );
    }
    ctx.skipLaterChecks('not run: an earlier check found that your program does not exit by itself; every later check would wait for it the same way');
    ctx.fail('timeout', `${sent}; your program was still running ${seconds(result.ranMs)} after it started (stdout ${show(result.stdout)}, stderr ${show(result.stderr)}), and we stopped it; ${server.streams.filter((stream) => stream.outcome === 'pending').length} stream(s) were still unanswered on our side.`, at.request());
  }
  if (result.exitAfterMs !== null && result.exitAfterMs > 2000) {
    ctx.fail('h2-session-not-closed', `${sent}; your program exited only ${seconds(result.exitAfterMs)} after our last response; a client must exit within 2 s. Close the session as soon as every stream has closed.`, findInSource(ctx, /\.close\s*\(\s*\)/) ?? at.connect());
  }
}

/** A run that should have printed `lines` and exited with `code`. */
function failOutput(ctx: CheckContext, result: ClientResult, server: H2TestServer, sent: string, lines: string[], code: number, at: Lines): void {
  const expected = `${lines.join('\n')}\n`;
  const http1Call = findInSource(ctx, /\bhttps?\s*\.\s*(?:get|request)\s*\(/);
  if (server.upstream.connections === 0 && http1Call && !findInSource(ctx, /\.connect\s*\(/)) {
    ctx.fail('not-using-http-module', `${sent}; your program never connected to our server: it called http.get/https.get or http.request instead of node:http2 (${outcome(result)}). node:http cannot open an https: URL, node:https speaks HTTP/1.1; this lesson is about http2.connect(origin, { ca }) and session.request({ ':path': path }).`, http1Call);
  }
  if (server.connections === 0 && server.handshakeFailures.length > 0) {
    ctx.fail(
      'test-ca-not-trusted',
      `${sent}; the TLS handshake failed (our side saw: ${server.handshakeFailures[0].message}) because your program refused our certificate, issued by the course's test CA; ${outcome(result)}. Node trusts only its bundled public CAs unless you pass the CA yourself: http2.connect(origin, { ca: readFileSync(caFile) }) with the file from argv[3] (its contents, not its path).`,
      at.connect(),
    );
  }
  if (result.stdout === expected || result.stdout === lines.join('\n')) {
    if (result.code !== code) {
      const misread = findInSource(ctx, /['"]\d{3}['"]|\[\s*['"]status['"]\s*\]|headers\s*\.\s*status\b/);
      if (misread) ctx.fail('h2-status-misread', `${sent}; your program printed the right lines but ${exitText(result)}, expected ${code}: it compares the status wrongly. headers[':status'] is the number ${lines[0]?.split(' ')[0]}, so a comparison with a string never matches.`, misread);
      ctx.fail('wrong-status', `${sent}; your program printed the right lines but ${exitText(result)}; expected exit code ${code} (${code === 0 ? 'every status was 2xx' : 'not every status was 2xx'}).`, at.request());
    }
    return;
  }
  const printed = result.stdout.split('\n');
  if (printed.some((line) => /^(?:undefined|null|NaN|\[object Object\])\b/.test(line))) {
    ctx.fail(
      'h2-status-misread',
      `${sent}; expected ${show(expected)} but ${outcome(result)}. An HTTP/2 response has no status line: the status is the pseudo-header ':status' in the 'response' headers, the number 200 (headers[':status']); headers.status is undefined.`,
      findInSource(ctx, /headers\s*\.\s*status\b|\[\s*['"]status['"]\s*\]/) ?? findInSource(ctx, /['"]response['"]/) ?? at.request(),
    );
  }
  if (result.stdout.includes('\uFFFD')) {
    ctx.fail(
      'string-concat-chunks',
      `${sent}; your program printed ${show(result.stdout)}: the characters we cut in two between DATA frames became U+FFFD (�), because each chunk was decoded on its own. Collect the Buffers and decode once (Buffer.concat(chunks).toString('utf8')), or stream.setEncoding('utf8').`,
      findInSource(ctx, /\+=|\.concat\(\s*[\w$]+\.toString|\+\s*[\w$]+\.toString\(/, /\.on\(\s*['"]data['"]/) ?? findInSource(ctx, /\.on\(\s*['"]data['"]/) ?? at.request(),
    );
  }
  const reordered = printed.filter(Boolean).sort().join('\n') === [...lines].sort().join('\n');
  const order = reordered ? ' Every line is there, but in the order the answers finished, not in argument order: keep each result at its path\'s index (Promise.all keeps the order) and print them when all are in.' : '';
  ctx.fail('wrong-body', `${sent}; expected exactly ${show(expected)} on stdout (one line per path, in argument order), but ${outcome(result)}.${order}`, at.request());
}

/** A run that should have failed: `Error:` on stderr, exit code 1. */
function failError(ctx: CheckContext, result: ClientResult, server: H2TestServer, sent: string, kind: NonNullable<H2Expect['error']>, at: Lines): void {
  if (/^Error:/m.test(result.stderr) && result.code === 1) return;
  if (kind === 'certificate' && server.connections > 0) {
    ctx.fail(
      'tls-verification-disabled',
      `${sent}; your program completed the TLS handshake with a certificate it must refuse and went on (${outcome(result)}). With rejectUnauthorized: false (or NODE_TLS_REJECT_UNAUTHORIZED=0, which http2.connect obeys too, even when set at run time) anyone on the path can pretend to be the server. Trust the test CA with { ca } instead and keep verification on.`,
      findInSource(ctx, /rejectUnauthorized|NODE_TLS_REJECT_UNAUTHORIZED|checkServerIdentity/) ?? at.connect(),
    );
  }
  if (kind === 'drop' && result.code === 0) {
    ctx.fail(
      'h2-truncation-unnoticed',
      `${sent}; ${outcome(result)}: the cut response was reported as a success. When the connection drops, Node ends each unfinished stream like a complete one: 'end', then 'close' with stream.rstCode 8 (NGHTTP2_CANCEL), and no 'error'. Judge the stream on 'close': it is complete only with rstCode 0 (NGHTTP2_NO_ERROR) and after a 'response'.`,
      findInSource(ctx, /\.(?:on|once)\(\s*['"]end['"]/) ?? findInSource(ctx, /\bfinished\s*\(|\bpipeline\s*\(/) ?? at.request(),
    );
  }
  if (!/^Error:/m.test(result.stderr)) ctx.fail('wrong-body', `${sent}; expected a line starting with "Error:" on stderr, but ${outcome(result)}.`, kind === 'refused' || kind === 'certificate' ? at.connect() : at.request());
  ctx.fail('wrong-status', `${sent}; expected exit code 1, but ${outcome(result)}.`, at.request());
}
