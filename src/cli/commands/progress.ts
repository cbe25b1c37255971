// httpdojo progress [--json]
// The workspace's progress: lessons passed, attempts, hints, and where the
// learner is.

import { relative } from 'node:path';
import { packageVersion } from '../../engine/version.js';
import { styleFor } from '../../report/style.js';
import { scoreText } from '../../ui/quiz-session.js';
import { progressBar } from '../../ui/terminal.js';
import { progressOf } from '../../workspace/state.js';
import { lessonFile } from '../../workspace/locate.js';
import { currentLesson, lessonStatus, passedCount } from '../../workspace/workspace.js';
import { EXIT, exitReportFor } from '../exit-codes.js';
import { learnerContext } from '../workspace-context.js';
import type { OptionsOf } from '../options.js';

export const PROGRESS_SCHEMA = 'httpdojo.progress/1';

export async function run(_args: string[], flags: OptionsOf<'progress'>): Promise<number> {
  try {
    return report(flags);
  } catch (error) {
    if (!flags.json) throw error;
    const failure = exitReportFor(error);
    process.stdout.write(JSON.stringify({ schema: PROGRESS_SCHEMA, error: { code: failure.code, message: failure.message }, version: packageVersion() }) + '\n');
    process.stderr.write(`httpdojo: ${failure.message}\n`);
    return failure.exitCode;
  }
}

function report(flags: OptionsOf<'progress'>): number {
  const context = learnerContext(flags, { requireWorkspace: true });
  const workspace = context.workspace!;
  const { lessons } = context;
  const current = currentLesson(workspace, lessons);
  const rows = lessons.map((lesson) => {
    const progress = progressOf(workspace.state, lesson.id);
    return {
      id: lesson.id,
      number: lesson.number,
      title: lesson.title,
      status: lessonStatus(workspace, lesson),
      current: current?.id === lesson.id,
      attempts: progress.attempts,
      hintsShown: progress.hintsShown,
      openedAt: progress.openedAt,
      passedAt: progress.passedAt,
      lastVerifiedAt: progress.lastVerifiedAt,
      // The last quiz (issue 14): {correct, total, best, attempts, missed, takenAt}, or null.
      quiz: progress.quiz ?? null,
      file: lessonFile(workspace, lesson),
    };
  });
  const passed = passedCount(workspace, lessons);
  if (flags.json) {
    const document = {
      schema: PROGRESS_SCHEMA,
      workspace: workspace.root,
      lang: workspace.state.lang,
      current: current?.id ?? null,
      passed,
      total: lessons.length,
      lessons: rows,
      version: packageVersion(),
    };
    process.stdout.write(JSON.stringify(document, null, 2) + '\n');
    return EXIT.ok;
  }
  const style = styleFor(process.stdout);
  const where = relative(process.cwd(), workspace.root) || '.';
  const out = [
    `${style.bold('httpdojo')} ${style.dim(`· ${where} · ${workspace.state.lang === 'ts' ? 'TypeScript' : 'JavaScript'}`)}`,
    `${style.green(progressBar(passed, lessons.length))} lessons passed`,
    '',
  ];
  const titleWidth = Math.min(30, Math.max(...rows.map((row) => row.title.length), 10));
  for (const row of rows) {
    const mark = row.status === 'passed' ? style.green('✓') : row.status === 'failed' ? style.red('✗') : row.status === 'opened' ? '•' : ' ';
    const details = [
      row.attempts ? `${row.attempts} ${row.attempts === 1 ? 'attempt' : 'attempts'}` : '',
      row.hintsShown ? `${row.hintsShown} ${row.hintsShown === 1 ? 'hint' : 'hints'}` : '',
      row.passedAt ? `passed ${row.passedAt.slice(0, 10)}` : '',
      row.quiz ? `quiz ${scoreText(row.quiz)}` : '',
    ].filter(Boolean).join(', ');
    const title = row.title.length > titleWidth ? `${row.title.slice(0, titleWidth - 1)}…` : row.title.padEnd(titleWidth);
    out.push(`${row.current ? style.bold('>') : ' '}${mark} ${String(row.number).padStart(2, '0')}  ${row.current ? style.bold(title) : title}  ${style.dim(details)}`);
  }
  process.stdout.write(out.join('\n') + '\n');
  return EXIT.ok;
}
