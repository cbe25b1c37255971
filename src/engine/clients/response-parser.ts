// An incremental HTTP/1.1 response parser (RFC 9112). Ours rather than Node's
// so that checks see exactly what the learner's server put on the wire: the
// framing it chose, when each body byte arrived, and bytes left over after a
// response (a too-small Content-Length poisons the next response on the same
// connection; RFC 9112 §6.3).

import { Summarizer, type BodySummary, type SummaryOptions } from './body-summary.js';

export type { BodySummary, SummaryOptions } from './body-summary.js';

export interface BodyArrival {
  /** Milliseconds since the request started, when these body bytes arrived. */
  atMs: number;
  bytes: number;
}

export interface ParsedResponse {
  httpVersion: string;
  status: number;
  reason: string;
  /** Lower-cased names; repeated headers joined with ", " (set-cookie too). */
  headers: Record<string, string>;
  rawHeaders: Array<[string, string]>;
  /** The whole body; empty when it was summarised instead (see `summary`). */
  body: Buffer;
  /** Set, and `body` left empty, when the connection summarises bodies (Connection.summarizeBodies). */
  summary?: BodySummary;
  framing: 'content-length' | 'chunked' | 'until-close' | 'none';
  arrivals: BodyArrival[];
  headAtMs: number;
  endAtMs: number;
  /** True when the framing says the message is whole. */
  complete: boolean;
}

export class ResponseParseError extends Error {}

type State = 'head' | 'fixed' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'until-close' | 'done';

const MAX_HEAD_BYTES = 64 * 1024;

export class ResponseParser {
  private buffer: Buffer = Buffer.alloc(0);
  private state: State = 'head';
  private current: ParsedResponse | null = null;
  private bodyParts: Buffer[] = [];
  /** Set by summarize(): bodies from the next response head on are summarised, not kept. */
  private summaryOptions: SummaryOptions | null = null;
  private summarizer: Summarizer | null = null;
  private remaining = 0;
  /** Responses completed and not yet taken. */
  readonly completed: ParsedResponse[] = [];

  /** `headOnly`: the request was HEAD, so the response has no body whatever its headers say. */
  constructor(private headOnly: () => boolean = () => false) {}

  /** The response being received, if its head has arrived. */
  get partial(): ParsedResponse | null {
    if (!this.current) return null;
    if (this.summarizer) return { ...this.current, body: Buffer.alloc(0), summary: this.summarizer.result(false) };
    return { ...this.current, body: Buffer.concat(this.bodyParts) };
  }

  /** Keep only a summary of the bodies of the responses whose heads arrive from now on (null: whole bodies again). */
  summarize(options: SummaryOptions | null): void {
    this.summaryOptions = options;
  }

  /** Bytes received beyond the last complete response that are not part of a new head yet. */
  get leftover(): Buffer {
    return this.buffer;
  }

