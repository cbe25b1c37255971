// The watch screen: the current lesson's task and file, the course's progress,
// and on every save of the learner's file a fresh verify, a line per check as it
// finishes, and the first failure in full. The keys are one table (watch/keys.ts):
// h hint, w wire, i timeline, l lessons, r re-run, t whole task, n next and
// c quiz (once passed), a ask for help (in a classroom), q quit.
//
// This file is the glue: it owns the state (watch/model.ts) and changes it as
// saves (watch/trigger.ts), check runs (watch/runner.ts) and keys happen, and
// draws it with the pure watch/render.ts. The terminal's raw mode is always
// restored (watch/terminal.ts).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChalkInstance } from 'chalk';
import type { Lesson } from '../course/lessons.js';
import { styleFor } from '../report/style.js';
import { attempt } from '../workspace/attempt.js';
import { lessonFile } from '../workspace/locate.js';
import { reproductionsFor } from '../workspace/replay-store.js';
import { progressOf } from '../workspace/state.js';
import { currentLesson, openLesson, type Workspace } from '../workspace/workspace.js';
import { afterYouPass, lessonHints, lessonTask } from './lesson-text.js';
import { supportsHyperlinks } from './terminal.js';
import { ClassroomLink } from './watch-classroom.js';
import { watchActions, type ScreenHost } from './watch/actions.js';
import { dispatchKey, dispatchListKey, quitCode, type Key } from './watch/keys.js';
import { newModel, screenState, startChecking, type LessonTexts, type ScreenModel } from './watch/model.js';
import { oneLine, takeQuiz } from './watch/quiz.js';
import { render, screenWidth, shown } from './watch/render.js';
import { CheckRunner } from './watch/runner.js';
import { WatchTerminal } from './watch/terminal.js';
import { FileTrigger } from './watch/trigger.js';

export interface WatchOptions {
  workspace: Workspace;
  lessons: Lesson[];
  lessonsDir: string;
  compiledChecksDir?: string;
  /** How the learner calls us, for the lines that say what to type. */
  self: string;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
  /** Start on this lesson instead of the current one. */
  lesson?: Lesson;
  /** Quiet period after the last file event before checking, in ms. */
  debounceMs?: number;
  /** The line printed on quitting (default: progress saved, run <self> to continue). */
  farewell?: string;
  /** Shown once on the first screen (what init had to say). */
  notice?: string;
}

/** How long quitting waits for a check in progress to stop (its learner process is already killed). */
const QUIT_SETTLE_MS = 2000;

export async function runWatch(options: WatchOptions): Promise<number> {
  return new WatchScreen(options).run();
}

function lessonTexts(lesson: Lesson): LessonTexts {
  return { task: lessonTask(lesson), after: afterYouPass(lesson), hints: lessonHints(lesson), hasQuiz: existsSync(join(lesson.dir, 'quiz.md')) };
}

class WatchScreen implements ScreenHost {
  private readonly terminal: WatchTerminal;
  private readonly style: ChalkInstance;
  private readonly links: boolean;
  readonly model: ScreenModel;
  readonly workspace: Workspace;
  readonly lessons: Lesson[];
  readonly self: string;
  private readonly trigger: FileTrigger;
  private readonly runner: CheckRunner;
  /** The classroom board, when the workspace joined one (issue 11). */
  readonly classroom: ClassroomLink;
  private readonly actions: ReturnType<typeof watchActions>;
  private finish: ((code: number) => void) | null = null;
  private closed = false;
  /** While the quiz owns the terminal, the screen does not redraw. */
  private quizzing = false;

  constructor(private readonly options: WatchOptions) {
    const input = options.input ?? process.stdin;
    const output = options.output ?? process.stdout;
    this.terminal = new WatchTerminal(input, output, {
      key: (text, key) => void this.handleKey(text, key).catch((error: unknown) => this.fail(error)),
      resize: () => this.draw(),
      signal: (code) => void this.quit(code),
    });
    this.style = styleFor(output);
    this.links = supportsHyperlinks(output);
    const lesson = options.lesson ?? currentLesson(options.workspace, options.lessons) ?? options.lessons[0];
    this.model = newModel(lesson, lessonFile(options.workspace, lesson), lessonTexts(lesson));
    this.trigger = new FileTrigger(
      () => void this.check(),
      (folder) => (this.model.message = `Cannot watch ${shown(this.options.workspace, folder)} for changes; press r to check.`),
      options.debounceMs,
    );
    this.runner = new CheckRunner(options.compiledChecksDir);
    this.classroom = new ClassroomLink(options.workspace.root, () => this.draw());
    ({ workspace: this.workspace, lessons: this.lessons, self: this.self } = options);
    this.actions = watchActions(this);
  }

