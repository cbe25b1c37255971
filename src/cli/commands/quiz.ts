// httpdojo quiz [lesson] [--json] [--answer 2,1,3]
// Check your understanding: the lesson's questions (lessons/<id>/quiz.md), each
// answered by a fact test on this Node. In a terminal it asks; without one it
// never prompts: --json lists the questions (no answers), --answer grades a run.

import { relative } from 'node:path';
import type { Lesson } from '../../course/lessons.js';
import { grade, loadQuiz, parseAnswerList, publicQuestion, QuizParseError, type Quiz, type QuizResult } from '../../course/quiz.js';
import { packageVersion } from '../../engine/version.js';
import { columns, styleFor } from '../../report/style.js';
import { askQuiz, formatChoices, formatFeedback, formatQuestion, formatScore, saveQuizResult, type QuizView } from '../../ui/quiz-session.js';
import type { QuizScore } from '../../workspace/state.js';
import { CliError, EXIT } from '../exit-codes.js';
import { interactive, learnerContext, pickLesson, selfCommand, type LearnerContext } from '../workspace-context.js';
import type { OptionsOf } from '../options.js';

export const QUIZ_SCHEMA = 'httpdojo.quiz/1';

type Flags = OptionsOf<'quiz'>;

export async function run([name]: string[], flags: Flags): Promise<number> {
  const context = learnerContext(flags);
  const lesson = pickLesson(context, name || undefined);
  const quiz = readQuiz(lesson);
  const self = selfCommand();
  const view: QuizView = { style: styleFor(process.stdout), width: Math.min(columns(), 100), self };
  const write = (text: string) => process.stdout.write(text);
  const answerHint = `${self} quiz ${lesson.number} --answer ${quiz.questions.map(() => 'N').join(',')}`;

  if (flags.answer !== undefined) {
    let chosen: number[];
    try {
      chosen = parseAnswerList(flags.answer, quiz);
    } catch (error) {
      throw new CliError(`${(error as Error).message}; see the questions with ${self} quiz ${lesson.number} --json`);
    }
    const result = grade(quiz, chosen);
    const saved = save(context, lesson, result);
    if (flags.json) write(JSON.stringify(gradedJson(lesson, result, saved), null, 2) + '\n');
    else {
      for (const answer of result.answers) write(`\n${formatQuestion(answer.question, quiz.questions.length, lesson, view)}\n\n${formatFeedback(answer, view)}\n`);
      write(`\n${formatScore(result, view)}\n${savedNote(saved, view)}`);
    }
    return EXIT.ok;
  }

  if (flags.json) {
    const document = { schema: QUIZ_SCHEMA, lesson: { id: lesson.id, number: lesson.number, title: lesson.title }, questions: quiz.questions.map(publicQuestion), answerWith: answerHint, version: packageVersion() };
    write(JSON.stringify(document, null, 2) + '\n');
    return EXIT.ok;
  }

  if (!interactive()) {
    // No terminal to ask in: list the questions and say how to answer them.
    for (const question of quiz.questions) write(`\n${formatQuestion(question, quiz.questions.length, lesson, view)}\n${formatChoices(question, view)}\n`);
    write(`\n${view.style.dim(`Answer without a terminal: ${answerHint} (one choice number per question).`)}\n`);
    return EXIT.ok;
  }

  write(`${view.style.bold(`Check your understanding: lesson ${lesson.number}, ${lesson.title}`)}\n${view.style.dim(`${quiz.questions.length} questions; every answer is proven by a test on the Node you run. Ctrl-C stops.`)}\n`);
  let result: QuizResult;
  try {
    result = await askQuiz(quiz, { ...view, lesson, write });
  } catch (error) {
    // Ctrl-C in a prompt: a clean stop, nothing half-saved.
    if ((error as { name?: string })?.name !== 'ExitPromptError') throw error;
    write(`\n${view.style.dim('Quiz stopped; nothing saved.')}\n`);
    return EXIT.interrupted;
  }
  write(savedNote(save(context, lesson, result), view));
  return EXIT.ok;
}

function readQuiz(lesson: Lesson): Quiz {
  let quiz: Quiz | null;
  try {
    quiz = loadQuiz(lesson.dir);
  } catch (error) {
    if (error instanceof QuizParseError) throw new CliError(`${relative(process.cwd(), lesson.dir) || lesson.dir}/quiz.md ${error.message}`, 'bad-course');
    throw error;
  }
  if (!quiz || quiz.questions.length === 0) throw new CliError(`lesson ${lesson.number} (${lesson.title}) has no quiz`, 'no-quiz');
  return quiz;
}

function save(context: LearnerContext, lesson: Lesson, result: QuizResult): QuizScore | null {
  return context.workspace ? saveQuizResult(context.workspace, lesson.id, result) : null;
}

function savedNote(saved: QuizScore | null, view: QuizView): string {
  return saved ? `${view.style.dim(`Saved; ${view.self} progress shows it.`)}\n` : `${view.style.dim('Outside a workspace the score is not saved.')}\n`;
}

function gradedJson(lesson: Lesson, result: QuizResult, saved: QuizScore | null) {
  return {
    schema: QUIZ_SCHEMA,
    lesson: { id: lesson.id, number: lesson.number, title: lesson.title },
    correct: result.correct,
    total: result.total,
    answers: result.answers.map(({ question, chosen, right }) => ({
      number: question.number,
      chosen: chosen + 1,
      correct: question.correct + 1,
      right,
      explanation: question.explanation,
      snippet: question.snippet,
      pitfall: question.pitfall,
    })),
    saved: saved !== null,
    version: packageVersion(),
  };
}
