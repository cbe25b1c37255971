// httpdojo watch [lesson]
// The watch screen (also what a bare `httpdojo` opens in a workspace). Needs a
// terminal; without one it says what to run instead.

import { runWatch } from '../../ui/watch.js';
import { compiledChecksDir } from '../context.js';
import { CliError } from '../exit-codes.js';
import { interactive, learnerContext, pickLesson, selfCommand, type LearnerContext } from '../workspace-context.js';
import type { OptionsOf } from '../options.js';

export async function run([name]: string[], flags: OptionsOf<'watch'>): Promise<number> {
  const self = selfCommand();
  if (!interactive()) {
    throw new CliError(`watch mode needs a terminal; without one use ${self} verify (and ${self} read, ${self} hint)`, 'not-a-terminal');
  }
  const context = learnerContext(flags, { requireWorkspace: true });
  return watchIn(context, name ? pickLesson(context, name) : undefined);
}

export async function watchIn(context: LearnerContext, lesson?: LearnerContext['lessons'][number], farewell?: string, notice?: string): Promise<number> {
  const code = await runWatch({
    workspace: context.workspace!,
    lessons: context.lessons,
    lessonsDir: context.lessonsDir,
    compiledChecksDir: compiledChecksDir(context.lessonsDir),
    self: selfCommand(),
    lesson,
    farewell,
    notice,
  });
  // Whatever the engine left scheduled, the learner asked to leave.
  process.exit(code);
}
