// `httpdojo` with no command.
//   in a workspace, in a terminal      -> the watch screen
//   outside one, in a terminal         -> two questions, a new workspace, the watch screen
//   without a terminal                 -> what to run, exit 0; never a question

import { relative } from 'node:path';
import { loadCourse } from '../../course/lessons.js';
import { styleFor } from '../../report/style.js';
import { progressBar } from '../../ui/terminal.js';
import { initWorkspace } from '../../workspace/init.js';
import { lessonFile } from '../../workspace/locate.js';
import { currentLesson, findWorkspaceRoot, passedCount } from '../../workspace/workspace.js';
import { lessonsDirFrom } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { ownRepositoryAround, runCommandFrom, tildePath, workspaceOutside } from '../own-repository.js';
import { interactive, learnerContext, selfCommand } from '../workspace-context.js';
import { defaultWorkspaceDir } from './init.js';
import { watchIn } from './watch.js';
import type { GlobalOptions } from '../options.js';

export async function run(_args: string[], flags: GlobalOptions): Promise<number> {
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

  // In httpdojo's own clone (the README's `npm start`), the workspace goes outside it.
  const repository = ownRepositoryAround(process.cwd());
  if (repository) return startInRepository(repository, flags);

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

/**
 * `httpdojo` inside its own repository: the same as elsewhere, but the workspace
 * is proposed outside the clone (~/httpdojo-workspace), the learner is told why,
 * and once it exists the same command opens it again without asking.
 */
async function startInRepository(repository: string, flags: GlobalOptions): Promise<number> {
  const style = styleFor(process.stdout);
  const outside = workspaceOutside(repository);
  const shownOutside = tildePath(outside);
  const exists = findWorkspaceRoot(outside) === outside;
  // `npm start` runs in the clone's root; say it only when that is how we were started.
  const again = process.env.npm_lifecycle_event === 'start' ? 'npm start' : runCommandFrom(process.cwd(), selfCommand());
  const there = runCommandFrom(outside, selfCommand());
  const cdThere = `cd ${/\s/.test(shownOutside) ? JSON.stringify(shownOutside) : shownOutside}`;

  if (!interactive()) {
    const here = runCommandFrom(process.cwd(), selfCommand());
    const out = [`${style.bold('httpdojo')}: learn Node's raw http module by writing real servers.`, ''];
    if (exists) {
      out.push(
        `Your workspace is ${style.bold(shownOutside)}; in a terminal, ${style.bold(again)} opens it.`,
        'Without one, check your file there (read and hint work the same way):',
        `  ${style.bold(`${cdThere} && ${there} verify`)}`,
      );
    } else {
      out.push(
        `This is httpdojo's own repository (${tildePath(repository)}), not a workspace.`,
        "Your work goes in a folder outside it, out of the clone's git status.",
        'Create one (no questions asked):',
        `  ${style.bold(`${here} init ${shownOutside} --lang js`)}    ${style.dim('(or --lang ts)')}`,
        `then run ${style.bold(again)} here in a terminal: it opens that workspace.`,
      );
    }
    out.push(`${here} --help lists every command.`);
    process.stdout.write(out.join('\n') + '\n');
    return EXIT.ok;
  }

  const farewellFor = (root: string) => {
    const shown = tildePath(root);
    const cd = `cd ${/\s/.test(shown) ? JSON.stringify(shown) : shown}`;
    return root === outside ? `Your workspace is ${shown}. To continue later: ${again} here, or ${cd} && ${there}` : `Your workspace is ${shown}. To continue later: ${cd} && ${runCommandFrom(root, selfCommand())}`;
  };
  if (exists) {
    const context = learnerContext(flags, { cwd: outside });
    return watchIn(context, undefined, farewellFor(outside), `Your workspace ${shownOutside} (outside httpdojo's own repository).`);
  }
  const { askFirstRun } = await import('../../ui/first-run.js');
  const note = [
    `You are in httpdojo's own repository (${tildePath(repository)}),`,
    "so your workspace goes outside it by default: your work stays out of the",
    "clone's git status and is not lost with it. Type . to put it here anyway.",
  ].join('\n');
  const answers = await askFirstRun(outside, (text) => process.stdout.write(text + '\n'), note);
  const lessonsDir = lessonsDirFrom(flags);
  const result = await initWorkspace({ dir: answers.dir, lang: answers.lang, lessonsDir: flags.lessons ? lessonsDir : null, lessons: loadCourse(lessonsDir) });
  const context = learnerContext(flags, { cwd: result.workspace.root });
  const file = result.opened ? relative(result.workspace.root, result.opened.file.file) : null;
  const ready = `Your workspace is ready in ${tildePath(result.workspace.root)}.${file ? ` Open ${file} in your editor: every save runs the checks.` : ''}`;
  return watchIn(context, undefined, farewellFor(result.workspace.root), [ready, ...result.notes].join(' '));
}
