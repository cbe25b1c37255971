// The classroom's events: what a learner's workspace posts to the board, and what
// the board writes to its log. Pure: validation returns the event with only the
// fields we know (so nothing else, least of all code, is ever stored) or a
// one-line reason for the 400.

export const EVENT_VERSION = 1;

export interface FailedCheck {
  id: string;
  pitfall: string | null;
}

export interface Diagnosis {
  check: string;
  pitfall: string | null;
  message: string;
  /** Where: "file:line:column" (the file name only, never a full path). */
  line: string | null;
  /** The few lines of code around it, sent only because the learner asked. */
  frame: string[];
}

interface Base {
  id: string;
  learner: string;
  name: string;
  /** The learner's clock (informational; the board orders by its own). */
  at: string;
  version: string;
}

export interface VerifyEvent extends Base {
  type: 'verify';
  lesson: string;
  passed: boolean;
  failed: FailedCheck[];
  attempts: number;
  /** Time on the lesson so far (since it was opened), in ms. */
  lessonMs: number;
}

export interface HandEvent extends Base {
  type: 'hand';
  lesson: string;
  message: string;
  diagnosis: Diagnosis | null;
}

export interface PresenceEvent extends Base {
  type: 'join' | 'leave';
}

/** A graded quiz (issue 14): the score and which questions were missed, never the answers' text. */
export interface QuizEvent extends Base {
  type: 'quiz';
  lesson: string;
  correct: number;
  total: number;
  /** 1-based question numbers, ascending. */
  missed: number[];
}

export type LearnerEvent = VerifyEvent | HandEvent | PresenceEvent | QuizEvent;

/** A lesson's quiz has 3 to 5 questions (issue 14); the bound leaves room for an instructor's longer one. */
export const MAX_QUIZ_QUESTIONS = 50;

/** The mentor's answer to a raised hand. */
export interface MentorEvent {
  type: 'mentor';
  id: string;
  hand: string;
  status: 'on-my-way' | 'done';
}

