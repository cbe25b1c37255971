// Requests as checks think of them: method, path, headers, body. Built on a raw
// Connection, so every byte is under control and in the transcript.

import { Connection, NoResponseError, totalBytes, type BodyPart } from './connection.js';
import type { ParsedResponse } from './response-parser.js';
import type { Transcript } from './transcript.js';

export interface RequestOptions {
  /** Extra or replacing headers; `null` removes a default (Host, Content-Length). */
  headers?: Record<string, string | null>;
  /** The body: text, bytes, or parts with pauses between them. */
  body?: string | Buffer | BodyPart[];
  /** Send the body with Transfer-Encoding: chunked, one chunk per part. */
  chunked?: boolean;
  /** How long the complete response may take. Default: 2000 ms (CURRICULUM.md). */
  timeoutMs?: number;
  /** Send on this (kept-alive) connection instead of a new one. */
  connection?: Connection;
  /** Leave the connection open after the response (to reuse it or watch it). */
  keepOpen?: boolean;
  /** Read the response while the body is still being sent, and stop sending once it is whole. */
  readWhileSending?: boolean;
}

export interface RequestSummary {
  method: string;
  target: string;
  headers: Record<string, string>;
  bodyBytes: number;
  /** The body as the check meant it (first 200 characters), for messages. */
  bodyPreview: string;
}

export interface HttpResponse extends ParsedResponse {
  /** The body decoded as UTF-8. */
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  request: RequestSummary;
  connection: Connection;
  /** Body bytes we had sent when the response head arrived. */
  sentBeforeResponse: number;
  /** Whether the whole body went out. */
  sentWholeBody: boolean;
}

export class HttpClient {
  constructor(
    private readonly port: () => number,
    private readonly transcript: Transcript,
    private readonly signal?: AbortSignal,
    /** Why not to send this request at all (a route known to hang), or null. */
    private readonly refuse?: (method: string, target: string) => string | null,
  ) {}

  /** A new connection to the learner's server, for driving bytes by hand. */
  connect(timeoutMs = 2000): Promise<Connection> {
    return Connection.open(this.port(), this.transcript, { timeoutMs, signal: this.signal });
  }

  get(target: string, options: RequestOptions = {}): Promise<HttpResponse> {
    return this.request('GET', target, options);
  }

  async request(method: string, target: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const parts: BodyPart[] = options.body === undefined ? [] : Array.isArray(options.body) ? options.body : [options.body];
    const bodyBytes = totalBytes(parts);
    const headers: Record<string, string> = { Host: `127.0.0.1:${this.port()}` };
    if (parts.length > 0) {
      if (options.chunked) headers['Transfer-Encoding'] = 'chunked';
      else headers['Content-Length'] = String(bodyBytes);
    }
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      const existing = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
      if (existing) delete headers[existing];
      if (value !== null) headers[name] = value;
    }
    const head = `${method} ${target} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
    const summary: RequestSummary = { method, target, headers, bodyBytes, bodyPreview: previewParts(parts) };
    const refusal = this.refuse?.(method, target);
    if (refusal) throw Object.assign(new NoResponseError('aborted', 0, null, 0, refusal), { request: summary });

    const connection = options.connection ?? (await this.connect());
    connection.methods.push(method);
    const timeoutMs = options.timeoutMs ?? 2000;
    const bodyParts = options.chunked ? toChunked(parts) : parts;
    let responded = false;
    let sentBeforeResponse = -1;
    const bodyStart = () => connection.sentBytes;
    try {
      await connection.write(Buffer.from(head, 'latin1'));
      const startBytes = bodyStart();
      let response: ParsedResponse;
      let sentWholeBody: boolean;
      if (options.readWhileSending) {
        const sending = connection.send(bodyParts, () => responded, this.signal);
        const reading = connection.readResponse({ timeoutMs, signal: this.signal }).then((r) => {
          responded = true;
          return r;
        });
        // The head may arrive before the whole response: note how much body had gone by then.
        const watchHead = setInterval(() => {
          if (sentBeforeResponse < 0 && connection.partialResponse) sentBeforeResponse = connection.sentBytes - startBytes;
        }, 5);
        try {
          response = await reading;
        } finally {
          clearInterval(watchHead);
          responded = true;
        }
        if (sentBeforeResponse < 0) sentBeforeResponse = connection.sentBytes - startBytes;
        sentWholeBody = await sending;
      } else {
        sentWholeBody = await connection.send(bodyParts, () => false, this.signal);
        sentBeforeResponse = connection.sentBytes - startBytes;
        response = await connection.readResponse({ timeoutMs, signal: this.signal });
      }
      const text = response.body.toString('utf8');
      return {
        ...response,
        text,
        json: parseJson(text),
        request: summary,
        connection,
        sentBeforeResponse,
        sentWholeBody,
      };
    } catch (error) {
      if (error instanceof NoResponseError) Object.assign(error, { request: summary });
      throw error;
    } finally {
      if (!options.keepOpen) connection.destroy();
    }
  }
}

function toChunked(parts: BodyPart[]): BodyPart[] {
  const chunked: BodyPart[] = [];
  for (const part of parts) {
    if (typeof part === 'object' && 'pauseMs' in part) {
      chunked.push(part);
      continue;
    }
    const size = typeof part === 'string' ? Buffer.byteLength(part) : Buffer.isBuffer(part) ? part.length : part.size;
    if (size === 0) continue;
    chunked.push(`${size.toString(16)}\r\n`, part, '\r\n');
  }
  chunked.push('0\r\n\r\n');
  return chunked;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function previewParts(parts: BodyPart[]): string {
  // Decode the byte parts together: a character split across two parts is whole again.
  const pieces: string[] = [];
  let bytes: Buffer[] = [];
  const flush = () => {
    if (bytes.length) pieces.push(Buffer.concat(bytes).toString('utf8'));
    bytes = [];
  };
  for (const part of parts) {
    if (typeof part === 'string') bytes.push(Buffer.from(part));
    else if (Buffer.isBuffer(part)) bytes.push(part);
    else if ('size' in part) {
      flush();
      pieces.push(`<${part.size} bytes of ${JSON.stringify(part.fill ?? 'x')}>`);
    }
  }
  flush();
  const text = pieces.join('');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
