// The demo format: lessons/pitfalls/demos/<id>/ holds broken.<ext>, fixed.<ext>
// and scenario.json (what to send, what symptom to look for). Data, so that
// instructors add demos for their own pitfall ids without touching httpdojo.
// docs/writing-lessons.md ("Runnable pitfall demos") describes the format.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BodyPart } from '../clients/connection.js';

/** A body part in JSON: text, bytes in hex (half a UTF-8 character), a pause, or a run of bytes. */
export type JsonBodyPart = string | { hex: string } | { pauseMs: number } | { size: number; fill?: string };

export interface DemoRequest {
  /** How the symptom refers to this request. */
  name: string;
  method: string;
  path: string;
  /** Extra headers; null removes a default (Host, Content-Length). */
  headers?: Record<string, string | null>;
  body?: JsonBodyPart[];
  chunked?: boolean;
  /** Read the response while the body is still being sent (the 413 case). */
  readWhileSending?: boolean;
  /** Start this long after the program listened (a second request behind a slow one). */
  startAfterMs?: number;
  /** How long to wait for the whole response; capped at the demo's cap (3 s). */
  timeoutMs?: number;
  /** Exact bytes instead of method/path/headers/body (an unfinished head: slowloris), read while sending. */
  raw?: JsonBodyPart[];
  /** With raw: close the connection after sending instead of reading (an upload cut off mid-way). */
  abort?: boolean;
  /** With raw: stop reading the response (TCP backpressure: a slow client), so the server's buffering shows. */
  pauseReading?: boolean;
}

/** What the test server a client demo talks to does with each request. */
export type DemoUpstream =
  | { respond: { status: number; headers?: Record<string, string>; body?: string }; delayMs?: number }
  /** A body sent in parts, one every `everyMs` (a slow upstream a proxy should stream). */
  | { stream: { parts: string[]; everyMs: number } }
  | { reset: true }
  | { closed: true };

export type SymptomRule =
  | { kind: 'no-response'; request: string }
  | { kind: 'crash' }
  | { kind: 'stderr-includes'; text: string }
  | { kind: 'body-includes'; request: string; text: string }
  | { kind: 'body-not'; request: string; text: string }
  | { kind: 'status-missing'; request: string; status: number }
  | { kind: 'header-missing'; request: string; header: string }
  | { kind: 'slower-than'; request: string; ms: number }
  | { kind: 'all-at-once'; request: string; spreadMs: number }
  | { kind: 'rss-over'; mb: number }
  | { kind: 'still-running' }
  | { kind: 'never-listens' }
  /** Probe: res.write() calls after the response had closed (the client was gone). */
  | { kind: 'writes-after-close' }
  /** Probe: fs read streams opened and never closed by the end of the demo. */
  | { kind: 'file-streams-left-open' }
  | { kind: 'upstream-header-missing'; header: string }
  | { kind: 'upstream-connections-over'; n: number }
  | { kind: 'upstream-in-flight-over'; n: number }
  /** The upstream's response outlived the client: not closed when the demo ended. */
  | { kind: 'upstream-left-open' }
  /** The upstream saw its first body byte this long after the request began (a proxy that buffers the upload). */
  | { kind: 'upstream-body-later-than'; ms: number }
  | { kind: 'exit-zero' };

export interface Scenario {
  /** server: httpdojo sends requests to the program; client: the program is given a test server's URL. */
  kind: 'server' | 'client';
  /** One line: what the demo does. */
  title: string;
  requests?: DemoRequest[];
  upstream?: DemoUpstream;
  /** Server demos: a signal sent to the program this long after it listened (a shutdown). */
  signal?: { name: 'SIGTERM' | 'SIGINT'; afterMs: number };
  /** Keep watching the program this long after the last exchange (writes after a disconnect). */
  observeMs?: number;
  /** A scratch file the program gets as its first argument (buffers-whole-file); deleted after. */
  file?: { sizeMb: number };
  symptom: SymptomRule & { description: string };
}

