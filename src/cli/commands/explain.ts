// httpdojo explain [pitfall]

import { listPitfalls, requirePitfall } from '../../course/pitfalls.js';
import { style } from '../../report/style.js';
import { lessonsDirFrom } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { OptionsOf } from '../options.js';

export async function run([id]: string[], flags: OptionsOf<'explain'>): Promise<number> {
  // In a workspace made for an instructor's course (init --lessons), that course's pages.
  const lessonsDir = flags.lessons ? lessonsDirFrom(flags) : (await import('../workspace-context.js')).learnerContext(flags).lessonsDir;
  if (!id) {
    // listDemos reads one folder: cheap enough for the listing.
    const { listDemos } = await import('../../engine/demo/scenario.js');
    const demos = new Set(listDemos(lessonsDir));
    const names = listPitfalls(lessonsDir).map((name) => `  ${name}${demos.has(name) ? style.dim('  (--demo)') : ''}`);
    process.stdout.write(`Pitfalls (httpdojo explain <id>; add --demo to run the ones marked):\n${names.join('\n')}\n`);
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
  const { loadDemo } = await import('../../engine/demo/scenario.js');
  if (safely(() => loadDemo(lessonsDir, id))) process.stdout.write(`${style.dim('See it happen:')} httpdojo explain ${id} --demo\n`);
  return EXIT.ok;
}

function safely<T>(load: () => T): T | null {
  try {
    return load();
  } catch {
    return null;
  }
}
