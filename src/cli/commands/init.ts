// httpdojo init [dir] [--lang js|ts]   Creates a workspace; never asks anything.

import { readdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { loadCourse } from '../../course/lessons.js';
import { styleFor } from '../../report/style.js';
import { initWorkspace, type InitResult } from '../../workspace/init.js';
import type { Language } from '../../workspace/state.js';
import { lessonsDirFrom } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { ownRepositoryAround, runCommandFrom, tildePath, workspaceOutside } from '../own-repository.js';
import { selfCommand } from '../workspace-context.js';
import type { OptionsOf } from '../options.js';

export function parseLanguage(value: string | undefined): Language {
  const lang = (value ?? 'js').toLowerCase();
  if (lang === 'js' || lang === 'javascript') return 'js';
  if (lang === 'ts' || lang === 'typescript') return 'ts';
  throw new CliError(`--lang must be js or ts, not "${value}"`);
}

/** The current folder when it is empty (dotfiles aside), else ./httpdojo inside it. */
export function defaultWorkspaceDir(cwd = process.cwd()): string {
  try {
    return readdirSync(cwd).every((name) => name.startsWith('.')) ? cwd : resolve(cwd, 'httpdojo');
  } catch {
    return resolve(cwd, 'httpdojo');
  }
}

export async function run([dir]: string[], flags: OptionsOf<'init'>): Promise<number> {
  const lang = parseLanguage(flags.lang);
  const lessonsDir = resolve(lessonsDirFrom(flags));
  // No folder named, inside httpdojo's own clone: not into the clone (see own-repository.ts).
  const repository = dir ? null : ownRepositoryAround();
  const result = await initWorkspace({
    dir: dir ? resolve(dir) : repository ? workspaceOutside(repository) : defaultWorkspaceDir(),
    lang,
    lessonsDir: flags.lessons ? lessonsDir : null,
    lessons: loadCourse(lessonsDir),
  });
  if (repository) result.notes.push("Outside httpdojo's own repository, so your work stays out of its git status.");
  // From a clone nothing named httpdojo is on the PATH: name the clone's bin.
  process.stdout.write(describeInit(result, { self: repository ? runCommandFrom(result.workspace.root, selfCommand()) : undefined }) + '\n');
  return EXIT.ok;
}

export function describeInit(result: InitResult, options: { next?: boolean; self?: string } = {}): string {
  const style = styleFor(process.stdout);
  const { workspace } = result;
  const nearby = relative(process.cwd(), workspace.root) || '.';
  const where = nearby.startsWith('..') ? tildePath(workspace.root) : nearby;
  const language = workspace.state.lang === 'ts' ? 'TypeScript' : 'JavaScript';
  const out: string[] = [];
  out.push(result.existed ? `${style.bold(where)} is already an httpdojo workspace (${language}).` : `Created an httpdojo workspace in ${style.bold(where)} (${language}).`);
  if (result.opened) {
    const file = relative(workspace.root, result.opened.file.file);
    out.push('', `  Lesson ${result.opened.lesson.number}: ${style.bold(result.opened.lesson.title)}`, `  Your file: ${style.cyan(file)}`);
  }
  for (const note of result.notes) out.push('', `  ${style.yellow('!')} ${note}`);
  if (options.next !== false) {
    const self = options.self ?? selfCommand();
    const cd = where === '.' ? [] : [`cd ${/\s/.test(where) ? JSON.stringify(where) : where}`];
    out.push('', 'Next:');
    for (const line of cd) out.push(`  ${style.bold(line)}`);
    out.push(`  ${style.bold(self)}${' '.repeat(Math.max(1, 22 - self.length))}${style.dim('the lesson, checked again every time you save')}`);
    out.push(`  ${style.bold(`${self} read`)}${' '.repeat(Math.max(1, 17 - self.length))}${style.dim('or read it, edit the file, and run')} ${style.bold(`${self} verify`)}`);
  }
  return out.join('\n');
}
