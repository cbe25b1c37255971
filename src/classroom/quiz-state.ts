// The room's quiz figures (issue 14): per lesson, who took the quiz, the median
// score, and the questions the room missed most. A mentor reads them like the
// room's pitfalls: the question most people got wrong is the thing to explain
// again to everyone. Pure, like state.ts; memory is bounded by the questions a
// quiz can have (schema.ts MAX_QUIZ_QUESTIONS) per learner and lesson.

import type { QuizEvent } from './schema.js';

/** One learner's attempts at one lesson's quiz. */
export interface QuizRecord {
  attempts: number;
  /** The latest attempt. */
  correct: number;
  total: number;
  missed: number[];
  best: number;
  /** Per question number: how many of this learner's attempts missed it. */
  misses: Map<number, number>;
}

/** The title of question `number` of `lesson`'s quiz as the board's course has it, or null. */
export type QuestionTitle = (lesson: string, number: number) => string | null;

export interface HardQuestion {
  question: number;
  /** The question's prompt from the board's course; null when it cannot be read (the page shows "Q3"). */
  title: string | null;
  /** Learners who missed it at least once. */
  count: number;
  learners: string[];
  /** Misses over every attempt. */
  misses: number;
  /** Learners whose latest attempt still misses it. */
  still: number;
}

export interface QuizFigures {
  lesson: string;
  /** Learners who took the quiz. */
  learners: number;
  attempts: number;
  /** Median of each learner's latest score (a half when the count is even). */
  medianCorrect: number | null;
  total: number;
  /** Learners whose latest attempt had every answer right. */
  perfect: number;
  /** The most missed questions first, at most HARDEST_SHOWN. */
  hardest: HardQuestion[];
}

export const HARDEST_SHOWN = 5;

export function applyQuiz(learner: { quizzes: Map<string, QuizRecord> }, event: QuizEvent): void {
  let record = learner.quizzes.get(event.lesson);
  if (!record) {
    record = { attempts: 0, correct: 0, total: 0, missed: [], best: 0, misses: new Map() };
    learner.quizzes.set(event.lesson, record);
  }
  record.attempts += 1;
  record.correct = event.correct;
  record.total = event.total;
  record.missed = event.missed;
  record.best = Math.max(record.best, event.correct);
  for (const number of event.missed) record.misses.set(number, (record.misses.get(number) ?? 0) + 1);
}

/** The figures for every lesson someone took the quiz of: course order first, then the others by id. */
export function quizFigures(learners: Iterable<{ name: string; quizzes: Map<string, QuizRecord> }>, courseLessons: string[], questionTitle?: QuestionTitle): QuizFigures[] {
  const byLesson = new Map<string, Array<{ name: string; record: QuizRecord }>>();
  for (const learner of learners) {
    for (const [lesson, record] of learner.quizzes) {
      const list = byLesson.get(lesson) ?? [];
      list.push({ name: learner.name, record });
      byLesson.set(lesson, list);
    }
  }
  const order = [...courseLessons.filter((id) => byLesson.has(id)), ...[...byLesson.keys()].filter((id) => !courseLessons.includes(id)).sort()];
  return order.map((lesson) => lessonFigures(lesson, byLesson.get(lesson)!, questionTitle));
}

function lessonFigures(lesson: string, takers: Array<{ name: string; record: QuizRecord }>, questionTitle?: QuestionTitle): QuizFigures {
  const questions = new Map<number, { learners: Set<string>; misses: number; still: number }>();
  for (const { name, record } of takers) {
    for (const [number, misses] of record.misses) {
      const entry = questions.get(number) ?? { learners: new Set<string>(), misses: 0, still: 0 };
      entry.learners.add(name);
      entry.misses += misses;
      if (record.missed.includes(number)) entry.still += 1;
      questions.set(number, entry);
    }
  }
  const hardest = [...questions]
    .sort(([a, x], [b, y]) => y.learners.size - x.learners.size || y.misses - x.misses || a - b)
    .slice(0, HARDEST_SHOWN)
    .map(([question, entry]) => ({ question, title: titleOf(questionTitle, lesson, question), count: entry.learners.size, learners: [...entry.learners].sort(), misses: entry.misses, still: entry.still }));
  return {
    lesson,
    learners: takers.length,
    attempts: takers.reduce((sum, { record }) => sum + record.attempts, 0),
    medianCorrect: medianOf(takers.map(({ record }) => record.correct)),
    total: Math.max(...takers.map(({ record }) => record.total)),
    perfect: takers.filter(({ record }) => record.missed.length === 0).length,
    hardest,
  };
}

function titleOf(questionTitle: QuestionTitle | undefined, lesson: string, question: number): string | null {
  if (!questionTitle) return null;
  try {
    return questionTitle(lesson, question);
  } catch {
    // A course file the board cannot read must not take the board's view down: "Q3" then.
    return null;
  }
}

/** The median, kept to halves: 2.5 of 3 says more about a small room than a rounded 3. */
export function medianOf(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
