// One chalk instance for all output. chalk follows FORCE_COLOR and the terminal
// but ignores NO_COLOR (https://no-color.org), so the level is set here.

import chalk, { Chalk, type ChalkInstance } from 'chalk';

function colorLevel(stream: NodeJS.WriteStream): 0 | 1 | 2 | 3 {
  const env = process.env;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '' && env.FORCE_COLOR === undefined) return 0;
  if (env.FORCE_COLOR !== undefined) return chalk.level || (env.FORCE_COLOR === '0' ? 0 : 1);
  return stream.isTTY ? chalk.level : 0;
}

export function styleFor(stream: NodeJS.WriteStream = process.stdout): ChalkInstance {
  return new Chalk({ level: colorLevel(stream) });
}

export const style = styleFor(process.stdout);

/** Terminal width for wrapping (80 when not a terminal). */
export function columns(stream: NodeJS.WriteStream = process.stdout): number {
  return Math.max(50, Math.min(stream.columns || 80, 120));
}

/** Greedy word wrap; each continuation line gets `indent`. */
export function wrap(text: string, width: number, indent = ''): string {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/ +/)) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = indent + word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out.join('\n');
}
