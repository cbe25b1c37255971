// `dev check --mutate` as text: a line per mutant as it finishes, then per
// lesson its score and each survivor as a small diff, then the score table.
// The JSON form is the engine's report as it is (src/engine/mutate/run.ts).

import type { LessonMutation, MutantResult } from '../engine/mutate/run.js';
import { style } from './style.js';

export function mutantLine(result: MutantResult): string {
  const where = style.dim(`${result.lesson} line ${result.line}`);
  switch (result.status) {
    case 'killed': {
      const first = result.failedChecks[0];
      const how = first ? `${first.id}${first.pitfall ? ` (${first.pitfall})` : ''}` : 'a failed check';
      return `  ${style.green('✓')} ${result.id} ${where} ${style.dim(`killed by ${how}${result.diagnosed ? '' : `, not as ${result.pitfall}`}`)}`;
    }
    case 'survived':
      return `  ${style.red('✗')} ${result.id} ${where} ${style.red('survived')}`;
    case 'error':
      return `  ${style.yellow('!')} ${result.id} ${where} ${style.yellow(`could not run: ${result.reason}`)}`;
    default:
      return `  ${style.dim('-')} ${result.id} ${where} ${style.dim(result.status === 'invalid' ? `does not compile (${result.reason})` : 'changes nothing observable (same JavaScript)')}`;
  }
}

export function percent(score: number | null): string {
  return score === null ? '–' : `${Math.floor(score * 100)} %`;
}

/** One lesson: its counts and score, then every survivor with its diff and, when documented, why it is harmless. */
export function lessonSummary(report: LessonMutation, documented: ReadonlyMap<string, string>): string {
  const c = report.counts;
  const diagnosed = report.mutants.filter((mutant) => mutant.status === 'killed' && mutant.diagnosed).length;
  const head = `${style.bold(report.lesson)}  ${c.killed + c.survived} run: ${c.killed} killed (${diagnosed} as the pitfall they model), ${c.survived} survived (score ${percent(report.score)})` +
    style.dim(` · ${c.invalid} not compiling · ${c.equivalent} equivalent${c.error ? ` · ${c.error} could not run` : ''}`);
  const lines = [head];
  if (!report.solution) lines.push(style.yellow('  no solution file: nothing to mutate'));
  if (report.solutionPassed === false) lines.push(style.red(`  the unchanged solution fails when run from a temp folder: the kills below mean nothing until it passes\n  ${report.solutionFailure}`));
  for (const survivor of report.mutants.filter((mutant) => mutant.status === 'survived')) {
    const why = documented.get(survivor.id);
    lines.push('', `  ${why ? style.yellow('documented') : style.red('survived')} ${style.bold(survivor.id)} (${survivor.pitfall}): ${survivor.description}`);
    if (why) lines.push(`    ${style.dim(`harmless: ${why}`)}`);
    for (const line of survivor.diff.split('\n')) lines.push(`    ${line.startsWith('+') && !line.startsWith('+++') ? style.green(line) : line.startsWith('-') && !line.startsWith('---') ? style.red(line) : style.dim(line)}`);
  }
  return lines.join('\n');
}

/** The score table (the README shows the same columns). */
export function scoreTable(reports: LessonMutation[]): string {
  const rows = [['lesson', 'mutants', 'killed', 'survived', 'not compiling', 'equivalent', 'score']];
  const total = { killed: 0, survived: 0, invalid: 0, equivalent: 0, error: 0, all: 0 };
  for (const report of reports) {
    const c = report.counts;
    const all = report.mutants.length;
    rows.push([report.lesson, String(all), String(c.killed), String(c.survived), String(c.invalid), String(c.equivalent), percent(report.score)]);
    for (const key of ['killed', 'survived', 'invalid', 'equivalent', 'error'] as const) total[key] += c[key];
    total.all += all;
  }
  if (reports.length > 1) {
    const judged = total.killed + total.survived;
    rows.push(['all', String(total.all), String(total.killed), String(total.survived), String(total.invalid), String(total.equivalent), percent(judged ? total.killed / judged : null)]);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row, index) => {
    const text = row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
    return index === 0 ? style.dim(text) : text;
  }).join('\n');
}
