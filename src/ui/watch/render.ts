// The watch screen drawn from its state, and nothing else: no I/O, no timers
// (the failure's code frame quotes the source the verdict carries). render(state)
// is the text written to the terminal; composeScreen(state) its lines, which the
// unit tests read (test/unit/watch-render.test.ts).
//
// The screen is redrawn whole; it never scrolls on its own when it fits the
// terminal, and clears the scrollback when it does not, so no stale copies pile up.

import { relative } from 'node:path';
import type { ChalkInstance } from 'chalk';
import type { CheckResult, Verdict } from '../../engine/verdict.js';
import { checkLine, formatFailure, formatTryIt, summaryLine } from '../../report/pretty.js';
import { wrap } from '../../report/style.js';
import { formatTimeline, timelineChecks } from '../../report/timeline.js';
import { formatWire } from '../../report/wire.js';
import { passedText } from '../../workspace/attempt.js';
import { renderMarkdown } from '../markdown.js';
import { fileLink, progressBar, stripAnsi, visibleLength } from '../terminal.js';
import { footerKeys } from './keys.js';
import type { ScreenState } from './model.js';

const LIST_HELP = '↑/↓ or a number, Enter opens the lesson, Esc goes back';

/** The text that redraws the terminal: over the old screen when it fits, else after clearing it and its scrollback. */
export function render(state: ScreenState): string {
  const lines = composeScreen(state).flatMap((line) => line.split('\n'));
  const height = lines.reduce((sum, line) => sum + Math.max(1, Math.ceil(visibleLength(line) / state.columns)), 0);
  // Fits: draw over the old screen line by line, no flicker.
  if (height < state.rows) return `\u001B[H${lines.map((line) => `${line}\u001B[K`).join('\r\n')}\u001B[J`;
  // Too tall: clear the screen and its scrollback, then let it scroll.
  return `\u001B[H\u001B[2J\u001B[3J${lines.join('\r\n')}`;
}

/** The width the screen's text is laid out for. */
export function screenWidth(columns: number): number {
  return Math.max(40, Math.min(columns || 80, 120));
}

export function shown(state: Pick<ScreenState, 'root'>, file: string): string {
  return relative(state.root, file) || file;
}

export function composeScreen(state: ScreenState): string[] {
  const { style } = state;
  const width = screenWidth(state.columns);
  const out = header(state, width);
  if (state.panel === 'list') return [...out, ...composeList(state), '', style.dim(LIST_HELP)];

  const body: string[] = [];
  if (state.phase === 'idle') {
    body.push(style.dim(`Save ${shown(state, state.file)} to check it, or press r.`));
  } else if (state.phase === 'checking') {
    body.push(style.dim(`Checking ${shown(state, state.file)} …`));
    for (const check of state.live) body.push(fitCheckLine(check, style, width));
    if (state.liveTotal) body.push(style.dim(`  ${state.live.length}/${state.liveTotal}`));
  } else if (state.phase === 'error') {
    body.push(style.red(wrap(`✗ ${state.error}`, width, '  ')));
  } else if (state.verdict) {
    body.push(...composeVerdict(state, state.verdict, width));
  }

  const panel = composePanel(state, width);
  const footer = composeFooter(state, width);
  let task = state.texts.task ? renderMarkdown(state.texts.task, { style, width: width - 2, indent: '  ' }).split('\n') : [];
  // The task gives way to the result when the screen is short: first lines, and t for all of it.
  const room = state.rows - 1 - out.length - body.length - panel.length - footer.length - 3;
  const showWholeTask = state.panel === 'task';
  // Once the lesson passes, the task gives its room to what comes next.
  if (state.panel !== 'task' && state.verdict?.passed && state.phase === 'done') task = [];
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

/** The title and progress bar, the file to edit, a rule. */
function header(state: ScreenState, width: number): string[] {
  const { style, lesson } = state;
  const out: string[] = [];
  const title = `${style.bold('httpdojo')}  Lesson ${lesson.number} of ${state.lessonCount} · ${style.bold(lesson.title)}`;
  const bar = progressBar(state.passedCount, state.lessonCount, 12);
  const gap = width - visibleLength(title) - bar.length - 1;
  if (gap >= 2) out.push(`${title}${' '.repeat(gap)}${style.green(bar)}`);
  else out.push(title, style.green(bar));
  const fileText = fileLink(style.cyan(shown(state, state.file)), state.file, state.links);
  out.push(`Edit ${fileText}${style.dim(' · every save runs the checks')}`);
  out.push(style.dim('─'.repeat(width)));
  return out;
}

function composeVerdict(state: ScreenState, verdict: Verdict, width: number): string[] {
  const { style, lesson } = state;
  const out: string[] = [];
  for (const check of verdict.checks) out.push(fitCheckLine(check, style, width));
  const failed = verdict.checks.find((check) => check.status === 'failed');
  if (failed && state.panel !== 'wire' && state.panel !== 'timeline') {
    // The code frame quotes the file as verify read it (Verdict.source), not as a save since left it.
    const source = verdict.source === undefined ? undefined : { file: verdict.file, text: verdict.source };
    out.push('', ...formatFailure(failed, { style, width, lessonsDir: state.lessonsDir, cwd: state.root, source }).split('\n'));
  }
  out.push('', summaryLine(verdict, style, true));
  if (verdict.passed) {
    const show = (file: string) => fileLink(style.cyan(shown(state, file)), file, state.links);
    const text = passedText(lesson, state.reference, { on: 'screen', style, following: state.following, show });
    out.push('', text.headline);
    if (state.texts.after) out.push('', style.bold('What you learned'), renderMarkdown(state.texts.after, { style, width }));
    if (text.reference) out.push('', text.reference);
    out.push(text.next);
    if (state.texts.hasQuiz) {
      const taken = state.progress.quiz;
      out.push(taken ? `Quiz ${taken.correct}/${taken.total}: press ${style.bold('c')} to take it again.` : `Press ${style.bold('c')} to check your understanding: a few questions on what Node did, and why.`);
    }
  }
  return out;
}

function composePanel(state: ScreenState, width: number): string[] {
  const { style } = state;
  if (state.panel === 'hint') {
    const { hints } = state.texts;
    const seen = Math.min(state.progress.hintsShown, hints.length);
    if (seen === 0) return [];
    const more = seen < hints.length ? style.dim('  (h again for the next)') : style.dim('  (the last one)');
    return [style.bold.yellow(`Hint ${seen} of ${hints.length}`) + more, renderMarkdown(hints[seen - 1], { style, width: width - 2, indent: '  ' })];
  }
  if (state.panel === 'wire') {
    const failed = state.verdict?.checks.find((check) => check.status === 'failed');
    if (!failed) return [];
    const tryIt = state.reproductions.get(failed.id);
    return [style.bold(`Wire: ${failed.title}`) + style.dim('  (w hides it)'), formatWire(failed.wire), ...(tryIt ? ['', ...formatTryIt(tryIt, style, width)] : [])];
  }
  if (state.panel === 'timeline') {
    const checks = timelineChecks(state.verdict?.checks ?? []);
    const index = state.timelineIndex;
    const check = checks[index];
    if (!check) return [];
    const more = index + 1 < checks.length ? `i shows the next (${index + 1} of ${checks.length})` : checks.length > 1 ? `i hides it (${checks.length} of ${checks.length})` : 'i hides it';
    return [formatTimeline(check, width, style), style.dim(`  (${more})`)];
  }
  if (state.panel === 'task' && !state.texts.task) {
    return [style.dim(`This lesson has no "Your task" section; ${state.self} read ${state.lesson.number} shows all of it.`)];
  }
  return [];
}

function composeFooter(state: ScreenState, width: number): string[] {
  const { style } = state;
  const shownKeys = footerKeys({ passed: state.progress.passed, joined: state.classroom.joined });
  let keys = shownKeys.map((binding) => `${style.bold(binding.keys[0])} ${binding.label}`);
  // Too many keys for one line (n, c, a shown): the first that may go goes; the "Keys:" message still names it.
  if (visibleLength(keys.join(style.dim(' · '))) > width) keys = keys.filter((_key, index) => !shownKeys[index].mayGo);
  const out = [''];
  if (state.classroom.status) out.push(style.cyan(wrap(state.classroom.status, width)));
  if (state.message) out.push(style.yellow(wrap(state.message, width)));
  // With every key shown (n, c, a) the wide separator would wrap at 80 columns.
  const wide = keys.join(style.dim('  ·  '));
  out.push(style.dim('─'.repeat(width)), visibleLength(wide) <= width ? wide : keys.join(style.dim(' · ')));
  return out;
}

function composeList(state: ScreenState): string[] {
  const { style } = state;
  return state.listRows.map(({ lesson, status }, index) => {
    const mark = status === 'passed' ? style.green('✓') : status === 'failed' ? style.red('✗') : status === 'opened' ? '•' : ' ';
    const line = `${mark} ${String(lesson.number).padStart(2, '0')}  ${lesson.title}${lesson.id === state.lesson.id ? style.dim('  (current)') : ''}`;
    return index === state.listIndex ? `${style.bold.cyan('›')} ${style.inverse(stripAnsi(line))}` : `  ${line}`;
  });
}

/** A check line that fits the width: the title gives way (with …) to the pitfall's name. */
function fitCheckLine(check: CheckResult, style: ChalkInstance, width: number): string {
  const line = checkLine(check, style);
  if (visibleLength(line) <= width) return line;
  const tagLength = check.status === 'failed' && check.pitfall ? check.pitfall.length + 2 : 0;
  const room = Math.max(10, width - 4 - tagLength - 1);
  return checkLine({ ...check, title: `${check.title.slice(0, room - 1)}…` }, style);
}