export interface Thresholds {
  /** The same failing pitfall this many verifies in a row. */
  attempts: number;
  /** The same failing pitfall for this many minutes. */
  minutes: number;
  /** No verify for this many minutes after a failure. */
  idleMinutes: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { attempts: 3, minutes: 10, idleMinutes: 5 };

export interface SettingsEvent {
  type: 'settings';
  id: string;
  thresholds: Thresholds;
}

export type AnyEvent = LearnerEvent | MentorEvent | SettingsEvent;

/** What the log holds: the event plus the board's receive time (ms since epoch) and order. */
export type Stored = AnyEvent & { t: number; seq: number };

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

const ID = /^[A-Za-z0-9_-]{8,64}$/;
const LESSON = /^[A-Za-z0-9._-]{1,64}$/;
const PITFALL = /^[a-z0-9-]{1,64}$/;

class Invalid extends Error {}

function fail(reason: string): never {
  throw new Invalid(reason);
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

function text(data: Record<string, unknown>, key: string, max: number, pattern?: RegExp): string {
  const value = data[key];
  if (typeof value !== 'string') fail(`"${key}" must be a string`);
  if (value.length > max) fail(`"${key}" is longer than ${max} characters`);
  if (pattern && !pattern.test(value)) fail(`"${key}" has an invalid format`);
  return value;
}

function count(data: Record<string, unknown>, key: string): number {
  const value = data[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(`"${key}" must be a whole number >= 0`);
  return value;
}

function pitfallOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || !PITFALL.test(value)) fail('a pitfall must be a pitfall id (a-z, 0-9, -)');
  return value;
}

/** A learner's event, or the reason it is refused. */
export function validateLearnerEvent(input: unknown): Checked<LearnerEvent> {
  try {
    return { ok: true, value: learnerEvent(input) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, reason: error.message };
    throw error;
  }
}

function learnerEvent(input: unknown): LearnerEvent {
  const data = object(input, 'an event');
  const base: Base = {
    id: text(data, 'id', 64, ID),
    learner: text(data, 'learner', 64, ID),
    name: cleanName(text(data, 'name', 80)),
    at: typeof data.at === 'string' ? data.at.slice(0, 40) : '',
    version: typeof data.version === 'string' ? data.version.slice(0, 32) : '',
  };
  switch (data.type) {
    case 'join':
    case 'leave':
      return { ...base, type: data.type };
    case 'verify': {
      if (typeof data.passed !== 'boolean') fail('"passed" must be true or false');
      if (!Array.isArray(data.failed) || data.failed.length > 50) fail('"failed" must be an array of at most 50 checks');
      const failed = data.failed.map((entry) => {
        const check = object(entry, 'a failed check');
        return { id: text(check, 'id', 80), pitfall: pitfallOf(check.pitfall) };
      });
      return { ...base, type: 'verify', lesson: text(data, 'lesson', 64, LESSON), passed: data.passed, failed, attempts: count(data, 'attempts'), lessonMs: count(data, 'lessonMs') };
    }
    case 'hand':
      return { ...base, type: 'hand', lesson: text(data, 'lesson', 64, LESSON), message: text(data, 'message', 500), diagnosis: diagnosisOf(data.diagnosis) };
    case 'quiz':
      return { ...base, type: 'quiz', lesson: text(data, 'lesson', 64, LESSON), ...quizScore(data) };
    default:
      return fail('"type" must be one of verify, hand, join, leave, quiz');
  }
}

/** The score must add up: every question either right or in "missed", each missed number once. */
function quizScore(data: Record<string, unknown>): { correct: number; total: number; missed: number[] } {
  const total = count(data, 'total');
  if (total < 1 || total > MAX_QUIZ_QUESTIONS) fail(`"total" must be between 1 and ${MAX_QUIZ_QUESTIONS}`);
  const correct = count(data, 'correct');
  if (correct > total) fail('"correct" must not be more than "total"');
  const missed = data.missed;
  if (!Array.isArray(missed) || missed.some((n) => typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > total)) fail('"missed" must be an array of question numbers from 1 to "total"');
  if (new Set(missed).size !== missed.length) fail('"missed" must not repeat a question');
  if (missed.length !== total - correct) fail('"missed" must list exactly the total - correct questions missed');
  return { correct, total, missed: [...(missed as number[])].sort((a, b) => a - b) };
}

function diagnosisOf(value: unknown): Diagnosis | null {
  if (value === null || value === undefined) return null;
  const data = object(value, '"diagnosis"');
  const frame = data.frame ?? [];
  if (!Array.isArray(frame) || frame.length > 8 || frame.some((line) => typeof line !== 'string' || line.length > 240)) fail('"diagnosis.frame" must be at most 8 lines of at most 240 characters');
  return {
    check: text(data, 'check', 120),
    pitfall: pitfallOf(data.pitfall),
    message: text(data, 'message', 2000),
    line: data.line === null || data.line === undefined ? null : text(data, 'line', 240),
    frame: frame as string[],
  };
}

/** Names are shown on a projector: one line, no control characters, trimmed. */
function cleanName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, ' ').trim();
  if (!clean) fail('"name" must not be empty');
  return clean.slice(0, 60);
}

/** A body is one event or an array of them (the outbox flushes in order, in one request). */
export function validateBody(input: unknown, maxEvents = 100): Checked<LearnerEvent[]> {
  const list = Array.isArray(input) ? input : [input];
  if (list.length === 0) return { ok: false, reason: 'no events in the body' };
  if (list.length > maxEvents) return { ok: false, reason: `at most ${maxEvents} events per request` };
  const events: LearnerEvent[] = [];
  for (const [index, entry] of list.entries()) {
    const checked = validateLearnerEvent(entry);
    if (!checked.ok) return { ok: false, reason: list.length > 1 ? `event ${index + 1}: ${checked.reason}` : checked.reason };
    if (events.length && checked.value.learner !== events[0].learner) return { ok: false, reason: 'all events of a request must be from one learner' };
    events.push(checked.value);
  }
  return { ok: true, value: events };
}

export function validateThresholds(input: unknown): Checked<Thresholds> {
  try {
    const data = object(input, 'thresholds');
    const thresholds = { attempts: count(data, 'attempts'), minutes: count(data, 'minutes'), idleMinutes: count(data, 'idleMinutes') };
    if (thresholds.attempts < 1 || thresholds.attempts > 100 || thresholds.minutes > 600 || thresholds.idleMinutes > 600) fail('thresholds out of range');
    return { ok: true, value: thresholds };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, reason: error.message };
    throw error;
  }
}
