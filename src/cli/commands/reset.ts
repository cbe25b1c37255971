// httpdojo reset [lesson] [--yes]
// Puts the starter back in place of the learner's file, after copying the file
// to .httpdojo/backups/<lesson>/. Asks first in a terminal; --yes skips the question
// (and without a terminal, --yes is required).

import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { styleFor } from '../../report/style.js';
import { lessonFile } from '../../workspace/locate.js';
import { resetLesson } from '../../workspace/workspace.js';
import { CliError, EXIT } from '../exit-codes.js';
import { interactive, learnerContext, pickLesson, selfCommand } from '../workspace-context.js';
import type { OptionsOf } from '../options.js';

export async function run([name]: string[], flags: OptionsOf<'reset'>): Promise<number> {
  const context = learnerContext(flags, { requireWorkspace: true });
  const workspace = context.workspace!;
  const lesson = pickLesson(context, name || undefined);
  const file = lessonFile(workspace, lesson);
  const shown = relative(process.cwd(), file) || file;
  const self = selfCommand();
  if (existsSync(file) && !flags.yes) {
    if (!interactive()) throw new CliError(`this replaces ${shown} with the starter (a backup is kept); to go ahead: ${self} reset ${lesson.number} --yes`, 'needs-confirmation');
    const { confirm } = await import('@inquirer/prompts');
    const go = await confirm({ message: `Replace ${shown} with the starter? Your version is backed up first.`, default: false });
    if (!go) {
      process.stdout.write('Nothing changed.\n');
      return EXIT.ok;
    }
  }
  const result = await resetLesson(workspace, lesson);
  const style = styleFor(process.stdout);
  process.stdout.write(`${style.green('✓')} ${shown} is the starter again.\n`);
  if (result.backup) process.stdout.write(`  Your version is in ${style.cyan(relative(process.cwd(), result.backup) || result.backup)}\n`);
  return EXIT.ok;
}
