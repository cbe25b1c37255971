// Taking a lesson's quiz: the text of a question, the feedback after an answer,
// the interactive loop (@inquirer/prompts select, loaded only when asked), and
// the score saved to the workspace. `httpdojo quiz` and the watch screen share it.

import type { ChalkInstance } from 'chalk';
import type { Lesson } from '../course/lessons.js';
import type { GradedAnswer, Quiz, QuizQuestion, QuizResult } from '../course/quiz.js';
import { grade } from '../course/quiz.js';
import { wrap } from '../report/style.js';
import type { QuizScore } from '../workspace/state.js';
import { now } from '../workspace/state.js';
import { updateProgress, type Workspace } from '../workspace/workspace.js';
import { renderMarkdown } from './markdown.js';

export interface QuizView {
  style: ChalkInstance;
  width: number;
  /** How the learner calls us (`httpdojo`, `npx httpdojo`), for `explain`. */
  self: string;
}

/** `code` in colour, as the lesson text shows it. */
function inline(text: string, style: ChalkInstance): string {
  // Without colour the backticks stay: they are what marks code then.
  return style.level === 0 ? text : text.replace(/`([^`\n]+)`/g, (_, code: string) => style.cyan(code));
}

function fenced(code: string, lang: string | null): string {
  return ['```' + (lang ?? 'js'), code, '```'].join('\n');
}

/** The question as shown before answering: heading, prompt, its code. No answer. */
export function formatQuestion(question: QuizQuestion, total: number, lesson: Lesson, view: QuizView): string {
  const { style, width } = view;
  const markdown = [question.prompt, ...(question.code !== null ? [fenced(question.code, question.codeLang)] : [])].join('\n\n');
  return [
    style.bold(`Question ${question.number} of ${total}`) + style.dim(` · ${lesson.number} ${lesson.title}`),
    renderMarkdown(markdown, { style, width, indent: '  ' }),
  ].join('\n');
}

/** The choices, numbered, for the non-interactive listing. */
export function formatChoices(question: QuizQuestion, view: QuizView): string {
  // Wrapped as plain text, coloured after: wrap() counts every character.
  return question.choices.map((choice, index) => `  ${inline(wrap(`${index + 1}. ${choice}`, view.width - 2, '     '), view.style)}`).join('\n');
}

/** After an answer: right or wrong, the right choice, why, the snippet, and `explain <id>`. */
export function formatFeedback(answer: GradedAnswer, view: QuizView): string {
  const { style, width } = view;
  const { question } = answer;
  const out: string[] = [];
  // The label, then the choice wrapped as plain text (wrap() counts every character) and coloured after.
  const line = (label: string, paint: (text: string) => string, index: number, indent = '') =>
    `${indent}${paint(label)} ${inline(wrap(`${index + 1}. ${question.choices[index]}`, width - indent.length - label.length - 1, '     '), style)}`;
  if (answer.right) out.push(line('✓ Right:', style.green.bold, answer.chosen));
  else out.push(line('✗ Not quite:', style.red.bold, answer.chosen), line('The answer is', style.bold, question.correct, '  '));
  out.push(renderMarkdown(question.explanation, { style, width, indent: '  ' }));
  if (question.snippet) out.push(renderMarkdown(fenced(question.snippet, question.codeLang), { style, width, indent: '  ' }));
  if (question.pitfall) out.push(`  ${style.dim('More')}  ${view.self} explain ${question.pitfall}`);
  return out.join('\n');
}

export function formatScore(result: QuizResult, view: QuizView): string {
  const { style } = view;
  const all = result.correct === result.total;
  const line = `Score: ${result.correct}/${result.total}`;
  return all ? style.green.bold(`${line}. Every answer right.`) : style.bold(`${line}.`) + style.dim(' The explanations above say why; taking it again is fine.');
}

export interface AskOptions extends QuizView {
  lesson: Lesson;
  write: (text: string) => void;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
}

/**
 * Asks every question with a select prompt and shows the feedback after each.
 * Ctrl-C rejects with inquirer's ExitPromptError (the caller decides what it means).
 */
export async function askQuiz(quiz: Quiz, options: AskOptions): Promise<QuizResult> {
  const { select } = await import('@inquirer/prompts');
  const context = { input: options.input, output: options.output };
  const chosen: number[] = [];
  for (const question of quiz.questions) {
    options.write(`\n${formatQuestion(question, quiz.questions.length, options.lesson, options)}\n`);
    const answer = await select<number>(
      {
        message: 'Your answer',
        // Wrapped here, with an indent: the prompt would cut a long choice mid-word.
        choices: question.choices.map((choice, index) => ({ name: inline(wrap(`${index + 1}. ${choice}`, options.width - 3, '     '), options.style), value: index, short: `${index + 1}` })),
        loop: false,
      },
      context,
    );
    chosen.push(answer);
    const graded = grade({ ...quiz, questions: [question] }, [answer]).answers[0];
    options.write(`\n${formatFeedback(graded, options)}\n`);
  }
  const result = grade(quiz, chosen);
  options.write(`\n${formatScore(result, options)}\n`);
  return result;
}

/**
 * Records the attempt in the workspace's state file (atomic write, see state.ts)
 * and, when the workspace joined a classroom, sends it to the board in the
 * background (issue 14). `httpdojo quiz` and the watch screen's `c` both end here.
 */
export function saveQuizResult(workspace: Workspace, lessonId: string, result: QuizResult): QuizScore {
  let saved: QuizScore | null = null;
  updateProgress(workspace, lessonId, (progress) => {
    const before = progress.quiz;
    saved = {
      correct: result.correct,
      total: result.total,
      best: Math.max(before?.best ?? 0, result.correct),
      attempts: (before?.attempts ?? 0) + 1,
      missed: result.answers.filter((answer) => !answer.right).map((answer) => answer.question.number),
      takenAt: now(),
    };
    progress.quiz = saved;
  });
  reportToClassroom(workspace.root, lessonId, saved!);
  return saved!;
}

/**
 * The board gets the score the state file got. Loaded lazily and never awaited:
 * the outbox posts with a short deadline (classroom-outbox.ts POST_TIMEOUT_MS),
 * so `quiz --answer` exits at most that long after printing, and offline the
 * event waits in the outbox for the next post.
 */
function reportToClassroom(root: string, lessonId: string, score: QuizScore): void {
  void import('../workspace/classroom-outbox.js').then((classroom) => classroom.reportQuiz(root, lessonId, score)).catch(() => {});
}

/** `3/4 (best 4/4)` for progress and the watch screen. */
export function scoreText(score: QuizScore): string {
  return `${score.correct}/${score.total}${score.best > score.correct ? ` (best ${score.best}/${score.total})` : ''}`;
}
