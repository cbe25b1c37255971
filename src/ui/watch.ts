// The watch screen: the current lesson's task and file, the course's progress,
// and on every save of the learner's file a fresh verify, a line per check as it
// finishes, and the first failure in full. Keys: h hint, w wire, i timeline, l lessons,
// r re-run, n next (once passed), t whole task, a ask for help (in a classroom),
// c the lesson's quiz (once passed; src/ui/quiz-session.ts), q quit.
//
// The screen is redrawn whole from state (render()); it never scrolls on its own
// when it fits the terminal, and clears the scrollback when it does not, so no
// stale copies pile up. Raw mode is always restored: on q, Ctrl-C, a signal,
// or an exception.

import { createHash } from 'node:crypto';
import { watch as watchFolder, existsSync, readFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { emitKeypressEvents } from 'node:readline';
import type { ChalkInstance } from 'chalk';
import type { Lesson } from '../course/lessons.js';
import type { CheckResult, Verdict } from '../engine/verdict.js';
import { checkLine, formatFailure, summaryLine } from '../report/pretty.js';
import { styleFor, wrap } from '../report/style.js';
import { formatWire } from '../report/wire.js';
import type { Reproduction } from '../engine/verdict.js';
import { formatTryIt } from '../report/pretty.js';
import { reproductionsFor } from '../workspace/replay-store.js';
import { formatTimeline, timelineChecks } from '../report/timeline.js';
import { progressOf } from '../workspace/state.js';
import {
  currentLesson,
  lessonAfter,
  lessonFile,
  lessonStatus,
  openLesson,
  passedCount,
  recordVerdict,
  updateProgress,
  writeReferenceSolution,
  type Workspace,
} from '../workspace/workspace.js';
import { afterYouPass, lessonHints, lessonTask } from './lesson-text.js';
import { ClassroomLink } from './watch-classroom.js';
import { renderMarkdown } from './markdown.js';
import { fileLink, progressBar, stripAnsi, supportsHyperlinks, visibleLength } from './terminal.js';

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

type Panel = 'none' | 'hint' | 'wire' | 'timeline' | 'list' | 'task';

interface Key {
  name?: string;
  sequence?: string;
  ctrl?: boolean;
  meta?: boolean;
}

const INTERRUPTED = 130;
const HANGUP = 129;

export async function runWatch(options: WatchOptions): Promise<number> {
  const screen = new WatchScreen(options);
  return screen.run();
}

class WatchScreen {
  private readonly input: NodeJS.ReadStream;
  private readonly output: NodeJS.WriteStream;
  private readonly style: ChalkInstance;
  private readonly links: boolean;
  private lesson: Lesson;
  private file: string;
  private watcher: FSWatcher | null = null;
  private debounce: NodeJS.Timeout | undefined;

  private phase: 'idle' | 'checking' | 'done' | 'error' = 'idle';
  private live: CheckResult[] = [];
  private liveTotal = 0;
  private verdict: Verdict | null = null;
  /** Issue 12 §3: the failed checks' reproduce commands, shown in the wire view. */
  private reproductions = new Map<string, Reproduction>();
  private error: string | null = null;
  private reference: string | null = null;
  private panel: Panel = 'none';
  private message: string | null = null;
  private listIndex = 0;
  private typedNumber = '';

  private generation = 0;
  private controller: AbortController | null = null;
  private running: Promise<unknown> | null = null;
  private runningHash: string | null = null;
  private finish: ((code: number) => void) | null = null;
  private closed = false;
  /** While the quiz owns the terminal, the screen does not redraw. */
  private quizzing = false;
  private verifyModule: Promise<typeof import('../engine/verify.js')> | null = null;
  /** The classroom board, when the workspace joined one (issue 11). */
  private readonly classroom: ClassroomLink;

  constructor(private readonly options: WatchOptions) {
    this.input = options.input ?? process.stdin;
    this.output = options.output ?? process.stdout;
    this.style = styleFor(this.output);
    this.links = supportsHyperlinks(this.output);
    this.lesson = options.lesson ?? currentLesson(options.workspace, options.lessons) ?? options.lessons[0];
    this.file = lessonFile(options.workspace, this.lesson);
    this.classroom = new ClassroomLink(options.workspace.root, () => this.render());
  }

  async run(): Promise<number> {
    const done = new Promise<number>((resolve) => {
      this.finish = resolve;
    });
    this.takeTerminal();
    try {
      // Load the engine while the learner reads the task: the first save is then fast.
      this.verifyModule = import('../engine/verify.js');
      await this.open(this.lesson);
      if (this.options.notice) {
        this.message = [this.message, this.options.notice].filter(Boolean).join(' ');
        this.render();
      }
      return await done;
    } catch (error) {
      this.releaseTerminal();
      throw error;
    }
  }

  // ---------------------------------------------------------------- terminal

  private readonly onKeypress = (text: string | undefined, key: Key | undefined) => {
    void this.handleKey(text ?? '', key ?? {}).catch((error: unknown) => this.fail(error));
  };
  private readonly onResize = () => this.render();
  private readonly onSignal = (signal: NodeJS.Signals) => void this.quit(signal === 'SIGHUP' ? HANGUP : INTERRUPTED);
  private readonly onExit = () => this.restoreTerminal();

  private takeTerminal(): void {
    emitKeypressEvents(this.input);
    if (this.input.isTTY) this.input.setRawMode(true);
    this.input.on('keypress', this.onKeypress);
    this.input.resume();
    this.output.on('resize', this.onResize);
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    process.on('SIGHUP', this.onSignal);
    process.on('exit', this.onExit);
  }

  private restoreTerminal(): void {
    try {
      if (this.input.isTTY) this.input.setRawMode(false);
    } catch {
      // The terminal is gone (SIGHUP).
    }
  }

  private releaseTerminal(): void {
    this.restoreTerminal();
    this.input.off('keypress', this.onKeypress);
    this.input.pause();
    this.output.off('resize', this.onResize);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    process.off('SIGHUP', this.onSignal);
    process.off('exit', this.onExit);
  }

  private fail(error: unknown): void {
    this.message = `Something went wrong inside httpdojo: ${(error as Error)?.message ?? String(error)}`;
    this.render();
  }

  // ---------------------------------------------------------------- lessons and files

  private async open(lesson: Lesson): Promise<void> {
    const { workspace } = this.options;
    if (lesson.id !== this.lesson.id) {
      this.message = `Opening lesson ${lesson.number}…`;
      this.render();
    }
    const opened = await openLesson(workspace, lesson);
    this.lesson = lesson;
    this.file = opened.file;
    this.phase = 'idle';
    this.verdict = null;
    this.error = null;
    this.live = [];
    this.reference = null;
    this.panel = 'none';
    this.message = opened.created ? `Created ${this.shown(this.file)} from the lesson's starter.` : null;
    this.watchLessonFolder();
    this.render();
    // A lesson already worked on is checked straight away; a fresh one waits for the first save.
    if (progressOf(workspace.state, lesson.id).attempts > 0) void this.check();
  }

  private watchLessonFolder(): void {
    this.watcher?.close();
    this.watcher = null;
    const folder = dirname(this.file);
    try {
      this.watcher = watchFolder(folder, (_event, name) => {
        if (name && !this.isWatchedName(String(name))) return;
        this.scheduleCheck();
      });
      this.watcher.on('error', () => {
        // The folder was removed or replaced: watch it again shortly.
        this.watcher?.close();
        this.watcher = null;
        setTimeout(() => {
          if (!this.closed && existsSync(folder)) this.watchLessonFolder();
        }, 500).unref();
      });
    } catch {
      this.message = `Cannot watch ${this.shown(folder)} for changes; press r to check.`;
    }
  }

  /** The learner's file and their own modules beside it; not the reference solution, temp or swap files. */
  private isWatchedName(name: string): boolean {
    if (name === basename(this.file)) return true;
    if (/^solution\./.test(name) || name.startsWith('.') || /(~|\.tmp|\.swp|\.swx)$/.test(name)) return false;
    return ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.json'].includes(extname(name));
  }

  private scheduleCheck(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.check(), this.options.debounceMs ?? 100);
  }

  // ---------------------------------------------------------------- checking

  private async check(): Promise<void> {
    if (this.closed) return;
    const hash = this.contentHash();
    // Another event for the very content being checked right now: nothing new.
    if (this.running && hash !== null && hash === this.runningHash && this.phase === 'checking') return;
    const generation = ++this.generation;
    this.controller?.abort();
    if (this.running) await this.running.catch(() => {});
    if (generation !== this.generation || this.closed) return;

    const controller = new AbortController();
    this.controller = controller;
    this.runningHash = hash;
    this.phase = 'checking';
    this.live = [];
    this.liveTotal = 0;
    this.error = null;
    if (this.panel === 'wire' || this.panel === 'timeline') this.panel = 'none';
    this.message = null;
    this.render();
    const lesson = this.lesson;
    const started = performance.now();
    const task = (async () => {
      const { verify } = await (this.verifyModule ??= import('../engine/verify.js'));
      return verify(lesson, this.file, {
        signal: controller.signal,
        compiledChecksDir: this.options.compiledChecksDir,
        onCheck: (result, _index, total) => {
          if (generation !== this.generation) return;
          this.live.push(result);
          this.liveTotal = total;
          this.render();
        },
      });
    })();
    this.running = task;
    let verdict: Verdict | null = null;
    let error: unknown = null;
    try {
      verdict = await task;
    } catch (caught) {
      error = caught;
    } finally {
      if (this.running === task) {
        this.running = null;
        this.runningHash = null;
      }
    }
    if (generation !== this.generation || controller.signal.aborted || this.closed || lesson !== this.lesson) return;
    if (error) {
      this.phase = 'error';
      this.error = existsSync(this.file)
        ? oneLine(error)
        : `${this.shown(this.file)} is not there any more: save it again, or ${this.options.self} reset ${this.lesson.number} puts the starter back.`;
      this.verdict = null;
      this.render();
      return;
    }
    this.verdict = verdict;
    this.reproductions = reproductionsFor(verdict!, lesson, this.options.workspace.root, this.file, this.options.self);
    this.phase = 'done';
    try {
      const progress = recordVerdict(this.options.workspace, lesson, verdict!.passed);
      this.classroom.afterVerdict(verdict!, progress.attempts, progress.openedAt);
      if (verdict!.passed) this.reference = await writeReferenceSolution(this.options.workspace, lesson);
    } catch (caught) {
      this.message = `Could not save your progress: ${oneLine(caught)}`;
    }
    this.render();
  }

  private contentHash(): string | null {
    try {
      return createHash('sha1').update(readFileSync(this.file)).digest('hex');
    } catch {
      return null;
    }
  }

  // ---------------------------------------------------------------- keys

  private async handleKey(text: string, key: Key): Promise<void> {
    if (this.closed) return;
    if (key.ctrl && (key.name === 'c' || key.name === 'd')) return this.quit(key.name === 'c' ? INTERRUPTED : 0);
    if (this.panel === 'list') return this.handleListKey(text, key);
    const name = (key.name ?? text).toLowerCase();
    this.message = null;
    switch (name) {
      case 'q':
        return this.quit(0);
      case 'r':
      case 'return':
        this.panel = this.panel === 'wire' ? 'none' : this.panel;
        return this.check();
      case 'h':
        return this.showHint();
      case 'w':
        return this.toggleWire();
      case 'i':
        return this.toggleTimeline();
      case 't':
        this.panel = this.panel === 'task' ? 'none' : 'task';
        return this.render();
      case 'l':
        this.panel = 'list';
        this.listIndex = Math.max(0, this.options.lessons.findIndex((lesson) => lesson.id === this.lesson.id));
        this.typedNumber = '';
        return this.render();
      case 'n':
        return this.next();
      case 'a':
        this.message = this.classroom.raiseHand(this.lesson.id);
        return this.render();
      case 'c':
        return this.takeQuiz();
      case 'escape':
        this.panel = 'none';
        return this.render();
      default:
        if (text.trim()) {
          this.message = 'Keys: h hint · w wire · i timeline · l lessons · r re-run · n next · c quiz · t task · q quit';
          this.render();
        }
    }
  }

  private async handleListKey(text: string, key: Key): Promise<void> {
    const count = this.options.lessons.length;
    switch (key.name) {
      case 'up':
      case 'k':
        this.listIndex = (this.listIndex - 1 + count) % count;
        this.typedNumber = '';
        return this.render();
      case 'down':
      case 'j':
        this.listIndex = (this.listIndex + 1) % count;
        this.typedNumber = '';
        return this.render();
      case 'return':
      case 'enter': {
        const lesson = this.options.lessons[this.listIndex];
        this.panel = 'none';
        if (lesson.id === this.lesson.id) return this.render();
        this.stopChecking();
        return this.open(lesson);
      }
      case 'escape':
      case 'q':
      case 'l':
        this.panel = 'none';
        return this.render();
    }
    if (/^\d$/.test(text)) {
      this.typedNumber = (this.typedNumber + text).slice(-2);
      const index = this.options.lessons.findIndex((lesson) => lesson.number === Number(this.typedNumber));
      if (index >= 0) this.listIndex = index;
      return this.render();
    }
  }

  private stopChecking(): void {
    this.generation++;
    this.controller?.abort();
    clearTimeout(this.debounce);
  }

  private async next(): Promise<void> {
    const passed = this.options.workspace.state.lessons[this.lesson.id]?.passed;
    if (!passed) {
      this.message = 'Pass this lesson first (or press l to pick another one).';
      return this.render();
    }
    const following = lessonAfter(this.options.lessons, this.lesson);
    if (!following) {
      this.message = `That was the last lesson: you have finished the course. ${this.options.self} progress shows how it went.`;
      return this.render();
    }
    this.stopChecking();
    return this.open(following);
  }

  private showHint(): void {
    const hints = lessonHints(this.lesson);
    if (hints.length === 0) {
      this.message = 'This lesson has no hints.';
      return this.render();
    }
    const seen = progressOf(this.options.workspace.state, this.lesson.id).hintsShown;
    this.revealHint(seen + 1, hints.length);
    this.panel = 'hint';
    this.render();
  }

  private revealHint(number: number, total: number): void {
    if (number > total) {
      this.message = 'That was the last hint.';
      return;
    }
    try {
      updateProgress(this.options.workspace, this.lesson.id, (progress) => {
        progress.hintsShown = Math.max(progress.hintsShown, number);
      });
    } catch (error) {
      this.message = `Could not save your progress: ${oneLine(error)}`;
    }
  }

  /**
   * i: when each piece left and arrived (src/report/timeline.ts): the failed
   * checks' timelines, or when all passed those of the checks that took time;
   * i again shows the next one, and after the last hides the panel.
   */
  private toggleTimeline(): void {
    const count = timelineChecks(this.verdict?.checks ?? []).length;
    if (this.panel === 'timeline' && this.timelineIndex + 1 >= count) {
      this.panel = 'none';
      return this.render();
    }
    if (count === 0) {
      this.message = this.verdict ? 'No check has a timeline to draw (each finished within a moment).' : 'i shows the timeline of a check; nothing has run yet.';
      return this.render();
    }
    this.timelineIndex = this.panel === 'timeline' ? this.timelineIndex + 1 : 0;
    this.panel = 'timeline';
    this.render();
  }

  private timelineIndex = 0;

  private toggleWire(): void {
    if (this.panel === 'wire') {
      this.panel = 'none';
      return this.render();
    }
    const failed = this.verdict?.checks.find((check) => check.status === 'failed');
    if (!failed || failed.wire.length === 0) {
      this.message = failed ? 'That check sent nothing over the wire.' : 'w shows the bytes of a failed check; nothing has failed yet.';
      return this.render();
    }
    this.panel = 'wire';
    this.render();
  }

  /**
   * c: the lesson's quiz, asked by @inquirer/prompts on this terminal. The watch
   * screen's key handling is suspended meanwhile (inquirer reads the same input)
   * and restored after, whatever happens; Ctrl-C stops the quiz, not the screen.
   */
  private async takeQuiz(): Promise<void> {
    if (!this.options.workspace.state.lessons[this.lesson.id]?.passed) {
      this.message = 'The quiz opens once this lesson passes.';
      return this.render();
    }
    const { loadQuiz } = await import('../course/quiz.js');
    let quiz: ReturnType<typeof loadQuiz>;
    try {
      quiz = loadQuiz(this.lesson.dir);
    } catch (error) {
      this.message = `This lesson's quiz.md does not read: ${oneLine(error)}`;
      return this.render();
    }
    if (!quiz || quiz.questions.length === 0) {
      this.message = 'This lesson has no quiz.';
      return this.render();
    }
    const session = await import('./quiz-session.js');
    this.quizzing = true;
    this.input.off('keypress', this.onKeypress);
    const write = (text: string) => this.output.write(text);
    try {
      write(`\u001B[H\u001B[2J\u001B[3J${this.style.bold(`Check your understanding: lesson ${this.lesson.number}, ${this.lesson.title}`)}\n${this.style.dim('Ctrl-C goes back to the watch screen.')}\n`);
      const view = { style: this.style, width: Math.min(this.width(), 100), self: this.options.self };
      const result = await session.askQuiz(quiz, { ...view, lesson: this.lesson, write, input: this.input, output: this.output });
      const saved = session.saveQuizResult(this.options.workspace, this.lesson.id, result);
      write(`\n${this.style.dim('Press any key to go back to the watch screen.')}`);
      await this.nextKey();
      this.message = `Quiz ${session.scoreText(saved)} saved; ${this.options.self} progress shows it.`;
    } catch (error) {
      const name = (error as { name?: string })?.name;
      this.message = name === 'ExitPromptError' || name === 'AbortPromptError' ? 'Quiz stopped; nothing saved.' : `The quiz failed: ${oneLine(error)}`;
    } finally {
      this.quizzing = false;
      if (!this.closed) {
        if (this.input.isTTY) this.input.setRawMode(true);
        this.input.on('keypress', this.onKeypress);
        this.input.resume();
        this.output.write('\u001B[H\u001B[2J\u001B[3J');
      }
    }
    this.render();
  }

  /** Resolves on the next key (raw mode, so one key is enough). */
  private nextKey(): Promise<void> {
    if (this.input.isTTY) this.input.setRawMode(true);
    this.input.resume();
    return new Promise((resolve) => this.input.once('keypress', () => resolve()));
  }

  private async quit(code: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.debounce);
    this.classroom.close();
    this.watcher?.close();
    this.controller?.abort();
    // The learner's program and everything it started go first, synchronously.
    const { killAllLearnerProcesses } = await import('../engine/learner-process.js');
    killAllLearnerProcesses();
    if (this.running) await Promise.race([this.running.catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    this.releaseTerminal();
    this.output.write(`\n${this.style.dim(this.options.farewell ?? `Your progress is saved. ${this.options.self} picks up where you left off.`)}\n`);
    this.finish?.(code);
  }

  // ---------------------------------------------------------------- drawing

  private shown(file: string): string {
    return relative(this.options.workspace.root, file) || file;
  }

  private width(): number {
    return Math.max(40, Math.min(this.output.columns || 80, 120));
  }

  render(): void {
    if (this.closed || this.quizzing) return;
    const lines = this.compose().flatMap((line) => line.split('\n'));
    const rows = this.output.rows || 24;
    const width = this.output.columns || 80;
    const height = lines.reduce((sum, line) => sum + Math.max(1, Math.ceil(visibleLength(line) / width)), 0);
    if (height < rows) {
      // Fits: draw over the old screen line by line, no flicker.
      this.output.write(`\u001B[H${lines.map((line) => `${line}\u001B[K`).join('\r\n')}\u001B[J`);
    } else {
      // Too tall: clear the screen and its scrollback, then let it scroll.
      this.output.write(`\u001B[H\u001B[2J\u001B[3J${lines.join('\r\n')}`);
    }
  }

  private compose(): string[] {
    const { style } = this;
    const width = this.width();
    const { workspace, lessons } = this.options;
    const out: string[] = [];
    const passed = passedCount(workspace, lessons);
    const title = `${style.bold('httpdojo')}  Lesson ${this.lesson.number} of ${lessons.length} · ${style.bold(this.lesson.title)}`;
    const bar = progressBar(passed, lessons.length, 12);
    const gap = width - visibleLength(title) - bar.length - 1;
    if (gap >= 2) out.push(`${title}${' '.repeat(gap)}${style.green(bar)}`);
    else out.push(title, style.green(bar));
    const fileText = fileLink(style.cyan(this.shown(this.file)), this.file, this.links);
    out.push(`Edit ${fileText}${style.dim(' · every save runs the checks')}`);
    out.push(style.dim('─'.repeat(width)));

    if (this.panel === 'list') {
      out.push(...this.composeList());
      out.push('', style.dim('↑/↓ or a number, Enter opens the lesson, Esc goes back'));
      return out;
    }

    const body: string[] = [];
    if (this.phase === 'idle') {
      body.push(style.dim(`Save ${this.shown(this.file)} to check it, or press r.`));
    } else if (this.phase === 'checking') {
      body.push(style.dim(`Checking ${this.shown(this.file)} …`));
      for (const check of this.live) body.push(fitCheckLine(check, style, this.width()));
      if (this.liveTotal) body.push(style.dim(`  ${this.live.length}/${this.liveTotal}`));
    } else if (this.phase === 'error') {
      body.push(style.red(wrap(`✗ ${this.error}`, width, '  ')));
    } else if (this.verdict) {
      body.push(...this.composeVerdict(this.verdict, width));
    }

    const panel = this.composePanel(width);
    const footer = this.composeFooter(width);
    const rows = this.output.rows || 24;
    const taskMarkdown = lessonTask(this.lesson);
    let task = taskMarkdown ? renderMarkdown(taskMarkdown, { style, width: width - 2, indent: '  ' }).split('\n') : [];
    // The task gives way to the result when the screen is short: first lines, and t for all of it.
    const room = rows - 1 - out.length - body.length - panel.length - footer.length - 3;
    const showWholeTask = this.panel === 'task';
    // Once the lesson passes, the task gives its room to what comes next.
    if (this.panel !== 'task' && this.verdict?.passed && this.phase === 'done') task = [];
    if (!showWholeTask && task.length > room) {
      // Short screen: as much of the task as fits, or only its heading.
      if (room >= 4) task = [...task.slice(0, room - 1), style.dim('  … t shows the whole task')];
      else {
        out.push(`${style.bold('Your task')}  ${style.dim('t shows it')}`, '');
        task = [];
      }
    }
    if (task.length) out.push(style.bold('Your task'), ...task, '');
    out.push(...body);
    if (panel.length) out.push('', ...panel);
    out.push(...footer);
    return out;
  }

  private composeVerdict(verdict: Verdict, width: number): string[] {
    const { style } = this;
    const out: string[] = [];
    for (const check of verdict.checks) out.push(fitCheckLine(check, style, width));
    const failed = verdict.checks.find((check) => check.status === 'failed');
    if (failed && this.panel !== 'wire' && this.panel !== 'timeline') {
      out.push('', ...formatFailure(failed, { style, width, lessonsDir: this.options.lessonsDir, cwd: this.options.workspace.root }).split('\n'));
    }
    out.push('', summaryLine(verdict, style, true));
    if (verdict.passed) {
      out.push('', style.green.bold(`✓ Lesson ${this.lesson.number} passed!`));
      const after = afterYouPass(this.lesson);
      if (after) out.push('', style.bold('What you learned'), renderMarkdown(after, { style, width }));
      if (this.reference) out.push('', `Reference solution: ${fileLink(style.cyan(this.shown(this.reference)), this.reference, this.links)}`);
      const following = lessonAfter(this.options.lessons, this.lesson);
      out.push(following ? style.bold(`Press n for lesson ${following.number}: ${following.title}`) : style.bold('That was the last lesson. Well done!'));
      if (existsSync(join(this.lesson.dir, 'quiz.md'))) {
        const taken = progressOf(this.options.workspace.state, this.lesson.id).quiz;
        out.push(taken ? `Quiz ${taken.correct}/${taken.total}: press ${style.bold('c')} to take it again.` : `Press ${style.bold('c')} to check your understanding: a few questions on what Node did, and why.`);
      }
    }
    return out;
  }

  private composePanel(width: number): string[] {
    const { style } = this;
    if (this.panel === 'hint') {
      const hints = lessonHints(this.lesson);
      const seen = Math.min(progressOf(this.options.workspace.state, this.lesson.id).hintsShown, hints.length);
      if (seen === 0) return [];
      const more = seen < hints.length ? style.dim('  (h again for the next)') : style.dim('  (the last one)');
      return [style.bold.yellow(`Hint ${seen} of ${hints.length}`) + more, renderMarkdown(hints[seen - 1], { style, width: width - 2, indent: '  ' })];
    }
    if (this.panel === 'wire') {
      const failed = this.verdict?.checks.find((check) => check.status === 'failed');
      if (!failed) return [];
      const tryIt = this.reproductions.get(failed.id);
      return [style.bold(`Wire: ${failed.title}`) + style.dim('  (w hides it)'), formatWire(failed.wire), ...(tryIt ? ['', ...formatTryIt(tryIt, style, width)] : [])];
    }
    if (this.panel === 'timeline') {
      const checks = timelineChecks(this.verdict?.checks ?? []);
      const check = checks[this.timelineIndex];
      if (!check) return [];
      const more = this.timelineIndex + 1 < checks.length ? `i shows the next (${this.timelineIndex + 1} of ${checks.length})` : checks.length > 1 ? `i hides it (${checks.length} of ${checks.length})` : 'i hides it';
      return [formatTimeline(check, width, style), style.dim(`  (${more})`)];
    }
    if (this.panel === 'task') {
      const body = lessonTask(this.lesson);
      return body ? [] : [style.dim(`This lesson has no "Your task" section; ${this.options.self} read ${this.lesson.number} shows all of it.`)];
    }
    return [];
  }

  private composeFooter(width: number): string[] {
    const { style } = this;
    const passed = this.options.workspace.state.lessons[this.lesson.id]?.passed;
    const keys = [
      ['h', 'hint'],
      ['w', 'wire'],
      ['i', 'timeline'],
      ['l', 'lessons'],
      ['r', 're-run'],
      ['t', 'task'],
      ...(passed ? [['n', 'next'], ['c', 'quiz']] : []),
      ...(this.classroom.joined ? [['a', 'ask for help']] : []),
      ['q', 'quit'],
    ].map(([key, label]) => `${style.bold(key)} ${label}`);
    // Too many keys for one line (n, c, a shown): i goes first; the "Keys:" message still names it.
    if (visibleLength(keys.join(style.dim(' · '))) > width) keys.splice(2, 1);
    const out = [''];
    const classroom = this.classroom.statusLine();
    if (classroom) out.push(style.cyan(wrap(classroom, width)));
    if (this.message) out.push(style.yellow(wrap(this.message, width)));
    // With every key shown (n, c, a) the wide separator would wrap at 80 columns.
    const wide = keys.join(style.dim('  ·  '));
    out.push(style.dim('─'.repeat(width)), visibleLength(wide) <= width ? wide : keys.join(style.dim(' · ')));
    return out;
  }

  private composeList(): string[] {
    const { style } = this;
    const { workspace, lessons } = this.options;
    return lessons.map((lesson, index) => {
      const status = lessonStatus(workspace, lesson);
      const mark = status === 'passed' ? style.green('✓') : status === 'failed' ? style.red('✗') : status === 'opened' ? '•' : ' ';
      const line = `${mark} ${String(lesson.number).padStart(2, '0')}  ${lesson.title}${lesson.id === this.lesson.id ? style.dim('  (current)') : ''}`;
      return index === this.listIndex ? `${style.bold.cyan('›')} ${style.inverse(stripAnsi(line))}` : `  ${line}`;
    });
  }
}

/** A check line that fits the width: the title gives way (with …) to the pitfall's name. */
function fitCheckLine(check: CheckResult, style: ChalkInstance, width: number): string {
  const line = checkLine(check, style);
  if (visibleLength(line) <= width) return line;
  const tagLength = check.status === 'failed' && check.pitfall ? check.pitfall.length + 2 : 0;
  const room = Math.max(10, width - 4 - tagLength - 1);
  return checkLine({ ...check, title: `${check.title.slice(0, room - 1)}…` }, style);
}

function oneLine(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  return message.split('\n')[0];
}
