// httpdojo read [lesson]
// The lesson rendered for a terminal. In a workspace it also opens the lesson:
// its file is created from the starter if it does not exist yet, and it becomes
// the current lesson (what `verify`, `hint` and the watch screen work on).

import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { columns, styleFor } from '../../report/style.js';
import { afterYouPass, lessonReadable } from '../../ui/lesson-text.js';
import { renderMarkdown } from '../../ui/markdown.js';
import { openLesson } from '../../workspace/workspace.js';
import { learnerFile } from '../../workspace/locate.js';
import { EXIT } from '../exit-codes.js';
import { learnerContext, pickLesson, selfCommand } from '../workspace-context.js';
import type { OptionsOf } from '../options.js';

export async function run([name]: string[], flags: OptionsOf<'read'>): Promise<number> {
  const context = learnerContext(flags);
  const lesson = pickLesson(context, name || undefined);
  const style = styleFor(process.stdout);
  const width = Math.min(columns(), 100);
  const { workspace } = context;
  const out: string[] = [];
  out.push(style.dim(`Lesson ${lesson.number} of ${context.lessons.length} · ${lesson.kind}`), '');
  out.push(renderMarkdown(lessonReadable(lesson), { style, width }));
  const passed = workspace?.state.lessons[lesson.id]?.passed ?? false;
  const after = afterYouPass(lesson);
  if (passed && after) out.push('', style.bold.green('After you pass'), '', renderMarkdown(after, { style, width }));

  out.push('', style.dim('─'.repeat(Math.min(width, 60))));
  const self = selfCommand();
  if (workspace) {
    const opened = await openLesson(workspace, lesson);
    const shown = relative(process.cwd(), opened.file) || opened.file;
    out.push(`Your file: ${style.cyan(shown)}${opened.created ? style.dim(' (created from the starter)') : ''}`);
    out.push(`Check it: ${style.bold(`${self} verify`)}   Stuck: ${style.bold(`${self} hint`)}   Try it: ${style.bold(`${self} run`)}`);
  } else {
    const { file } = learnerFile(lesson, { workspace: null });
    out.push(file && existsSync(file) ? `Your file: ${style.cyan(relative(process.cwd(), file))}` : `No workspace here. Start one: ${style.bold(`${self} init my-httpdojo --lang js`)}`);
    out.push(`Check a file: ${style.bold(`${self} verify ${lesson.number} --file ${lesson.fileStem}.js`)}`);
  }
  process.stdout.write(out.join('\n') + '\n');
  return EXIT.ok;
}
