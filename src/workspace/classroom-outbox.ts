// The learner's side of the classroom. After `httpdojo join <url>` the workspace
// keeps the board's URL, the learner's name and a random learner id in
// .httpdojo/classroom.json. Every verify becomes a summary event (never code),
// and every graded quiz a score with the missed question numbers (never the answers),
// written to a bounded outbox file first and then posted in the background with
// a short deadline; whatever is not acknowledged stays in the outbox and goes
// out, in order, with the next post. Each event has its own id, so a resend the
// board has already seen is dropped there.

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { basename, join } from 'node:path';
import type { Verdict } from '../engine/verdict.js';
import { packageVersion } from '../engine/version.js';
import { DATA_DIR, writeFileAtomic } from './state.js';

export const CONFIG_FILE = 'classroom.json';
export const OUTBOX_FILE = 'classroom-outbox.json';
/** The last failure's diagnosis: kept locally, sent only with a raised hand. */
export const LAST_FAILURE_FILE = 'classroom-last.json';
export const OUTBOX_LIMIT = 200;
/** Per request: well under the board's 16 KiB limit. */
const BATCH_BYTES = 12 * 1024;
/**
 * The deadline for one exchange with the board. HTTPDOJO_CLASSROOM_TIMEOUT_MS
 * (100 to 10000) lengthens it for a slow network or a heavily loaded machine.
 */
export const POST_TIMEOUT_MS = postTimeout(process.env.HTTPDOJO_CLASSROOM_TIMEOUT_MS);

function postTimeout(text: string | undefined): number {
  const value = Number(text);
  return text && Number.isFinite(value) && value >= 100 && value <= 10_000 ? value : 1000;
}

export interface ClassroomConfig {
  url: string;
  name: string;
  learner: string;
  joinedAt: string;
}

export interface HandStatus {
  id: string;
  status: 'open' | 'on-my-way' | 'done';
}

export interface FlushResult {
  sent: number;
  left: number;
  /** The board's answer about this learner's raised hands, when it answered. */
  hands: HandStatus[] | null;
  error: string | null;
}

type Event = Record<string, unknown> & { id: string; type: string };

const file = (root: string, name: string) => join(root, DATA_DIR, name);

export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString('base64url')}`;
}

/** `http://host:port/r/ROOM` (a trailing slash allowed), normalised; null if it is not a join URL. */
export function parseJoinUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  const match = /^\/r\/([A-Za-z0-9]{4,32})\/?$/.exec(url.pathname);
  if (url.protocol !== 'http:' || !match || url.search || url.username) return null;
  return `${url.origin}/r/${match[1]}`;
}

export function readConfig(root: string): ClassroomConfig | null {
  try {
    const data = JSON.parse(readFileSync(file(root, CONFIG_FILE), 'utf8')) as ClassroomConfig;
    return typeof data.url === 'string' && typeof data.learner === 'string' && typeof data.name === 'string' ? data : null;
  } catch {
    return null;
  }
}

