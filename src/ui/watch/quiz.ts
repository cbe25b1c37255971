// c on the watch screen: the lesson's quiz, asked by @inquirer/prompts on the
// same terminal (src/ui/quiz-session.ts). The screen's key handling is suspended
// meanwhile (inquirer reads the same input) and restored after, whatever
// happens; Ctrl-C stops the quiz, not the screen.

import type { ChalkInstance } from 'chalk';
import type { Lesson } from '../../course/lessons.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { WatchTerminal } from './terminal.js';

const CLEAR = '\u001B[H\u001B[2J\u001B[3J';

export interface QuizHost {
  terminal: WatchTerminal;
  workspace: Workspace;
  lesson: Lesson;
  style: ChalkInstance;
  width: number;
  self: string;
  /** The quiz owns the terminal (true) or gives it back (false): the screen does not redraw meanwhile. */
  owning(on: boolean): void;
  /** The screen was closed meanwhile (a signal): its keys are not taken back. */
  closed(): boolean;
}

/** Asks the quiz when there is one and the lesson passed; resolves to the message the screen shows after. */
export async function takeQuiz(host: QuizHost): Promise<string> {
  const { lesson, style, terminal } = host;
  if (!host.workspace.state.lessons[lesson.id]?.passed) return 'The quiz opens once this lesson passes.';
  const { loadQuiz } = await import('../../course/quiz.js');
  let quiz: ReturnType<typeof loadQuiz>;
  try {
    quiz = loadQuiz(lesson.dir);
  } catch (error) {
    return `This lesson's quiz.md does not read: ${oneLine(error)}`;
  }
  if (!quiz || quiz.questions.length === 0) return 'This lesson has no quiz.';
  const session = await import('../quiz-session.js');
  host.owning(true);
  terminal.suspendKeys();
  const write = (text: string) => terminal.write(text);
  try {
    write(`${CLEAR}${style.bold(`Check your understanding: lesson ${lesson.number}, ${lesson.title}`)}\n${style.dim('Ctrl-C goes back to the watch screen.')}\n`);
    const view = { style, width: Math.min(host.width, 100), self: host.self };
    const result = await session.askQuiz(quiz, { ...view, lesson, write, input: terminal.input, output: terminal.output });
    const saved = session.saveQuizResult(host.workspace, lesson.id, result);
    write(`\n${style.dim('Press any key to go back to the watch screen.')}`);
    await terminal.nextKey();
    return `Quiz ${session.scoreText(saved)} saved; ${host.self} progress shows it.`;
  } catch (error) {
    const name = (error as { name?: string })?.name;
    return name === 'ExitPromptError' || name === 'AbortPromptError' ? 'Quiz stopped; nothing saved.' : `The quiz failed: ${oneLine(error)}`;
  } finally {
    host.owning(false);
    if (!host.closed()) {
      terminal.resumeKeys();
      write(CLEAR);
    }
  }
}

export function oneLine(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  return message.split('\n')[0];
}
