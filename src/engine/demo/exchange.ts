// One request of a demo, on the engine's raw client: what was sent, what came
// back and when, or why nothing did (a hang, a reset, our own hang-up).

import { NoResponseError, totalBytes } from '../clients/connection.js';
import type { HttpClient } from '../clients/http-client.js';
import type { Exchange } from './run-demo.js';
import { DEMO_CAP_MS, toBodyParts, type DemoRequest } from './scenario.js';
import { fmtMs } from './symptom.js';

export async function exchange(client: HttpClient, request: DemoRequest, listenedAt: number, signal?: AbortSignal): Promise<Exchange> {
  if (request.startAfterMs) await new Promise((resolve) => setTimeout(resolve, Math.min(request.startAfterMs ?? 0, DEMO_CAP_MS)));
  const started = performance.now();
  const timeoutMs = Math.min(request.timeoutMs ?? DEMO_CAP_MS, DEMO_CAP_MS);
  const base = {
    name: request.name,
    startedAtMs: Math.round(started - listenedAt),
    sent: { method: request.method, target: request.path, headers: {}, bodyBytes: 0, bodyPreview: '' },
  };
  if (request.raw) return rawExchange(client, request, base, started, timeoutMs, signal);
  try {
    const response = await client.request(request.method, request.path, {
      headers: request.headers,
      body: request.body ? toBodyParts(request.body) : undefined,
      chunked: request.chunked,
      readWhileSending: request.readWhileSending,
      timeoutMs,
    });
    const first = response.arrivals[0]?.atMs ?? response.endAtMs;
    const last = response.arrivals[response.arrivals.length - 1]?.atMs ?? response.endAtMs;
    return {
      ...base,
      sent: response.request,
      response: {
        status: response.status,
        reason: response.reason,
        headers: response.headers,
        body: response.text.length > 400 ? `${response.text.slice(0, 400)}…` : response.text,
        bodyBytes: response.body.length,
        headAtMs: response.headAtMs,
        endAtMs: response.endAtMs,
        spreadMs: Math.max(0, last - first),
        arrivals: response.arrivals.length,
      },
      noResponse: null,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    if (!(error instanceof NoResponseError)) throw error;
    const sent = (error as NoResponseError & { request?: Exchange['sent'] }).request ?? base.sent;
    return {
      ...base,
      sent,
      response: null,
      noResponse: { reason: error.reason, waitedMs: error.waitedMs, message: error.message, partialStatus: error.partial?.status ?? null },
      durationMs: Math.round(performance.now() - started),
    };
  }
}

/** Exact bytes on a new connection: read while sending, or (abort) hang up once they are sent. */
async function rawExchange(
  client: HttpClient,
  request: DemoRequest,
  base: Pick<Exchange, 'name' | 'startedAtMs'>,
  started: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Exchange> {
  const parts = toBodyParts(request.raw);
  const text = Buffer.concat(parts.filter((part): part is string | Buffer => typeof part === 'string' || Buffer.isBuffer(part)).map((part) => Buffer.from(part))).toString('utf8');
  const [line = ''] = text.split('\r\n');
  const [method = '?', target = '?'] = line.split(' ');
  const sent = { method, target, headers: {}, bodyBytes: totalBytes(parts), bodyPreview: '', raw: text.length > 60 ? `${text.slice(0, 60)}…` : text };
  const connection = await client.connect();
  connection.methods.push(method);
  if (request.pauseReading) connection.socket.pause();
  let done = false;
  try {
    if (request.abort) {
      await connection.send(parts, () => false, signal);
      const partial = connection.partialResponse;
      connection.destroy();
      const waited = Math.round(performance.now() - started);
      const got = partial ? `${partial.status} and ${partial.body.length} body bytes` : 'nothing';
      return { ...base, sent, response: null, noResponse: { reason: 'aborted', waitedMs: waited, message: `we hung up after ${fmtMs(waited)}, having received ${got}${request.pauseReading ? ' (reading slowly)' : ''}`, partialStatus: partial?.status ?? null }, durationMs: waited };
    }
    const sending = connection.send(parts, () => done, signal);
    try {
      const response = await connection.readResponse({ timeoutMs, signal });
      const bodyText = response.body.toString('utf8');
      return {
        ...base,
        sent,
        response: { status: response.status, reason: response.reason, headers: response.headers, body: bodyText.slice(0, 400), bodyBytes: response.body.length, headAtMs: response.headAtMs, endAtMs: response.endAtMs, spreadMs: 0, arrivals: response.arrivals.length },
        noResponse: null,
        durationMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      if (!(error instanceof NoResponseError)) throw error;
      return { ...base, sent, response: null, noResponse: { reason: error.reason, waitedMs: error.waitedMs, message: error.message, partialStatus: error.partial?.status ?? null }, durationMs: Math.round(performance.now() - started) };
    } finally {
      done = true;
      await sending;
    }
  } finally {
    connection.destroy();
  }
}