  async run(): Promise<number> {
    const done = new Promise<number>((resolve) => (this.finish = resolve));
    this.terminal.take();
    try {
      this.runner.preload();
      await this.open(this.model.lesson);
      if (this.options.notice) {
        this.model.message = [this.model.message, this.options.notice].filter(Boolean).join(' ');
        this.draw();
      }
      return await done;
    } catch (error) {
      this.terminal.release();
      throw error;
    }
  }

  private fail(error: unknown): void {
    this.model.message = `Something went wrong inside httpdojo: ${(error as Error)?.message ?? String(error)}`;
    this.draw();
  }

  private async open(lesson: Lesson): Promise<void> {
    const { workspace } = this.options;
    const model = this.model;
    if (lesson.id !== model.lesson.id) {
      model.message = `Opening lesson ${lesson.number}…`;
      this.draw();
    }
    const opened = await openLesson(workspace, lesson);
    Object.assign(model, newModel(lesson, opened.file, lessonTexts(lesson)));
    model.message = opened.created ? `Created ${shown(workspace, opened.file)} from the lesson's starter.` : null;
    this.trigger.watch(opened.file);
    this.draw();
    // A lesson already worked on is checked straight away; a fresh one waits for the first save.
    if (progressOf(workspace.state, lesson.id).attempts > 0) void this.check();
  }

  async check(): Promise<void> {
    if (this.closed) return;
    const { model, options } = this;
    const { lesson, file } = model;
    const outcome = await this.runner.run(lesson, file, {
      started: () => {
        startChecking(model);
        this.draw();
      },
      onCheck: (result, total) => {
        model.live.push(result);
        model.liveTotal = total;
        this.draw();
      },
    });
    if (!outcome || this.closed || lesson !== model.lesson) return;
    if (!outcome.ok) {
      model.phase = 'error';
      model.error = existsSync(file)
        ? oneLine(outcome.error)
        : `${shown(options.workspace, file)} is not there any more: save it again, or ${options.self} reset ${lesson.number} puts the starter back.`;
      model.verdict = null;
      return this.draw();
    }
    const { verdict } = outcome;
    model.verdict = verdict;
    model.reproductions = reproductionsFor(verdict, lesson, options.workspace.root, file, options.self);
    model.phase = 'done';
    const result = await attempt(options.workspace, lesson, file, verdict, (progress) => this.classroom.afterVerdict(verdict, progress.attempts, progress.openedAt));
    if (verdict.passed && result.workspaceFile && !result.error) model.reference = result.reference;
    if (result.error) model.message = `Could not save your progress: ${oneLine(result.error)}`;
    this.draw();
  }

  // ---------------------------------------------------------------- keys (watch/keys.ts, watch/actions.ts)

  private async handleKey(text: string, key: Key): Promise<void> {
    if (this.closed) return;
    const code = quitCode(key);
    if (code !== null) return this.quit(code);
    if (this.model.panel === 'list') return dispatchListKey(text, key, this.actions.list);
    this.model.message = null;
    return dispatchKey(text, key, this.actions.keys);
  }

  async switchTo(lesson: Lesson): Promise<void> {
    this.runner.stop();
    this.trigger.cancel();
    return this.open(lesson);
  }

  async quiz(): Promise<void> {
    const { terminal, style, workspace, self } = this;
    const host = { terminal, style, workspace, self, lesson: this.model.lesson, width: screenWidth(terminal.output.columns) };
    this.model.message = await takeQuiz({ ...host, owning: (on) => (this.quizzing = on), closed: () => this.closed });
    this.draw();
  }

  async quit(code: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.classroom.close();
    this.trigger.close();
    this.runner.stop();
    // The learner's program and everything it started go first, synchronously.
    const { killAllLearnerProcesses } = await import('../engine/learner-process.js');
    killAllLearnerProcesses();
    await this.runner.settle(QUIT_SETTLE_MS);
    this.terminal.release();
    this.terminal.write(`\n${this.style.dim(this.options.farewell ?? `Your progress is saved. ${this.options.self} picks up where you left off.`)}\n`);
    this.finish?.(code);
  }

  // ---------------------------------------------------------------- drawing (watch/render.ts)

  draw(): void {
    if (this.closed || this.quizzing) return;
    const { terminal, style, links, classroom } = this;
    this.terminal.write(render(screenState(this.model, { ...this.options, style, links, output: terminal.output, classroom })));
  }
}