  push(data: Buffer, atMs: number): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : data;
    // Each pass consumes input or stops; bounded by the input length.
    for (let guard = 0; guard < 100_000 && this.step(atMs); guard++);
  }

  /** The connection closed: a body framed by the close ends here. */
  end(atMs: number): void {
    if (this.state === 'until-close' && this.current) this.finish(atMs);
  }

  private step(atMs: number): boolean {
    switch (this.state) {
      case 'head':
      case 'done':
        return this.parseHead(atMs);
      case 'fixed': {
        if (this.buffer.length === 0) return false;
        const take = Math.min(this.remaining, this.buffer.length);
        this.addBody(this.buffer.subarray(0, take), atMs);
        this.buffer = this.buffer.subarray(take);
        this.remaining -= take;
        if (this.remaining === 0) this.finish(atMs);
        return true;
      }
      case 'chunk-size': {
        const lineEnd = this.buffer.indexOf('\r\n');
        if (lineEnd < 0) {
          if (this.buffer.length > 1024) throw new ResponseParseError('chunk size line too long');
          return false;
        }
        const line = this.buffer.subarray(0, lineEnd).toString('latin1');
        const size = parseInt(line.split(';')[0].trim(), 16);
        if (!Number.isFinite(size) || !/^[0-9a-fA-F]+$/.test(line.split(';')[0].trim())) {
          throw new ResponseParseError(`bad chunk size line ${JSON.stringify(line.slice(0, 40))}`);
        }
        this.buffer = this.buffer.subarray(lineEnd + 2);
        if (size === 0) this.state = 'trailers';
        else {
          this.remaining = size;
          this.state = 'chunk-data';
        }
        return true;
      }
      case 'chunk-data': {
        if (this.buffer.length === 0) return false;
        const take = Math.min(this.remaining, this.buffer.length);
        this.addBody(this.buffer.subarray(0, take), atMs);
        this.buffer = this.buffer.subarray(take);
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'chunk-crlf';
        return true;
      }
      case 'chunk-crlf': {
        if (this.buffer.length < 2) return false;
        if (this.buffer[0] !== 13 || this.buffer[1] !== 10) throw new ResponseParseError('chunk data not followed by CRLF');
        this.buffer = this.buffer.subarray(2);
        this.state = 'chunk-size';
        return true;
      }
      case 'trailers': {
        const lineEnd = this.buffer.indexOf('\r\n');
        if (lineEnd < 0) return false;
        this.buffer = this.buffer.subarray(lineEnd + 2);
        if (lineEnd === 0) this.finish(atMs);
        return true;
      }
      case 'until-close': {
        if (this.buffer.length === 0) return false;
        this.addBody(this.buffer, atMs);
        this.buffer = Buffer.alloc(0);
        return true;
      }
    }
  }

  private parseHead(atMs: number): boolean {
    const headEnd = this.buffer.indexOf('\r\n\r\n');
    if (headEnd < 0) {
      if (this.buffer.length > MAX_HEAD_BYTES) throw new ResponseParseError('response head larger than 64 KiB');
      return false;
    }
    const lines = this.buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
    this.buffer = this.buffer.subarray(headEnd + 4);
    const statusLine = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0]);
    if (!statusLine) throw new ResponseParseError(`not an HTTP status line: ${JSON.stringify(lines[0].slice(0, 60))}`);
    const status = Number(statusLine[2]);
    const rawHeaders: Array<[string, string]> = [];
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new ResponseParseError(`malformed header line ${JSON.stringify(line.slice(0, 60))}`);
      const name = line.slice(0, colon);
      // Header values are bytes; Node writes strings as latin1, so decode as UTF-8
      // where that is what the server meant.
      const value = Buffer.from(line.slice(colon + 1).trim(), 'latin1').toString('utf8');
      rawHeaders.push([name, value]);
      const key = name.toLowerCase();
      headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
    }
    if (status >= 100 && status < 200 && status !== 101) return true; // 100 Continue and friends: interim.
    this.current = {
      httpVersion: statusLine[1], status, reason: statusLine[3] ?? '', headers, rawHeaders,
      body: Buffer.alloc(0), framing: 'none', arrivals: [], headAtMs: atMs, endAtMs: atMs, complete: false,
    };
    this.bodyParts = [];
    this.summarizer = this.summaryOptions ? new Summarizer(this.summaryOptions) : null;
    const noBody = this.headOnly() || status === 204 || status === 304;
    const transferEncoding = headers['transfer-encoding']?.toLowerCase() ?? '';
    if (noBody) {
      this.finish(atMs);
    } else if (transferEncoding.split(',').map((s) => s.trim()).includes('chunked')) {
      this.current.framing = 'chunked';
      this.state = 'chunk-size';
    } else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length'].split(',')[0].trim());
      if (!Number.isSafeInteger(length) || length < 0) throw new ResponseParseError(`bad Content-Length ${headers['content-length']}`);
      this.current.framing = 'content-length';
      this.remaining = length;
      if (length === 0) this.finish(atMs);
      else this.state = 'fixed';
    } else {
      this.current.framing = 'until-close';
      this.state = 'until-close';
    }
    return true;
  }

  private addBody(bytes: Buffer, atMs: number): void {
    if (!this.current || bytes.length === 0) return;
    // No copy: `bytes` is a view of a chunk the socket handed over and nobody
    // writes to (the transcript keeps its own copies); finish() copies once.
    if (this.summarizer) this.summarizer.add(bytes);
    else this.bodyParts.push(bytes);
    const last = this.current.arrivals[this.current.arrivals.length - 1];
    if (last && last.atMs === atMs) last.bytes += bytes.length;
    else this.current.arrivals.push({ atMs, bytes: bytes.length });
  }

  private finish(atMs: number): void {
    if (!this.current) return;
    const summary = this.summarizer?.result(true);
    const response = { ...this.current, body: Buffer.concat(this.bodyParts), ...(summary ? { summary } : {}), endAtMs: atMs, complete: true };
    this.summarizer = null;
    if (response.framing === 'none' && this.current.framing === 'none') response.framing = 'none';
    this.completed.push(response);
    this.current = null;
    this.bodyParts = [];
    this.state = 'done';
  }
}

/** The parser plus the queue of methods it answers, so HEAD responses parse right. */
export class ParsedResponseQueue {
  private readonly parser: ResponseParser;
  private taken = 0;
  constructor(methods: string[]) {
    this.parser = new ResponseParser(() => methods[this.taken + this.parser.completed.length] === 'HEAD');
  }
  push(data: Buffer, atMs: number): void {
    this.parser.push(data, atMs);
  }
  end(atMs: number): void {
    this.parser.end(atMs);
  }
  summarize(options: SummaryOptions | null): void {
    this.parser.summarize(options);
  }
  take(): ParsedResponse | undefined {
    const next = this.parser.completed.shift();
    if (next) this.taken++;
    return next;
  }
  peek(): ParsedResponse | undefined {
    return this.parser.completed[0];
  }
  get partial(): ParsedResponse | null {
    return this.parser.partial;
  }
  get leftover(): Buffer {
    return this.parser.leftover;
  }
}
