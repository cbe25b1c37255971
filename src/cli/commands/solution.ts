// httpdojo solution [lesson] [--yes] [--lang js|ts]
// The reference solution, in the learner's language. After a pass it is shown
// (and kept beside the learner's file); before, only when asked twice: a
// question in a terminal, or --yes.

import { relative } from 'node:path';
import { styleFor } from '../../report/style.js';
import { highlightCode } from '../../ui/highlight.js';
import { lessonSource, writeReferenceSolution } from '../../workspace/workspace.js';
import { CliError, EXIT } from '../exit-codes.js';
import { interactive, learnerContext, pickLesson, selfCommand } from '../workspace-context.js';
import { parseLanguage } from './init.js';
import type { OptionsOf } from '../options.js';

export async function run([name]: string[], flags: OptionsOf<'solution'>): Promise<number> {
  const context = learnerContext(flags);
  const lesson = pickLesson(context, name || undefined);
  const { workspace } = context;
  const passed = workspace?.state.lessons[lesson.id]?.passed ?? false;
  const self = selfCommand();
  if (!passed && !flags.yes) {
    const what = workspace ? `You have not passed lesson ${lesson.number} yet.` : `Outside a workspace httpdojo cannot tell whether you passed lesson ${lesson.number}.`;
    if (!interactive()) throw new CliError(`${what} To see its solution anyway: ${self} solution ${lesson.number} --yes`, 'not-passed');
    const { confirm } = await import('@inquirer/prompts');
    const go = await confirm({ message: `${what} Show the reference solution anyway?`, default: false });
    if (!go) {
      process.stdout.write(`Not shown. ${self} hint ${lesson.number} gives a smaller push.\n`);
      return EXIT.ok;
    }
  }
  const lang = flags.lang ? parseLanguage(flags.lang) : (workspace?.state.lang ?? 'js');
  const source = await lessonSource(lesson, 'solution', lang);
  if (source === null) throw new CliError(`lesson ${lesson.id} has no reference solution`, 'no-solution');
  const style = styleFor(process.stdout);
  const reference = workspace && passed && lang === workspace.state.lang ? await writeReferenceSolution(workspace, lesson) : null;
  const header = `${style.bold(`Reference solution · ${lesson.number} ${lesson.title}`)}${reference ? style.dim(`  (also in ${relative(process.cwd(), reference) || reference})`) : ''}`;
  process.stdout.write(`${header}\n\n${highlightCode(source.trimEnd(), style)}\n`);
  if (passed) process.stdout.write(style.dim(`\nOne way among several: ${self} read ${lesson.number} ends with other ways to write it.\n`));
  return EXIT.ok;
}
