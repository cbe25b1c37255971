// What lesson 19's HTTP/2 test server answers (CURRICULUM 19): /items/<n> is
// `200 item <n>`, /greeting is `200 Zoë 😀` in DATA frames cut inside ë and
// inside 😀 with pauses, anything else `404 no such item`; all text/plain.
// Each frame we send is noted (`← HEADERS stream 1 (:status 200)`,
// `← DATA stream 1, 3 bytes`).

import type { ServerHttp2Stream } from 'node:http2';
import { escapeBytes } from '../../client-harness/server.js';

export const GREETING = 'Zoë 😀';
/** Pause between the greeting's DATA frames. */
export const PIECE_PAUSE_MS = 40;

export interface Answer {
  status: number;
  body: string;
  /** The body's bytes, one entry per DATA frame. */
  parts: Buffer[];
}

export function answerFor(path: string): Answer {
  const item = /^\/items\/([^/?#]+)$/.exec(path);
  if (item) return split(200, `item ${item[1]}`);
  if (path === '/greeting') {
    const bytes = Buffer.from(GREETING);
    // Cut after the first byte of ë (C3|AB) and after the second byte of 😀 (F0 9F|98 80).
    const e = Buffer.byteLength('Zo') + 1;
    const smile = Buffer.byteLength('Zoë ') + 2;
    return { status: 200, body: GREETING, parts: [bytes.subarray(0, e), bytes.subarray(e, smile), bytes.subarray(smile)] };
  }
  return split(404, 'no such item');
}

/** Two frames: a body we drop mid-way still has had its first part sent. */
function split(status: number, body: string): Answer {
  const bytes = Buffer.from(body);
  const at = Math.ceil(bytes.length / 2);
  return { status, body, parts: [bytes.subarray(0, at), bytes.subarray(at)] };
}

export interface RespondOptions {
  /** Send the headers and the first DATA frame only (the caller drops the connection). */
  drop: boolean;
  wait: (ms: number) => Promise<void>;
  note: (text: string) => void;
  sent: (bytes: number) => void;
}

/** HEADERS, then each part in its own DATA frame with a pause between, the last one with END_STREAM. */
export async function respond(stream: ServerHttp2Stream, answer: Answer, options: RespondOptions): Promise<void> {
  stream.respond({ ':status': answer.status, 'content-type': 'text/plain; charset=utf-8' });
  options.note(`← HEADERS stream ${stream.id} (:status ${answer.status}, content-type text/plain; charset=utf-8)`);
  const parts = options.drop ? answer.parts.slice(0, 1) : answer.parts;
  for (const [index, part] of parts.entries()) {
    if (stream.destroyed) return;
    if (index > 0) await options.wait(answer.parts.length > 2 ? PIECE_PAUSE_MS : 10);
    if (stream.destroyed) return;
    const last = !options.drop && index === parts.length - 1;
    if (last) stream.end(part);
    else stream.write(part);
    options.sent(part.length);
    options.note(`← DATA stream ${stream.id}, ${part.length} bytes "${escapeBytes(part)}"${last ? ' END_STREAM' : ''}`);
  }
  // The drop comes a little after the first part: the program has had time to read it.
  if (options.drop) await options.wait(30);
}

/** A small seeded PRNG (mulberry32): the same seed gives the same delays, so verdicts are stable. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
