// httpdojo hint [lesson] [--all]
// The next of the lesson's graduated hints (a nudge, a pointer, nearly the
// answer). In a workspace the number shown is remembered; elsewhere it starts at 1.

import { columns, styleFor, wrap } from '../../report/style.js';
import { lessonHints } from '../../ui/lesson-text.js';
import { renderMarkdown } from '../../ui/markdown.js';
import { progressOf } from '../../workspace/state.js';
import { updateProgress } from '../../workspace/workspace.js';
import { EXIT } from '../exit-codes.js';
import { learnerContext, pickLesson, selfCommand } from '../workspace-context.js';
import type { OptionsOf } from '../options.js';

export async function run([name]: string[], flags: OptionsOf<'hint'>): Promise<number> {
  const context = learnerContext(flags);
  const lesson = pickLesson(context, name || undefined);
  const style = styleFor(process.stdout);
  const width = Math.min(columns(), 100);
  const hints = lessonHints(lesson);
  if (hints.length === 0) {
    process.stdout.write(`Lesson ${lesson.number} (${lesson.title}) has no hints. ${selfCommand()} read ${lesson.number} shows the lesson again.\n`);
    return EXIT.ok;
  }
  const { workspace } = context;
  const seen = workspace ? progressOf(workspace.state, lesson.id).hintsShown : 0;
  const upTo = flags.all ? hints.length : Math.min(seen + 1, hints.length);
  const from = flags.all ? 1 : upTo;
  const out: string[] = [];
  for (let n = from; n <= upTo; n++) {
    out.push(style.bold(`Hint ${n} of ${hints.length}`) + style.dim(` · ${lesson.number} ${lesson.title}`), '', renderMarkdown(hints[n - 1], { style, width, indent: '  ' }), '');
  }
  const self = selfCommand();
  const note =
    upTo < hints.length
      ? workspace
        ? `${self} hint again shows the next one.`
        : `Outside a workspace httpdojo does not remember hints; ${self} hint ${lesson.number} --all shows them all.`
      : `That was the last hint. Once you pass, ${self} solution ${lesson.number} shows the reference solution.`;
  out.push(style.dim(wrap(note, width)));
  if (workspace && upTo > seen) updateProgress(workspace, lesson.id, (progress) => {
    progress.hintsShown = Math.max(progress.hintsShown, upTo);
  });
  process.stdout.write(out.join('\n') + '\n');
  return EXIT.ok;
}