export function writeConfig(root: string, config: ClassroomConfig): void {
  writeFileAtomic(file(root, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
}

export function forget(root: string): void {
  for (const name of [CONFIG_FILE, OUTBOX_FILE, LAST_FAILURE_FILE]) rmSync(file(root, name), { force: true });
}

export function readOutbox(root: string): Event[] {
  try {
    const data = JSON.parse(readFileSync(file(root, OUTBOX_FILE), 'utf8')) as unknown;
    return Array.isArray(data) ? data.filter((event): event is Event => typeof event?.id === 'string') : [];
  } catch {
    return [];
  }
}

function writeOutbox(root: string, events: Event[]): void {
  writeFileAtomic(file(root, OUTBOX_FILE), JSON.stringify(events) + '\n');
}

/** Adds an event to the outbox (atomically; the oldest go when it is full). */
export function enqueue(root: string, event: Event): void {
  const events = readOutbox(root).filter((queued) => queued.id !== event.id);
  events.push(event);
  writeOutbox(root, events.slice(-OUTBOX_LIMIT));
}

export function baseEvent(config: ClassroomConfig, type: string): Event {
  return { id: newId('e'), type, learner: config.learner, name: config.name, at: new Date().toISOString(), version: packageVersion() };
}

export function verifyEvent(config: ClassroomConfig, verdict: Verdict, attempts: number, openedAt: string | null): Event {
  const opened = openedAt ? Date.parse(openedAt) : NaN;
  return {
    ...baseEvent(config, 'verify'),
    lesson: verdict.lesson,
    passed: verdict.passed,
    failed: verdict.checks.filter((check) => check.status === 'failed').slice(0, 50).map((check) => ({ id: check.id.slice(0, 80), pitfall: check.pitfall })),
    attempts,
    lessonMs: Number.isFinite(opened) ? Math.max(0, Date.now() - opened) : 0,
  };
}

/** The first failure of a verdict, as a raised hand would carry it: the message, the line, a few lines around it. */
export function diagnosisOf(verdict: Verdict): Record<string, unknown> | null {
  const failed = verdict.checks.find((check) => check.status === 'failed');
  if (!failed) return null;
  let frame: string[] = [];
  const location = failed.location;
  if (location && existsSync(location.file)) {
    const lines = readFileSync(location.file, 'utf8').split('\n');
    const first = Math.max(1, location.line - 2);
    const last = Math.min(lines.length, location.line + 2);
    for (let n = first; n <= last; n++) frame.push(`${n === location.line ? '>' : ' '} ${String(n).padStart(3)} | ${(lines[n - 1] ?? '').replace(/\r$/, '')}`.slice(0, 240));
  }
  frame = frame.slice(0, 8);
  return {
    check: failed.title.slice(0, 120),
    pitfall: failed.pitfall,
    message: (failed.message ?? '').slice(0, 2000),
    line: location ? `${basename(location.file)}:${location.line}:${location.column}` : null,
    frame,
  };
}

export function rememberFailure(root: string, verdict: Verdict): void {
  const diagnosis = diagnosisOf(verdict);
  if (diagnosis) writeFileAtomic(file(root, LAST_FAILURE_FILE), JSON.stringify({ lesson: verdict.lesson, diagnosis }) + '\n');
  else rmSync(file(root, LAST_FAILURE_FILE), { force: true });
}

export function lastFailure(root: string, lesson: string): Record<string, unknown> | null {
  try {
    const data = JSON.parse(readFileSync(file(root, LAST_FAILURE_FILE), 'utf8')) as { lesson?: string; diagnosis?: Record<string, unknown> };
    return data.lesson === lesson && data.diagnosis ? data.diagnosis : null;
  } catch {
    return null;
  }
}

interface Answer {
  status: number;
  body: string;
}

/** One request with a hard deadline for the whole exchange. Never throws: an error is a status 0. */
export function request(url: string, method: 'GET' | 'POST', body: string | null, timeoutMs = POST_TIMEOUT_MS): Promise<Answer> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (answer: Answer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const req = http.request(url, { method, agent: false, headers: body === null ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 64 * 1024) chunks.push(chunk);
      });
      res.on('end', () => finish({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error) => finish({ status: 0, body: error.message }));
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish({ status: 0, body: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => finish({ status: 0, body: error.code ?? error.message }));
    req.end(body ?? undefined);
  });
}

let chain: Promise<unknown> = Promise.resolve();

/** Sends the outbox in order, in batches; acknowledged events leave it. Serialised within a process. */
export function flush(root: string, timeoutMs = POST_TIMEOUT_MS): Promise<FlushResult> {
  const run = chain.then(() => flushNow(root, timeoutMs));
  chain = run.catch(() => {});
  return run;
}

async function flushNow(root: string, timeoutMs: number): Promise<FlushResult> {
  const config = readConfig(root);
  const events = readOutbox(root);
  if (!config) return { sent: 0, left: events.length, hands: null, error: 'not joined' };
  let sent = 0;
  let hands: HandStatus[] | null = null;
  // Bounded: each round sends at least one event or stops.
  for (let index = 0; index < events.length; ) {
    const batch: Event[] = [];
    let bytes = 2;
    while (index < events.length && (batch.length === 0 || bytes + JSON.stringify(events[index]).length + 1 <= BATCH_BYTES) && batch.length < 100) {
      bytes += JSON.stringify(events[index]).length + 1;
      batch.push(events[index++]);
    }
    const answer = await request(`${config.url}/events`, 'POST', JSON.stringify(batch), timeoutMs);
    // 400: the board will never take these; keeping them would block the rest for good.
    if (answer.status !== 200 && answer.status !== 400) return { sent, left: readOutbox(root).length, hands, error: answerError(answer) };
    const acked = new Set(batch.map((event) => event.id));
    writeOutbox(root, readOutbox(root).filter((event) => !acked.has(event.id)));
    if (answer.status === 200) {
      sent += batch.length;
      hands = handsFrom(answer.body) ?? hands;
    }
  }
  return { sent, left: readOutbox(root).length, hands, error: null };
}

function answerError(answer: Answer): string {
  if (answer.status === 0) return `the board did not answer (${answer.body})`;
  try {
    return `the board answered ${answer.status}: ${(JSON.parse(answer.body) as { error?: string }).error ?? ''}`;
  } catch {
    return `the board answered ${answer.status}`;
  }
}

function handsFrom(body: string): HandStatus[] | null {
  try {
    const data = JSON.parse(body) as { hands?: HandStatus[] };
    return Array.isArray(data.hands) ? data.hands : null;
  } catch {
    return null;
  }
}

/** The mentor's answers to this learner's hands (a GET, short deadline). */
export async function handStatus(root: string, timeoutMs = POST_TIMEOUT_MS): Promise<HandStatus[] | null> {
  const config = readConfig(root);
  if (!config) return null;
  const answer = await request(`${config.url}/learners/${config.learner}`, 'GET', null, timeoutMs);
  return answer.status === 200 ? handsFrom(answer.body) : null;
}

/** A graded quiz for the board (issue 14): the score and the missed question numbers, never the answers. */
export function quizEvent(config: ClassroomConfig, lesson: string, score: { correct: number; total: number; missed: number[] }): Event {
  return { ...baseEvent(config, 'quiz'), lesson, correct: score.correct, total: score.total, missed: [...score.missed] };
}

/**
 * After a graded quiz in a joined workspace: queue it and send it in the
 * background, like a verify's summary. Never throws; null when not joined.
 */
export function reportQuiz(root: string, lesson: string, score: { correct: number; total: number; missed: number[] }): Promise<FlushResult | null> {
  try {
    const config = readConfig(root);
    if (!config) return Promise.resolve(null);
    enqueue(root, quizEvent(config, lesson, score));
    return flush(root).catch(() => null);
  } catch {
    return Promise.resolve(null);
  }
}

/**
 * After a verify of the workspace's file: queue the summary and send it in the
 * background. Never throws and never waits on the network for the caller's sake.
 */
export function reportVerdict(root: string, verdict: Verdict, attempts: number, openedAt: string | null): Promise<FlushResult | null> {
  try {
    const config = readConfig(root);
    if (!config) return Promise.resolve(null);
    enqueue(root, verifyEvent(config, verdict, attempts, openedAt));
    rememberFailure(root, verdict);
    return flush(root).catch(() => null);
  } catch {
    return Promise.resolve(null);
  }
}
