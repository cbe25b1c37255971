// The question titles for the board's "Hardest questions" panel: learners send
// only question numbers, and the board names them from its own course's quiz.md
// (src/course/quiz.ts). Lazy and cheap: a lesson's quiz is read the first time
// one of its questions is shown and kept for the board's life (an unreadable or
// missing quiz.md is remembered as such, and the page shows "Q3").

import { loadQuiz } from '../course/quiz.js';
import type { QuestionTitle } from './quiz-state.js';

/** Longer prompts are cut: the panel is read on a phone. */
const TITLE_MAX = 160;

export function courseQuestionTitles(lessons: Array<{ id: string; dir: string }>): QuestionTitle {
  const dirs = new Map(lessons.map((lesson) => [lesson.id, lesson.dir]));
  const cache = new Map<string, string[] | null>();
  return (lesson, number) => {
    if (!cache.has(lesson)) cache.set(lesson, promptsOf(dirs.get(lesson)));
    const prompt = cache.get(lesson)?.[number - 1];
    return prompt === undefined ? null : prompt;
  };
}

function promptsOf(dir: string | undefined): string[] | null {
  // A lesson id the course does not have (a learner on another course) is never looked up on disk.
  if (dir === undefined) return null;
  try {
    const quiz = loadQuiz(dir);
    // The prompt's first paragraph is the question's `## ` heading: its title.
    return quiz ? quiz.questions.map((question) => oneLine(question.prompt.split('\n\n')[0])) : null;
  } catch {
    return null;
  }
}

function oneLine(prompt: string): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  return line.length > TITLE_MAX ? `${line.slice(0, TITLE_MAX - 1)}…` : line;
}
