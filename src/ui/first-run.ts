// The two questions of a first `httpdojo` in a terminal outside a workspace:
// the language and the folder. Ctrl-C rejects with ExitPromptError, which the
// CLI turns into a clean exit 130.

import { relative, resolve } from 'node:path';
import type { Language } from '../workspace/state.js';

export interface FirstRunAnswers {
  lang: Language;
  dir: string;
}

export async function askFirstRun(defaultDir: string, write: (text: string) => void): Promise<FirstRunAnswers> {
  const { input, select } = await import('@inquirer/prompts');
  write(
    [
      "Welcome to httpdojo. You will write real HTTP servers and clients with Node's",
      'built-in http module, and httpdojo will fire real requests at them and tell',
      'you precisely what went wrong, and why. First, two questions.',
      '',
    ].join('\n'),
  );
  const lang = await select<Language>({
    message: 'Which language will you write in?',
    choices: [
      { name: 'JavaScript', value: 'js', description: 'Plain .js files: nothing to compile.' },
      { name: 'TypeScript', value: 'ts', description: '.ts files, run as they are; editor types for node:http included.' },
    ],
  });
  const shownDefault = relative(process.cwd(), defaultDir) || '.';
  const answer = await input({
    message: 'Where should your workspace go?',
    default: shownDefault,
    validate: (value) => (value.trim() === '' ? 'A folder name, or . for this folder' : true),
  });
  return { lang, dir: resolve(answer.trim()) };
}
