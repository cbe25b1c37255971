// The room: every event folded into what the board shows. Pure and synchronous:
// apply() takes one stored event (replay and live posts go through the same
// path), viewOf() turns the room into the board's JSON for a given "now".
// Times are the board's receive times, never the learners' clocks.

import { DEFAULT_THRESHOLDS, type Diagnosis, type Stored, type Thresholds } from './schema.js';
import { applyQuiz, quizFigures, type QuizFigures, type QuizRecord, type QuestionTitle } from './quiz-state.js';

export const PITFALL_WINDOW_MS = 15 * 60_000;

interface LessonRecord {
  passed: boolean;
  attempts: number;
  /** The failing pitfall of the latest verify (null when it passed or failed without one). */
  pitfall: string | null;
  /** When that pitfall first failed in the current run of identical failures. */
  pitfallSince: number | null;
  /** Verifies in a row failing with that same pitfall. */
  sameCount: number;
  lessonMs: number;
  /** Attempts and time on the lesson when it first passed. */
  passedAttempts: number | null;
  passedMs: number | null;
}

interface LearnerState {
  id: string;
  name: string;
  version: string;
  current: string | null;
  lastVerifyT: number | null;
  lastFailed: boolean;
  left: boolean;
  lessons: Map<string, LessonRecord>;
  /** Per lesson: this learner's quiz attempts (issue 14). */
  quizzes: Map<string, QuizRecord>;
}

export interface Hand {
  id: string;
  learner: string;
  name: string;
  lesson: string;
  message: string;
  diagnosis: Diagnosis | null;
  t: number;
  status: 'open' | 'on-my-way' | 'done';
  statusT: number;
}

export interface Room {
  ids: Set<string>;
  learners: Map<string, LearnerState>;
  hands: Map<string, Hand>;
  /** Failing pitfalls seen in the last PITFALL_WINDOW_MS (pruned as time moves on). */
  hits: Array<{ t: number; lesson: string; pitfall: string; learner: string }>;
  totals: Map<string, Map<string, number>>;
  thresholds: Thresholds;
  lastT: number;
}

export function createRoom(): Room {
  return { ids: new Set(), learners: new Map(), hands: new Map(), hits: [], totals: new Map(), thresholds: { ...DEFAULT_THRESHOLDS }, lastT: 0 };
}

/** Folds one event into the room. False (and nothing changes) for an id already seen. */
export function apply(room: Room, event: Stored): boolean {
  if (room.ids.has(event.id)) return false;
  room.ids.add(event.id);
  room.lastT = Math.max(room.lastT, event.t);
  switch (event.type) {
    case 'settings':
      room.thresholds = { ...event.thresholds };
      break;
    case 'mentor': {
      const hand = room.hands.get(event.hand);
      if (hand) Object.assign(hand, { status: event.status, statusT: event.t });
      break;
    }
    case 'join':
    case 'leave':
      learnerOf(room, event).left = event.type === 'leave';
      break;
    case 'hand':
      learnerOf(room, event).left = false;
      room.hands.set(event.id, { id: event.id, learner: event.learner, name: event.name, lesson: event.lesson, message: event.message, diagnosis: event.diagnosis, t: event.t, status: 'open', statusT: event.t });
      break;
    case 'verify':
      applyVerify(room, event);
      break;
    case 'quiz':
      applyQuiz(learnerOf(room, event), event);
      break;
  }
  return true;
}

function learnerOf(room: Room, event: { learner: string; name: string; version: string }): LearnerState {
  let learner = room.learners.get(event.learner);
  if (!learner) {
    learner = { id: event.learner, name: event.name, version: event.version, current: null, lastVerifyT: null, lastFailed: false, left: false, lessons: new Map(), quizzes: new Map() };
    room.learners.set(event.learner, learner);
  }
  learner.name = event.name;
  if (event.version) learner.version = event.version;
  return learner;
}

