// The two questions of a first `httpdojo` in a terminal outside a workspace:
// the language and the folder. Ctrl-C rejects with ExitPromptError, which the
// CLI turns into a clean exit 130.

import { relative, resolve } from 'node:path';
import { expandTilde, tildePath } from '../cli/own-repository.js';
import type { Language } from '../workspace/state.js';

export interface FirstRunAnswers {
  lang: Language;
  dir: string;
}

/** `note`: printed before the questions (why the default folder is where it is). */
export async function askFirstRun(defaultDir: string, write: (text: string) => void, note?: string): Promise<FirstRunAnswers> {
  const { input, select } = await import('@inquirer/prompts');
  write(
    [
      "Welcome to httpdojo. You will write real HTTP servers and clients with Node's",
      'built-in http module, and httpdojo will fire real requests at them and tell',
      'you precisely what went wrong, and why. First, two questions.',
      '',
      ...(note ? [note, ''] : []),
    ].join('\n'),
  );
  const lang = await select<Language>({
    message: 'Which language will you write in?',
    choices: [
      { name: 'JavaScript', value: 'js', description: 'Plain .js files: nothing to compile.' },
      { name: 'TypeScript', value: 'ts', description: '.ts files, run as they are; editor types for node:http included.' },
    ],
  });
  // A folder outside this one reads better as ~/x than as ../../x.
  const nearby = relative(process.cwd(), defaultDir) || '.';
  const shownDefault = nearby.startsWith('..') ? tildePath(defaultDir) : nearby;
  const answer = await input({
    message: 'Where should your workspace go?',
    default: shownDefault,
    validate: (value) => (value.trim() === '' ? 'A folder name, or . for this folder' : true),
  });
  return { lang, dir: resolve(expandTilde(answer.trim())) };
}
