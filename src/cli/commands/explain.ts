// httpdojo explain [pitfall]

import { listPitfalls, requirePitfall } from '../../course/pitfalls.js';
import { style } from '../../report/style.js';
import { lessonsDirFrom } from '../context.js';
import { EXIT } from '../exit-codes.js';

export async function run([id]: string[], flags: { lessons?: string; demo?: boolean }): Promise<number> {
  const lessonsDir = lessonsDirFrom(flags);
  if (!id) {
    process.stdout.write(`Pitfalls (httpdojo explain <id>):\n${listPitfalls(lessonsDir).map((name) => `  ${name}`).join('\n')}\n`);
    return EXIT.ok;
  }
  const pitfall = requirePitfall(lessonsDir, id);
  if (flags.demo) {
    // The demo runner starts programs: loaded only when asked for.
    const { runDemoCommand } = await import('./explain-demo.js');
    return runDemoCommand(lessonsDir, pitfall);
  }
  const body = pitfall.body
    .replace(/^## (.+)$/gm, (_, heading: string) => style.bold(heading))
    .replace(/`([^`\n]+)`/g, (_, code: string) => style.cyan(code));
  process.stdout.write(`${style.bold.underline(pitfall.title)} ${style.dim(`(${pitfall.id})`)}\n\n${body.trim()}\n`);
  if (pitfall.docs) process.stdout.write(`\n${style.dim('Node docs:')} ${pitfall.docs}\n`);
  return EXIT.ok;
}