function applyVerify(room: Room, event: Extract<Stored, { type: 'verify' }>): void {
  const learner = learnerOf(room, event);
  learner.left = false;
  learner.current = event.lesson;
  learner.lastVerifyT = event.t;
  learner.lastFailed = !event.passed;
  let record = learner.lessons.get(event.lesson);
  if (!record) {
    record = { passed: false, attempts: 0, pitfall: null, pitfallSince: null, sameCount: 0, lessonMs: 0, passedAttempts: null, passedMs: null };
    learner.lessons.set(event.lesson, record);
  }
  record.attempts = Math.max(record.attempts, event.attempts);
  record.lessonMs = Math.max(record.lessonMs, event.lessonMs);
  const pitfall = event.passed ? null : (event.failed.find((check) => check.pitfall)?.pitfall ?? null);
  if (pitfall !== null && pitfall === record.pitfall) record.sameCount += 1;
  else {
    record.sameCount = pitfall === null ? 0 : 1;
    record.pitfallSince = pitfall === null ? null : event.t;
  }
  record.pitfall = pitfall;
  if (event.passed && !record.passed) {
    record.passed = true;
    record.passedAttempts = event.attempts;
    record.passedMs = event.lessonMs;
  }
  const distinct = [...new Set(event.failed.map((check) => check.pitfall).filter((id): id is string => id !== null))];
  const totals = room.totals.get(event.lesson) ?? new Map<string, number>();
  room.totals.set(event.lesson, totals);
  for (const id of distinct) {
    room.hits.push({ t: event.t, lesson: event.lesson, pitfall: id, learner: event.learner });
    totals.set(id, (totals.get(id) ?? 0) + 1);
  }
  // Bounded memory: hits older than the window will never be shown again.
  const cutoff = room.lastT - PITFALL_WINDOW_MS;
  let drop = 0;
  while (drop < room.hits.length && room.hits[drop].t < cutoff) drop++;
  if (drop) room.hits.splice(0, drop);
}

export interface Cell {
  state: 'passed' | 'current' | 'started';
  attempts: number;
  pitfall: string | null;
  /** On the current lesson: ms on the failing pitfall (or on the lesson). */
  ms: number;
}

export interface LearnerView {
  id: string;
  name: string;
  current: string | null;
  left: boolean;
  lastVerifyMsAgo: number | null;
  stuck: string | null;
  cells: Record<string, Cell>;
  /** Per lesson whose quiz this learner took: the latest score, the best, how many tries. */
  quizzes: Record<string, { correct: number; total: number; best: number; attempts: number }>;
}

export interface View {
  now: number;
  thresholds: Thresholds;
  lessons: string[];
  learners: LearnerView[];
  hands: Array<Hand & { waitingMs: number }>;
  pitfalls: Array<{ lesson: string; pitfall: string; count: number; learners: string[] }>;
  figures: Array<{ lesson: string; learners: number; passed: number; medianAttempts: number | null; medianMs: number | null; pitfalls: Array<{ pitfall: string; count: number }> }>;
  /** Per lesson whose quiz someone took: takers, median score, the hardest questions. */
  quizzes: QuizFigures[];
}

/** Why a learner counts as stuck right now, or null. */
export function stuckReason(learner: LearnerState, thresholds: Thresholds, now: number): string | null {
  if (!learner.current || learner.left) return null;
  const record = learner.lessons.get(learner.current);
  if (!record || record.passed || !learner.lastFailed) return null;
  if (record.pitfall && record.sameCount >= thresholds.attempts) return `${record.pitfall} ${record.sameCount} times in a row`;
  if (record.pitfall && record.pitfallSince !== null && now - record.pitfallSince >= thresholds.minutes * 60_000) return `${record.pitfall} for ${Math.floor((now - record.pitfallSince) / 60_000)} min`;
  if (learner.lastVerifyT !== null && now - learner.lastVerifyT >= thresholds.idleMinutes * 60_000) return `no verify for ${Math.floor((now - learner.lastVerifyT) / 60_000)} min after a failure`;
  return null;
}

