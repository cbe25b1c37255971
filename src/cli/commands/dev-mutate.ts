// httpdojo dev check --mutate [--only 1,4] [--jobs n] [--json]
// Mutation testing of a course's checks: realistic mistakes generated from each
// lesson's solution (src/engine/mutate/), each verified like a learner's program.
// A mutant that passes every check survived: the checks would not catch that
// mistake. Exit 1 when a lesson has a survivor its check.ts header does not
// explain (`// mutant <id>: why it is harmless`) or its solution fails; else 0.

import { CourseError, loadCourse, resolveLesson, type Lesson } from '../../course/lessons.js';
import { killAllLearnerProcesses } from '../../engine/learner-process.js';
import { documentedSurvivors, mutateCourse, removeMutantDirs } from '../../engine/mutate/run.js';
import { lessonSummary, mutantLine, scoreTable } from '../../report/mutation.js';
import { style } from '../../report/style.js';
import { compiledChecksDir, lessonsDirFrom } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { OptionsOf } from '../options.js';

export type MutateFlags = OptionsOf<'dev'>;

export async function run(flags: MutateFlags): Promise<number> {
  const lessonsDir = lessonsDirFrom(flags);
  const jobs = flags.jobs === undefined ? 2 : Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 8) throw new CliError('--jobs takes a whole number from 1 to 8');
  let course: Lesson[];
  try {
    course = loadCourse(lessonsDir);
  } catch (error) {
    if (error instanceof CourseError) throw new CliError(`${error.message} (run \`httpdojo dev check\` first: it names the file to fix)`);
    throw error;
  }
  const lessons = flags.only ? flags.only.split(',').map((name) => resolveLesson(course, name)) : course;
  const started = performance.now();
  const onInterrupt = () => {
    killAllLearnerProcesses();
    removeMutantDirs();
    process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', onInterrupt);
  let reports;
  try {
    reports = await mutateCourse(lessons, {
      jobs,
      compiledChecksDir: compiledChecksDir(lessonsDir),
      onMutant: flags.json ? undefined : (result) => process.stdout.write(`${mutantLine(result)}\n`),
    });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  const seconds = (performance.now() - started) / 1000;
  const documented = new Map(lessons.map((lesson) => [lesson.id, documentedSurvivors(lesson)]));
  const unexplained = reports.flatMap((report) => report.mutants.filter((mutant) => mutant.status === 'survived' && !documented.get(report.lesson)?.has(mutant.id)));
  const broken = reports.filter((report) => report.solutionPassed === false);
  if (flags.json) {
    const lessonsOut = reports.map((report) => ({ ...report, documented: Object.fromEntries(documented.get(report.lesson) ?? []) }));
    process.stdout.write(`${JSON.stringify({ schema: 'httpdojo.mutation/1', durationMs: Math.round(seconds * 1000), jobs, lessons: lessonsOut })}\n`);
  } else {
    for (const report of reports) process.stdout.write(`\n${lessonSummary(report, documented.get(report.lesson) ?? new Map())}\n`);
    process.stdout.write(`\n${scoreTable(reports)}\n`);
    const verdict = unexplained.length || broken.length
      ? style.red.bold(`${unexplained.length} survivor${unexplained.length === 1 ? '' : 's'} without a check or an explanation${broken.length ? `, ${broken.length} solution${broken.length === 1 ? '' : 's'} failing` : ''}`)
      : style.green.bold('Every mutant is killed or explained');
    process.stdout.write(`\n${verdict} ${style.dim(`(${seconds.toFixed(1)} s, ${jobs} at a time)`)}\n`);
  }
  return unexplained.length || broken.length ? EXIT.failed : EXIT.ok;
}
