// Small terminal helpers shared by the commands and the watch screen.

import { pathToFileURL } from 'node:url';
import type { Lesson } from '../course/lessons.js';

/**
 * Whether the terminal turns OSC 8 escape sequences into clickable links. No
 * colour means no escape codes at all; otherwise the terminals known to
 * support them (the supports-hyperlinks heuristics), or FORCE_HYPERLINK=1.
 */
export function supportsHyperlinks(stream: NodeJS.WriteStream = process.stdout): boolean {
  const env = process.env;
  if (env.FORCE_HYPERLINK !== undefined) return env.FORCE_HYPERLINK !== '0';
  if (!stream.isTTY || (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.TERM === 'dumb') return false;
  if (env.TMUX || env.STY) return false; // multiplexers pass them on only when configured to
  if (env.WT_SESSION || env.KITTY_WINDOW_ID || env.WEZTERM_PANE || env.KONSOLE_VERSION || env.DOMTERM) return true;
  if (['iTerm.app', 'WezTerm', 'vscode', 'ghostty', 'Hyper', 'Tabby', 'rio'].includes(env.TERM_PROGRAM ?? '')) return true;
  if (env.TERM === 'xterm-kitty' || env.TERM === 'xterm-ghostty' || env.TERM === 'alacritty' || env.TERM === 'foot') return true;
  if (env.VTE_VERSION && Number(env.VTE_VERSION) >= 5000) return true;
  return false;
}

/** `text`, clickable to open `file` where the terminal supports it. */
export function fileLink(text: string, file: string, enabled: boolean): string {
  if (!enabled) return text;
  return `\u001B]8;;${pathToFileURL(file).href}\u0007${text}\u001B]8;;\u0007`;
}

/** `██████░░░░  4/15` */
export function progressBar(passed: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.round((passed / total) * width) : 0;
  return `${'█'.repeat(filled)}${'░'.repeat(Math.max(0, width - filled))}  ${passed}/${total}`;
}

export function lessonLabel(lesson: Lesson): string {
  return `${String(lesson.number).padStart(2, '0')} ${lesson.title}`;
}

/** Visible width of a string: escape sequences (colour, links) take no room. */
export function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return [...text.replace(/\u001B\]8;;[^\u0007]*\u0007/g, '').replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '')].length;
}

/** Removes every escape sequence (for tests and plain output). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001B\]8;;[^\u0007]*\u0007/g, '').replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');
}