/** `questionTitle` names a quiz question from the board's course (null: the board shows "Q3"). */
export function viewOf(room: Room, now: number, courseLessons: string[] = [], questionTitle?: QuestionTitle): View {
  const seen = new Set(courseLessons);
  for (const learner of room.learners.values()) for (const id of learner.lessons.keys()) seen.add(id);
  const lessons = [...courseLessons, ...[...seen].filter((id) => !courseLessons.includes(id)).sort()];
  const learners: Array<LearnerView & { stuckSince: number }> = [];
  for (const learner of room.learners.values()) {
    const cells: Record<string, Cell> = {};
    for (const [id, record] of learner.lessons) {
      const current = id === learner.current && !record.passed;
      cells[id] = {
        state: record.passed ? 'passed' : current ? 'current' : 'started',
        attempts: record.attempts,
        pitfall: record.passed ? null : record.pitfall,
        ms: current && record.pitfallSince !== null ? now - record.pitfallSince : record.lessonMs,
      };
    }
    const stuck = stuckReason(learner, room.thresholds, now);
    const record = learner.current ? learner.lessons.get(learner.current) : undefined;
    learners.push({
      id: learner.id,
      name: learner.name,
      current: learner.current,
      left: learner.left,
      lastVerifyMsAgo: learner.lastVerifyT === null ? null : now - learner.lastVerifyT,
      stuck,
      cells,
      quizzes: Object.fromEntries([...learner.quizzes].map(([id, quiz]) => [id, { correct: quiz.correct, total: quiz.total, best: quiz.best, attempts: quiz.attempts }])),
      stuckSince: record?.pitfallSince ?? learner.lastVerifyT ?? now,
    });
  }
  // Stuck learners first (longest stuck first), then by name.
  learners.sort((a, b) => Number(b.stuck !== null) - Number(a.stuck !== null) || (a.stuck ? a.stuckSince - b.stuckSince : 0) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const hands = [...room.hands.values()].filter((hand) => hand.status !== 'done').sort((a, b) => a.t - b.t).map((hand) => ({ ...hand, waitingMs: now - hand.t }));
  return { now, thresholds: room.thresholds, lessons, learners: learners.map(({ stuckSince: _, ...rest }) => rest), hands, pitfalls: roomPitfalls(room, now), figures: figures(room, lessons), quizzes: quizFigures(room.learners.values(), lessons, questionTitle) };
}

function roomPitfalls(room: Room, now: number): View['pitfalls'] {
  const groups = new Map<string, { lesson: string; pitfall: string; count: number; learners: Set<string> }>();
  for (const hit of room.hits) {
    if (hit.t < now - PITFALL_WINDOW_MS) continue;
    const key = `${hit.lesson}\u0000${hit.pitfall}`;
    const group = groups.get(key) ?? { lesson: hit.lesson, pitfall: hit.pitfall, count: 0, learners: new Set<string>() };
    group.count += 1;
    group.learners.add(room.learners.get(hit.learner)?.name ?? hit.learner);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.learners.size - a.learners.size || b.count - a.count).map((group) => ({ ...group, learners: [...group.learners].sort() }));
}

function figures(room: Room, lessons: string[]): View['figures'] {
  // One pass over the learners (this runs on every push to the boards).
  const byLesson = new Map<string, { learners: number; attempts: number[]; ms: number[] }>(lessons.map((lesson) => [lesson, { learners: 0, attempts: [], ms: [] }]));
  for (const learner of room.learners.values()) {
    for (const [lesson, record] of learner.lessons) {
      const entry = byLesson.get(lesson);
      if (!entry) continue;
      entry.learners += 1;
      if (!record.passed) continue;
      entry.attempts.push(record.passedAttempts ?? record.attempts);
      entry.ms.push(record.passedMs ?? record.lessonMs);
    }
  }
  return lessons.map((lesson) => {
    const entry = byLesson.get(lesson)!;
    const totals = [...(room.totals.get(lesson) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1]).slice(0, 3);
    return {
      lesson,
      learners: entry.learners,
      passed: entry.attempts.length,
      medianAttempts: median(entry.attempts),
      medianMs: median(entry.ms),
      pitfalls: totals.map(([pitfall, count]) => ({ pitfall, count })),
    };
  });
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : Math.round((sorted[middle - 1] + sorted[middle]) / 2);
}
