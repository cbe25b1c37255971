// The client harness, part 2: the test server a check answers the learner's
// client program from, and the ways it answers (in pieces, cut off, refused).
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import type { CheckContext, Upstream, UpstreamRequest } from '../check-api.js';

export interface TestServer {
  upstream: Upstream;
  origin: string;
  /** performance.now() of the last thing that happened on our side (a request, body bytes, a write). */
  lastActivity: number;
  /** performance.now() when our last response was complete, or when we cut a connection. */
  lastResponseAt: number | null;
  /** Responses still being written piece by piece: a program waiting for them is not idle. */
  sending: number;
  /** Exchanges over on our side: responses complete, or connections we cut. */
  ended: number;
  touch(): void;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, record: UpstreamRequest, server: TestServer) => void | Promise<void>;

/** A test server for this check whose handler decides the answer; it notes when things happen. */
export async function testServer(ctx: CheckContext, handler: Handler): Promise<TestServer> {
  const server: TestServer = {
    upstream: null as unknown as Upstream,
    origin: '',
    lastActivity: performance.now(),
    lastResponseAt: null,
    sending: 0,
    ended: 0,
    touch() {
      server.lastActivity = performance.now();
    },
  };
  server.upstream = await ctx.upstream(async (req, res, record) => {
    server.touch();
    req.on('data', () => server.touch());
    req.on('end', () => server.touch());
    res.on('finish', () => {
      server.lastResponseAt = performance.now();
      server.ended++;
      server.touch();
    });
    res.on('close', () => server.touch());
    await handler(req, res, record, server);
  });
  server.origin = server.upstream.origin;
  return server;
}

/** Cuts the connection of this exchange; it counts as our last "response". */
export function cut(server: TestServer, res: ServerResponse): void {
  server.lastResponseAt = performance.now();
  server.ended++;
  server.touch();
  res.socket?.destroy();
}

/** Writes the pieces (a number is a pause in ms) and then ends the response, unless told not to. */
export async function sendPieces(ctx: CheckContext, server: TestServer, res: ServerResponse, parts: Array<Buffer | number>, end = true): Promise<void> {
  server.sending++;
  try {
    for (const part of parts) {
      if (res.destroyed || res.socket?.destroyed || ctx.signal.aborted) return;
      // Not ctx.sleep: twenty answers waiting at once would pile listeners on the check's signal.
      if (typeof part === 'number') await new Promise((resolve) => setTimeout(resolve, part));
      else {
        res.write(part);
        ctx.note(`our server wrote ${part.length} bytes: ${escapeBytes(part)}`);
      }
      server.touch();
    }
    if (end && !res.destroyed) res.end();
  } finally {
    server.sending--;
    server.touch();
  }
}

/** Bytes as text: whole UTF-8 characters as themselves, \n as \\n, anything else (half a character) as \\xNN. */
export function escapeBytes(bytes: Buffer): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i];
    const length = byte < 0x80 ? 1 : byte >= 0xf0 && byte < 0xf8 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc2 && byte < 0xe0 ? 2 : 0;
    const sequence = length > 0 && i + length <= bytes.length ? bytes.subarray(i, i + length) : null;
    if (sequence && (length === 1 || [...sequence.subarray(1)].every((b) => (b & 0xc0) === 0x80))) {
      out += length === 1 && (byte < 0x20 || byte === 0x7f) ? JSON.stringify(String.fromCharCode(byte)).slice(1, -1) : sequence.toString('utf8');
      i += length;
    } else {
      out += `\\x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/** The text's bytes cut inside each of the given multi-byte characters, with a pause between pieces. */
export function cutInside(text: string, characters: string[], pauseMs: number): Array<Buffer | number> {
  const bytes = Buffer.from(text, 'utf8');
  const cuts = characters
    .map((character) => {
      const at = text.indexOf(character);
      if (at < 0 || Buffer.byteLength(character) < 2) throw new Error(`cutInside: "${character}" is not a multi-byte character of the text`);
      return Buffer.byteLength(text.slice(0, at)) + Math.floor(Buffer.byteLength(character) / 2);
    })
    .sort((a, b) => a - b);
  const parts: Array<Buffer | number> = [];
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    if (parts.length) parts.push(pauseMs);
    parts.push(bytes.subarray(from, at));
    from = at;
  }
  return parts;
}

/**
 * A refused origin: a port on 127.0.0.1 that nothing listens on. It is taken
 * below the kernel's ephemeral range (ip_local_port_range, 32768-60999 by
 * default on Linux), because client checks run two at a time: a port picked
 * by listen(0) and closed again could be handed by the next listen(0) to the
 * other check's test server, and the "refused" connection would be answered.
 * A port outside that range is never given to a listen(0). The port is proved
 * free by binding it once; where that fails repeatedly, an ephemeral port
 * closed again is the fallback.
 */
export async function refusedOrigin(ctx: CheckContext): Promise<string> {
  const low = ephemeralLow();
  for (let attempt = 0; attempt < 20 && low > 2048; attempt++) {
    const port = 1024 + Math.floor(Math.random() * (low - 1024));
    if (await bindsFree(port)) return `http://127.0.0.1:${port}`;
  }
  const gone = await ctx.upstream((_req, res) => {
    res.end();
  });
  const origin = gone.origin;
  await gone.close();
  return origin;
}

function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return Number.isInteger(low) ? low : 0;
  } catch {
    return 0;
  }
}

function bindsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
