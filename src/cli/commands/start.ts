// `httpdojo` with no command.
//   in a workspace, in a terminal      -> the watch screen
//   outside one, in a terminal         -> two questions, a new workspace, the watch screen
//   without a terminal                 -> what to run, exit 0; never a question

import { relative } from 'node:path';
import { loadCourse } from '../../course/lessons.js';
import { styleFor } from '../../report/style.js';
import { progressBar } from '../../ui/terminal.js';
import { initWorkspace } from '../../workspace/init.js';
import { currentLesson, findWorkspaceRoot, lessonFile, passedCount } from '../../workspace/workspace.js';
import { lessonsDirFrom } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { interactive, learnerContext, selfCommand } from '../workspace-context.js';
import { defaultWorkspaceDir } from './init.js';
import { watchIn } from './watch.js';

export async function run(_args: string[], flags: { lessons?: string }): Promise<number> {
  const self = selfCommand();
  const style = styleFor(process.stdout);
  const root = findWorkspaceRoot(process.cwd());

  if (root) {
    const context = learnerContext(flags);
    if (interactive()) return watchIn(context);
    const workspace = context.workspace!;
    const lesson = currentLesson(workspace, context.lessons);
    const out = [
      `${style.bold('httpdojo')} workspace ${relative(process.cwd(), workspace.root) || '.'} (${workspace.state.lang === 'ts' ? 'TypeScript' : 'JavaScript'})  ${progressBar(passedCount(workspace, context.lessons), context.lessons.length, 12)} passed`,
    ];
    if (lesson) out.push(`Current lesson: ${lesson.number} ${style.bold(lesson.title)}  ${style.dim(relative(process.cwd(), lessonFile(workspace, lesson)))}`);
    out.push(
      '',
      `In a terminal, ${style.bold(self)} opens the watch screen. Without one:`,
      `  ${style.bold(`${self} read`)}       the lesson`,
      `  ${style.bold(`${self} verify`)}     check your file`,
      `  ${style.bold(`${self} hint`)}       the next hint`,
      `  ${style.bold(`${self} --help`)}     every command`,
    );
    process.stdout.write(out.join('\n') + '\n');
    return EXIT.ok;
  }

  if (!interactive()) {
    process.stdout.write(
      [
        `${style.bold('httpdojo')}: learn Node's raw http module by writing real servers.`,
        '',
        'There is no httpdojo workspace here. Create one (no questions asked):',
        `  ${style.bold(`${self} init my-httpdojo --lang js`)}    ${style.dim('(or --lang ts)')}`,
        `then ${style.bold('cd my-httpdojo')} and run ${style.bold(self)} in a terminal.`,
        `${self} --help lists every command.`,
      ].join('\n') + '\n',
    );
    return EXIT.ok;
  }

  const { askFirstRun } = await import('../../ui/first-run.js');
  const answers = await askFirstRun(defaultWorkspaceDir(), (text) => process.stdout.write(text + '\n'));
  const lessonsDir = lessonsDirFrom(flags);
  const result = await initWorkspace({ dir: answers.dir, lang: answers.lang, lessonsDir: flags.lessons ? lessonsDir : null, lessons: loadCourse(lessonsDir) });
  const context = learnerContext(flags, { cwd: result.workspace.root });
  const where = relative(process.cwd(), result.workspace.root);
  const farewell = where ? `Your workspace is ${where}. To continue later: cd ${/\s/.test(where) ? JSON.stringify(where) : where} && ${self}` : undefined;
  const file = result.opened ? relative(result.workspace.root, result.opened.file.file) : null;
  const ready = `Your workspace is ready${where ? ` in ${where}` : ''}.${file ? ` Open ${file} in your editor: every save runs the checks.` : ''}`;
  return watchIn(context, undefined, farewell, [ready, ...result.notes].join(' '));
}
