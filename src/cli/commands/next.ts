// httpdojo next
// Moves to the lesson after the current one, once the current one has passed,
// and creates its file from the starter.

import { relative } from 'node:path';
import { styleFor } from '../../report/style.js';
import { currentLesson, lessonAfter, openLesson } from '../../workspace/workspace.js';
import { CliError, EXIT } from '../exit-codes.js';
import { learnerContext, selfCommand } from '../workspace-context.js';
import type { OptionsOf } from '../options.js';

export async function run(_args: string[], flags: OptionsOf<'next'>): Promise<number> {
  const context = learnerContext(flags, { requireWorkspace: true });
  const workspace = context.workspace!;
  const self = selfCommand();
  const style = styleFor(process.stdout);
  const current = currentLesson(workspace, context.lessons);
  if (!current) throw new CliError('this course has no lessons');
  const following = lessonAfter(context.lessons, current);
  if (!workspace.state.lessons[current.id]?.passed) {
    throw new CliError(
      `lesson ${current.number} (${current.title}) has not passed yet: ${self} verify checks it${following ? `; to move on anyway: ${self} read ${following.number}` : ''}`,
      'not-passed',
    );
  }
  if (!following) {
    process.stdout.write(`${style.green.bold('You have finished the course.')} ${self} progress shows how it went.\n`);
    return EXIT.ok;
  }
  const opened = await openLesson(workspace, following);
  const shown = relative(process.cwd(), opened.file) || opened.file;
  process.stdout.write(
    [
      `Lesson ${following.number}: ${style.bold(following.title)}`,
      `  Your file: ${style.cyan(shown)}${opened.created ? style.dim(' (created from the starter)') : ''}`,
      `  Read it: ${style.bold(`${self} read`)}   Check it: ${style.bold(`${self} verify`)}   Or just: ${style.bold(self)}`,
    ].join('\n') + '\n',
  );
  return EXIT.ok;
}