export interface Demo {
  id: string;
  dir: string;
  broken: string;
  fixed: string;
  scenario: Scenario;
}

export class DemoFormatError extends Error {}

/** The hang side is cut here: long enough to be a hang to a human, short enough for a demo. */
export const DEMO_CAP_MS = 3000;

export function demosDir(lessonsDir: string): string {
  return join(lessonsDir, 'pitfalls', 'demos');
}

export function listDemos(lessonsDir: string): string[] {
  const dir = demosDir(lessonsDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => existsSync(join(dir, name, 'scenario.json'))).sort();
}

/** The demo of a pitfall, or null when it has none; throws DemoFormatError when it is malformed. */
export function loadDemo(lessonsDir: string, id: string): Demo | null {
  if (!/^[a-z0-9-]+$/.test(id)) return null;
  const dir = join(demosDir(lessonsDir), id);
  if (!existsSync(join(dir, 'scenario.json'))) return null;
  const files = readdirSync(dir);
  const program = (stem: string) => {
    const name = files.find((file) => new RegExp(`^${stem}\\.(m?js|c?js|m?ts)$`).test(file));
    if (!name) throw new DemoFormatError(`demo ${id}: no ${stem}.js (or .mjs, .ts) in ${dir}`);
    return join(dir, name);
  };
  let scenario: Scenario;
  try {
    scenario = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as Scenario;
  } catch (error) {
    throw new DemoFormatError(`demo ${id}: scenario.json is not valid JSON (${(error as Error).message})`);
  }
  validate(id, scenario);
  return { id, dir, broken: program('broken'), fixed: program('fixed'), scenario };
}

function validate(id: string, scenario: Scenario): void {
  const fail = (why: string) => {
    throw new DemoFormatError(`demo ${id}: scenario.json ${why}`);
  };
  if (scenario.kind !== 'server' && scenario.kind !== 'client') fail('needs "kind": "server" or "client"');
  if (typeof scenario.title !== 'string') fail('needs a "title"');
  if (!scenario.symptom || typeof scenario.symptom.description !== 'string') fail('needs a "symptom" with a "description"');
  const names = new Set((scenario.requests ?? []).map((request) => request.name));
  if (scenario.kind === 'server' && names.size === 0) fail('of a server demo needs "requests"');
  if (scenario.kind === 'client' && !scenario.upstream) fail('of a client demo needs an "upstream"');
  for (const request of scenario.requests ?? []) if (!request.raw && !(request.method && request.path)) fail(`: request "${request.name}" needs "method" and "path", or "raw"`);
  const wanted = 'request' in scenario.symptom ? scenario.symptom.request : null;
  if (wanted !== null && !names.has(wanted)) fail(`: the symptom names request "${wanted}", which is not in "requests"`);
}

export function toBodyParts(parts: JsonBodyPart[] = []): BodyPart[] {
  return parts.map((part) => (typeof part === 'object' && 'hex' in part ? Buffer.from(part.hex, 'hex') : part));
}

export interface MarkedLine {
  line: number;
  text: string;
}

/**
 * The lines marked `// <-` (marker removed; a note after it is kept as a comment),
 * or `// demo:` comments and the line after each.
 */
export function markedLines(source: string): MarkedLine[] {
  const lines = source.split('\n');
  const marked: MarkedLine[] = [];
  lines.forEach((text, index) => {
    const arrow = /^(.*?)\s*\/\/\s*<-\s*(.*?)\s*$/.exec(text);
    if (arrow) marked.push({ line: index + 1, text: arrow[2] ? `${arrow[1]}  // ${arrow[2]}` : arrow[1] });
    else if (/^\s*\/\/\s*demo:/.test(text)) {
      marked.push({ line: index + 1, text });
      if (index + 1 < lines.length) marked.push({ line: index + 2, text: lines[index + 1] });
    }
  });
  return marked;
}
