// httpdojo list [--json]
// Each lesson with its status and the path of the learner's file: in a workspace
// the real one, elsewhere where it would be (`./<lesson-id>/<stem>.js`).

import { relative } from 'node:path';
import type { Lesson } from '../../course/lessons.js';
import { style } from '../../report/style.js';
import { learnerFile } from '../../workspace/locate.js';
import { lessonStatus, type LessonStatus, type Workspace } from '../../workspace/workspace.js';
import { EXIT } from '../exit-codes.js';
import { learnerContext, selfCommand } from '../workspace-context.js';
import type { OptionsOf } from '../options.js';

export interface LessonRow {
  id: string;
  number: number;
  title: string;
  kind: string;
  status: LessonStatus;
  current: boolean;
  file: string;
}

export function lessonRows(lessons: Lesson[], workspace: Workspace | null, cwd = process.cwd()): LessonRow[] {
  return lessons.map((lesson) => ({
    id: lesson.id,
    number: lesson.number,
    title: lesson.title,
    kind: lesson.kind,
    status: lessonStatus(workspace, lesson),
    current: workspace?.state.current === lesson.id,
    file: learnerFile(lesson, { workspace, cwd }).expected,
  }));
}

const MARKS: Record<LessonStatus, string> = { passed: '✓', failed: '✗', opened: '•', new: ' ' };

export async function run(_args: string[], flags: OptionsOf<'list'>): Promise<number> {
  const { lessons, workspace } = learnerContext(flags);
  const rows = lessonRows(lessons, workspace);
  if (flags.json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return EXIT.ok;
  }
  const base = workspace?.root ?? process.cwd();
  const titleWidth = Math.min(30, Math.max(...rows.map((row) => row.title.length), 10));
  for (const row of rows) {
    const mark = row.status === 'passed' ? style.green(MARKS.passed) : row.status === 'failed' ? style.red(MARKS.failed) : MARKS[row.status];
    const pointer = row.current ? style.bold('>') : ' ';
    const title = row.title.length > titleWidth ? `${row.title.slice(0, titleWidth - 1)}…` : row.title.padEnd(titleWidth);
    const shownFile = relative(base, row.file);
    process.stdout.write(`${pointer}${mark} ${style.bold(String(row.number).padStart(2, '0'))}  ${row.current ? style.bold(title) : title}  ${style.dim(shownFile)}\n`);
  }
  const self = selfCommand();
  if (workspace) process.stdout.write(style.dim(`\n  ✓ passed  ✗ failed  • opened  > current   (${rows.filter((row) => row.status === 'passed').length}/${rows.length} passed)`) + '\n');
  process.stdout.write(style.dim(`\n  ${self} read <n> shows a lesson; ${self} verify <n> checks your program.\n`));
  return EXIT.ok;
}
