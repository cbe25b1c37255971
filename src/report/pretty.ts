// The verdict for a person: a line per check, then the first failure in full.
// Every failure answers, in order: what we sent and what came back (the
// message), the pitfall's name, the learner's line with the code under it, why
// Node behaves so, the fix, and where to read more (DESIGN.md, "Diagnoses").

import { existsSync, readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import type { ChalkInstance } from 'chalk';
import { loadPitfall } from '../course/pitfalls.js';
import type { Location } from '../engine/probe-events.js';
import type { CheckResult, Reproduction, Verdict } from '../engine/verdict.js';
import { shownCommand } from './reproduce.js';
import { formatWire } from './wire.js';
import { wrap } from './style.js';

export interface PrettyOptions {
  style: ChalkInstance;
  width: number;
  lessonsDir: string;
  /** Show the wire transcript of every failed check. */
  wire?: boolean;
  /** Paths are shown relative to this folder. */
  cwd?: string;
  /**
   * The learner's file as verify read it (Verdict.source): its code frame quotes
   * this, not the file as it is now, which a save since may have changed.
   */
  source?: VerifiedSource;
}

export interface VerifiedSource {
  file: string;
  text: string;
}

export function checkLine(check: CheckResult, style: ChalkInstance): string {
  const mark = check.status === 'passed' ? style.green('✓') : check.status === 'failed' ? style.red('✗') : style.dim('-');
  const title = check.status === 'skipped' ? style.dim(check.title) : check.title;
  const tag = check.status === 'failed' && check.pitfall ? `  ${style.red(check.pitfall)}` : '';
  return `  ${mark} ${title}${tag}`;
}

export function formatVerdict(verdict: Verdict, options: PrettyOptions): string {
  const { style } = options;
  const out: string[] = [];
  const shownFile = displayPath(verdict.file, options.cwd);
  out.push(`${style.bold(verdict.lesson)}  ${style.dim(shownFile)}`, '');
  for (const check of verdict.checks) out.push(checkLine(check, style));
  const failed = verdict.checks.filter((check) => check.status === 'failed');
  if (failed.length > 0) {
    const source = options.source ?? (verdict.source === undefined ? undefined : { file: verdict.file, text: verdict.source });
    out.push('', formatFailure(failed[0], { ...options, source }));
    if (options.wire) {
      for (const check of failed) {
        out.push('', style.bold(`Wire: ${check.title}`), formatWire(check.wire));
      }
    }
  }
  out.push('', summaryLine(verdict, style, options.wire ?? false));
  // Why the rest did not run (a hang every later check would repeat, a server
  // that never listened): said once, or "- title" alone looks like a glitch.
  const skippedReason = verdict.checks.find((check) => check.status === 'skipped' && check.message)?.message;
  if (skippedReason && !verdict.passed) out.push(style.dim(wrap(`Skipped: ${skippedReason.replace(/^not run: /, '')}.`, options.width)));
  return out.join('\n');
}

export function summaryLine(verdict: Verdict, style: ChalkInstance, wireShown: boolean): string {
  const failed = verdict.checks.filter((check) => check.status === 'failed').length;
  const passed = verdict.checks.filter((check) => check.status === 'passed').length;
  const skipped = verdict.checks.length - failed - passed;
  const seconds = `${(verdict.durationMs / 1000).toFixed(1)} s`;
  if (verdict.passed) return style.green.bold(`All ${passed} checks passed`) + style.dim(` (${seconds}).`);
  const parts = [`${failed} failed`, `${passed} passed`, ...(skipped ? [`${skipped} skipped`] : [])];
  const hint = wireShown ? '' : ` Add --wire to see the bytes on the wire.`;
  return style.red.bold(parts.join(', ')) + style.dim(` (${seconds}).${hint}`);
}

export function formatFailure(check: CheckResult, options: PrettyOptions): string {
  const { style, width } = options;
  const pitfall = check.pitfall ? loadPitfall(options.lessonsDir, check.pitfall) : null;
  const out: string[] = [];
  const heading = pitfall ? `${pitfall.title}` : (check.pitfall ?? 'failed');
  out.push(style.red.bold(`✗ ${check.title}`));
  out.push(`  ${style.bold(heading)} ${style.dim(`(${check.pitfall})`)}`);
  out.push('');
  if (check.message) out.push(indent(wrap(check.message, width - 4), '  '));
  if (check.error && !check.message?.includes(check.error.message)) {
    out.push(indent(`${check.error.name}${check.error.code ? ` [${check.error.code}]` : ''}: ${check.error.message}`, '  '));
  }
  if (check.location) {
    out.push('', ...codeFrame(check.location, style, options.cwd, options.source));
  } else if (check.stderrTail) {
    out.push('', style.dim('  Your program wrote to stderr:'), indent(check.stderrTail.split('\n').slice(-6).join('\n'), '  │ '));
  }
  if (pitfall?.why) out.push('', labelled('Why', pitfall.why, style, width));
  if (pitfall?.fix) out.push('', labelled('Fix', pitfall.fix, style, width));
  if (check.reproduce) out.push('', ...formatTryIt(check.reproduce, style, width));
  // The docs URL gets a line of its own: URLs cannot wrap, and at 80 columns they would.
  out.push('', `  ${style.bold('More')}  httpdojo explain ${check.pitfall}`);
  if (pitfall?.docs) out.push(`        ${style.cyan(pitfall.docs)}`);
  return out.join('\n');
}

/**
 * "Try it": the note wrapped, the command on lines of its own, unwrapped, so it
 * pastes whole (issue 12 §3). A long one-liner is shown as its `httpdojo replay`.
 */
export function formatTryIt(reproduction: Reproduction, style: ChalkInstance, width: number, maxCommand?: number): string[] {
  const { command, note } = shownCommand(reproduction, maxCommand);
  return [labelled('Try', note, style, width), `        ${style.cyan(command)}`];
}

function labelled(label: string, text: string, style: ChalkInstance, width: number): string {
  const body = wrap(stripMarkdown(text), width - 8, '');
  const [first, ...rest] = body.split('\n');
  return [`  ${style.bold(label.padEnd(4))}  ${first}`, ...rest.map((line) => `        ${line}`)].join('\n');
}

/** Inline Markdown to plain text: `code` keeps its backticks off, **bold** loses the stars. */
function stripMarkdown(text: string): string {
  return text
    .replace(/```[\s\S]*?```/g, '')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/\[(.+?)\]\((.+?)\)/g, '$1 ($2)')
    // Pages are hard-wrapped Markdown: a single newline is a space, a blank line a break.
    .replace(/([^\n])\n(?!\n)/g, '$1 ')
    .replace(/\n{2,}/g, '\n')
    .replace(/`([^`\n]+)`/g, '$1')
    .trim();
}

/**
 * The learner's line with one line of context each side and a caret under the
 * column: from the text verify read when it is the same file, else from disk.
 */
export function codeFrame(location: Location, style: ChalkInstance, cwd?: string, source?: VerifiedSource): string[] {
  const header = `  ${style.cyan(`${displayPath(location.file, cwd)}:${location.line}:${location.column}`)}`;
  const verified = source && source.file === location.file ? source.text : null;
  if (verified === null && !existsSync(location.file)) return [header];
  const lines = (verified ?? readFileSync(location.file, 'utf8')).split('\n');
  const first = Math.max(1, location.line - 1);
  const last = Math.min(lines.length, location.line + 1);
  const gutter = String(last).length;
  const out = [header];
  for (let n = first; n <= last; n++) {
    const code = (lines[n - 1] ?? '').replace(/\t/g, '  ').replace(/\r$/, '');
    const marker = n === location.line ? style.red('>') : ' ';
    const number = n === location.line ? style.bold(String(n).padStart(gutter)) : style.dim(String(n).padStart(gutter));
    out.push(`  ${marker} ${number} │ ${code}`);
    if (n === location.line) out.push(`    ${' '.repeat(gutter)} │ ${' '.repeat(Math.max(0, location.column - 1))}${style.red('^')}`);
  }
  return out;
}

export function displayPath(file: string, cwd = process.cwd()): string {
  const shown = relative(cwd, file);
  return shown && !shown.startsWith('..') ? shown : file.length > 60 ? `…/${basename(file)}` : file;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}
