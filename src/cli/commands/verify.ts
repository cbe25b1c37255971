// httpdojo verify <lesson> [--file <path>] [--json] [--wire] [--timeline]   (VERDICT.md)

import { existsSync } from 'node:fs';
import { resolveLesson } from '../../course/lessons.js';
import { killAllLearnerProcesses } from '../../engine/learner-process.js';
import { verify } from '../../engine/verify.js';
import type { Verdict } from '../../engine/verdict.js';
import type { ChalkInstance } from 'chalk';
import { errorJson, verdictJson } from '../../report/verdict-json.js';
import { checkLine, formatVerdict } from '../../report/pretty.js';
import { withReproductions } from '../reproductions.js';
import { columns, styleFor } from '../../report/style.js';
import { packageVersion } from '../../engine/version.js';
import { learnerFile } from '../../workspace/locate.js';
import { attempt, passedText } from '../../workspace/attempt.js';
import { compiledChecksDir } from '../context.js';
import { CliError, EXIT, exitReportFor } from '../exit-codes.js';
import { learnerContext, pickLesson, selfCommand } from '../workspace-context.js';
import type { OptionsOf } from '../options.js';

type VerifyFlags = OptionsOf<'verify'>;

export async function run([lessonName]: string[], flags: VerifyFlags): Promise<number> {
  try {
    return await verifyCommand(lessonName, flags);
  } catch (error) {
    if (!flags.json) throw error;
    // --json promises one document on stdout, errors included.
    const report = exitReportFor(error);
    process.stdout.write(errorJson(report.code, report.message, packageVersion()) + '\n');
    process.stderr.write(`httpdojo: ${report.message}\n`);
    return report.exitCode;
  }
}

async function verifyCommand(lessonName: string, flags: VerifyFlags): Promise<number> {
  // In a workspace: the lesson defaults to the current one, the file to the
  // workspace's, and the result is recorded (attempts, passed, timestamps).
  const context = learnerContext(flags);
  const { lessonsDir, workspace } = context;
  if (!lessonName && !workspace) throw new CliError(`missing required argument 'lesson' (outside a workspace, name it: ${selfCommand()} verify 1 --file server.js)`);
  const lesson = lessonName ? resolveLesson(context.lessons, lessonName) : pickLesson(context, undefined);
  const located = learnerFile(lesson, { workspace, file: flags.file });
  const { file } = located;
  if (!file) throw new CliError(`no --file given and no ${lesson.fileStem}.js or ${lesson.fileStem}.ts for ${lesson.id} here; pass --file <path>`, 'missing-file');
  if (!existsSync(file)) {
    const hint = located.inWorkspace ? ` (open the lesson first: ${selfCommand()} read ${lesson.number})` : '';
    throw new CliError(`no such file: ${file}${hint}`, 'missing-file');
  }

  // Ctrl-C: stop the checks, kill the learner's program, then exit 130.
  const controller = new AbortController();
  const onInterrupt = (signal: NodeJS.Signals) => {
    controller.abort();
    killAllLearnerProcesses();
    process.exit(signal === 'SIGHUP' ? EXIT.hangup : EXIT.interrupted);
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  // Closing the terminal sends SIGHUP, whose default action skips 'exit' handlers;
  // the learner runs in its own process group, so it would be left running.
  process.on('SIGHUP', onInterrupt);

  const live = !flags.json && process.stdout.isTTY;
  const style = styleFor(process.stdout);
  try {
    const verdict = await verify(lesson, file, {
      signal: controller.signal,
      compiledChecksDir: compiledChecksDir(lessonsDir),
      onCheck: live ? (result) => process.stderr.write(`${checkLine(result, styleFor(process.stderr))}\n`) : undefined,
    });
    // Issue 12 §3: a command per failed check that shows it again; its bytes kept for `httpdojo replay`.
    if (!controller.signal.aborted) withReproductions(verdict, lesson, workspace?.root ?? null, located.byDefault);
    // The workspace's own file: the attempt recorded, the reference solution written after a pass.
    const outcome = controller.signal.aborted
      ? null
      : await attempt(workspace, lesson, file, verdict, (progress) => {
          // The classroom (issue 11): a summary for the mentor's board, sent in the background.
          void import('../../workspace/classroom-outbox.js').then((classroom) => classroom.reportVerdict(workspace!.root, verdict, progress.attempts, progress.openedAt)).catch(() => {});
        });
    if (outcome?.error) {
      const { error } = outcome;
      process.stderr.write(`httpdojo: could not record the result in ${workspace!.root}/.httpdojo (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})\n`);
    }
    if (flags.json) process.stdout.write(verdictJson(verdict) + '\n');
    else {
      process.stdout.write(formatVerdict(verdict, { style, width: columns(), lessonsDir, wire: flags.wire }) + '\n');
      if (flags.timeline) process.stdout.write(await timelineText(verdict, style) + '\n');
      if (outcome?.workspaceFile && verdict.passed) {
        const text = passedText(lesson, outcome.reference, { on: 'command', style, self: selfCommand(), cwd: process.cwd() });
        process.stdout.write([`\n${text.headline}`, ...(text.reference ? [text.reference] : []), text.next].join('\n') + '\n');
      }
    }
    return verdict.passed ? EXIT.ok : EXIT.failed;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
    process.off('SIGHUP', onInterrupt);
  }
}

/** verify --timeline: when each piece left and arrived, per side (src/report/timeline.ts). */
async function timelineText(verdict: Verdict, style: ChalkInstance): Promise<string> {
  const { formatTimeline, timelineChecks } = await import('../../report/timeline.js');
  const checks = timelineChecks(verdict.checks);
  if (checks.length === 0) return `\n${style.dim('No check had a timeline to draw (each finished within a moment).')}`;
  return checks.map((check) => `\n${formatTimeline(check, columns(), style)}`).join('\n');
}
