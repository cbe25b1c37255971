// httpdojo verify <lesson> [--file <path>] [--json] [--wire]   (VERDICT.md)

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCourse, resolveLesson } from '../../course/lessons.js';
import { killAllLearnerProcesses } from '../../engine/learner-process.js';
import { verify } from '../../engine/verify.js';
import { errorJson, verdictJson } from '../../report/verdict-json.js';
import { checkLine, formatVerdict } from '../../report/pretty.js';
import { columns, styleFor } from '../../report/style.js';
import { packageVersion } from '../../engine/version.js';
import { findLearnerFile } from '../../workspace/locate.js';
import { compiledChecksDir, lessonsDirFrom } from '../context.js';
import { CliError, EXIT, exitReportFor } from '../exit-codes.js';

interface VerifyFlags {
  lessons?: string;
  file?: string;
  json?: boolean;
  wire?: boolean;
}

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
  const lessonsDir = lessonsDirFrom(flags);
  const lesson = resolveLesson(loadCourse(lessonsDir), lessonName);
  const file = flags.file ? resolve(flags.file) : findLearnerFile(lesson, process.cwd());
  if (!file) throw new CliError(`no --file given and no ${lesson.fileStem}.js or ${lesson.fileStem}.ts for ${lesson.id} here; pass --file <path>`, 'missing-file');
  if (!existsSync(file)) throw new CliError(`no such file: ${file}`, 'missing-file');

  // Ctrl-C: stop the checks, kill the learner's program, then exit 130.
  const controller = new AbortController();
  const onInterrupt = (signal: NodeJS.Signals) => {
    controller.abort();
    killAllLearnerProcesses();
    process.exit(signal === 'SIGHUP' ? 129 : EXIT.interrupted);
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
    if (flags.json) process.stdout.write(verdictJson(verdict) + '\n');
    else process.stdout.write(formatVerdict(verdict, { style, width: columns(), lessonsDir, wire: flags.wire }) + '\n');
    return verdict.passed ? EXIT.ok : EXIT.failed;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
    process.off('SIGHUP', onInterrupt);
  }
}
