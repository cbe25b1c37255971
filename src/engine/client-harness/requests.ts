// The client harness, part 4: what a client program's request looked like, as the
// probe and our test server saw it (the body bytes it wrote, the agent it went
// through, where it set a header or made its agent), and the judgement a client
// lesson opens with: did the request go through node:http at all. Lessons 10-12
// reach these as ctx.client.<name> (toolkit/client.ts).
import type { IncomingMessage } from 'node:http';
import type { CheckContext, Location, UpstreamRequest } from '../check-api.js';
import { failCommon } from './judge.js';
import { clientRequests, eventsOf, exitText, findInSource, outcome, requestLine, show, type ClientResult } from './run.js';
import { escapeBytes, type TestServer } from './server.js';

/** Resolves once our test server has read the request's whole body, or its connection closed first. */
export function bodyReceived(req: IncomingMessage): Promise<void> {
  return new Promise<void>((resolve) => {
    if (req.readableEnded) return resolve();
    req.on('end', resolve);
    req.on('close', resolve);
  });
}

/** Bytes of body the program wrote on its first request (req.write and req.end), as the probe counted them; 0 without one. */
export function bodyBytesWritten(result: ClientResult): number {
  const request = clientRequests(result)[0];
  if (!request) return 0;
  return eventsOf(result, 'client-call')
    .filter((call) => call.id === request.id && (call.fn === 'write' || call.fn === 'end'))
    .reduce((sum, call) => sum + (call.bytes ?? 0), 0);
}

/** What reached our test server, for the transcript: method, target, Content-Type, how the body was framed, its bytes. */
export function describeReceived(record: UpstreamRequest): string {
  const { headers } = record;
  const framing =
    headers['content-length'] !== undefined
      ? `Content-Length ${String(headers['content-length'])}`
      : `no Content-Length${headers['transfer-encoding'] ? ` (Transfer-Encoding: ${String(headers['transfer-encoding'])})` : ''}`;
  return `${record.method} ${record.url}, Content-Type ${headers['content-type'] ?? '(none)'}, ${framing}, body (${record.body.length} bytes) ${escapeBytes(record.body)}`;
}

/** The media type of a request our server received: its Content-Type without parameters, in lower case; undefined without one. */
export function requestMediaType(request: { headers: UpstreamRequest['headers'] }): string | undefined {
  const header = request.headers['content-type'];
  return (Array.isArray(header) ? header[0] : header)?.split(';')[0].trim().toLowerCase();
}

/** The agent the program's requests went through, as the probe saw it; null when it saw none. */
export function agentOf(result: ClientResult): { global: boolean; keepAlive: boolean; maxSockets: number | null } | null {
  return eventsOf(result, 'client-req').find((event) => event.agent)?.agent ?? null;
}

/** Where the program made its agent (`new http.Agent(`), else turned agents off (`agent: false`), else its request line. */
export function agentLine(ctx: CheckContext, result: ClientResult): Location | null {
  return findInSource(ctx, /new\s+(?:https?\s*\.\s*)?Agent\s*\(/) ?? findInSource(ctx, /\bagent\s*:\s*false\b/) ?? requestLine(result);
}

/**
 * Where the program set request header `name` (lower case): its setHeader() call
 * as the probe saw it, else `'name':` in its source, else (given `fallback`) that
 * pattern after its request call or anywhere, else its request line.
 */
export function headerLine(ctx: CheckContext, result: ClientResult, name: string, fallback?: RegExp): Location | null {
  const call = eventsOf(result, 'client-call').find((event) => event.fn === 'setHeader' && String(event.name).toLowerCase() === name);
  const inOptions = () => (fallback ? (findInSource(ctx, fallback, /\bhttps?\s*\.\s*request\s*\(|\brequest\s*\(/) ?? findInSource(ctx, fallback)) : null);
  return call?.at ?? findInSource(ctx, new RegExp(`['"\`]${name}['"\`]\\s*:`, 'i')) ?? inOptions() ?? requestLine(result);
}

/**
 * A client lesson's first judgement: the program made a request, with node:http
 * (`calls` names the functions the lesson asks for). Fails with
 * not-using-http-module (fetch, or another client reached our server), else with
 * what failCommon says, else `crash` (it exited non-zero first) or `timeout`.
 */
export function expectNodeHttp(ctx: CheckContext, result: ClientResult, server: TestServer, sent: string, calls = 'http.get or http.request'): void {
  const fetched = eventsOf(result, 'fetch')[0];
  if (fetched) ctx.fail('not-using-http-module', `${sent}; your program made its request with fetch(), Node's built-in undici client, not with node:http (${calls}).`, fetched.at ?? findInSource(ctx, /\bfetch\s*\(/));
  if (clientRequests(result).length > 0) return;
  if (server.upstream.received.length > 0) {
    ctx.fail('not-using-http-module', `${sent}; a request reached our server, but not through node:http's ${calls}: your program used another client.`, findInSource(ctx, /\bfetch\s*\(|\.connect\s*\(|createConnection\s*\(/));
  }
  failCommon(ctx, result, server, sent);
  if (result.exited && result.code !== 0) ctx.fail('crash', `${sent}; your program ${exitText(result)} before making any request (stderr ${show(result.stderr, 400)}).`, null);
  ctx.fail('timeout', `${sent}; your program never made a request (${outcome(result)}).`, findInSource(ctx, /\bhttp\s*\.\s*(?:get|request)\s*\(/));
}

/** Stops a run as soon as the program has made its first request, with node:http or fetch (for expectNodeHttp). */
export function madeRequest(events: Array<{ t: string }>): boolean {
  return events.some((event) => event.t === 'fetch' || event.t === 'client-create');
}
