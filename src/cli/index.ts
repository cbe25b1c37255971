// The httpdojo command line. Commands are one declarative table; each command's
// module (and anything heavy it needs) is imported only when that command runs,
// so `--help`, `--version` and `list` start fast.

import { Command, Option } from 'commander';
import { CliError, EXIT, exitReportFor } from './exit-codes.js';
import { packageVersion } from '../engine/version.js';

interface CommandSpec {
  name: string;
  summary: string;
  args?: string[];
  options?: Array<[flags: string, description: string]>;
  example: string;
  load: () => Promise<{ run: (args: string[], options: Record<string, unknown>) => Promise<number> }>;
}

const COMMANDS: CommandSpec[] = [
  {
    name: 'init',
    summary: 'create a workspace (no questions asked)',
    args: ['[dir]'],
    options: [['--lang <js|ts>', 'the language you write in (default: js)']],
    example: 'httpdojo init my-httpdojo --lang ts',
    load: () => import('./commands/init.js'),
  },
  {
    name: 'watch',
    summary: 'the lesson, checked again on every save',
    args: ['[lesson]'],
    example: 'httpdojo watch 3',
    load: () => import('./commands/watch.js'),
  },
  {
    name: 'read',
    summary: 'show a lesson (in a workspace, open it)',
    args: ['[lesson]'],
    example: 'httpdojo read 2',
    load: () => import('./commands/read.js'),
  },
  {
    name: 'verify',
    summary: 'run a lesson\'s checks against your program',
    args: ['[lesson]'],
    options: [
      ['--file <path>', 'the program to check (default: the lesson\'s file in this workspace)'],
      ['--json', 'print exactly one JSON verdict on stdout (see VERDICT.md)'],
      ['--wire', 'show the bytes each way for failed checks'],
      ['--timeline', 'draw when each piece left and arrived on each side (failed checks, else the timed ones)'],
    ],
    example: 'httpdojo verify 1 --file server.js',
    load: () => import('./commands/verify.js'),
  },
  {
    name: 'hint',
    summary: 'the next hint for a lesson (three, graduated)',
    args: ['[lesson]'],
    options: [['--all', 'show every hint at once']],
    example: 'httpdojo hint 1',
    load: () => import('./commands/hint.js'),
  },
  {
    name: 'solution',
    summary: 'the reference solution (once you pass)',
    args: ['[lesson]'],
    options: [
      ['--yes', 'show it even though the lesson has not passed'],
      ['--lang <js|ts>', 'the language to show it in (default: the workspace\'s, else js)'],
    ],
    example: 'httpdojo solution 1',
    load: () => import('./commands/solution.js'),
  },
  {
    name: 'reset',
    summary: 'restore the starter (after a backup)',
    args: ['[lesson]'],
    options: [['--yes', 'do not ask (needed without a terminal)']],
    example: 'httpdojo reset 2 --yes',
    load: () => import('./commands/reset.js'),
  },
  {
    name: 'run',
    summary: 'start your program to try it with curl',
    args: ['[lesson]', '[args...]'],
    options: [['--file <path>', 'the program to run (default: the lesson\'s file in this workspace)']],
    example: 'httpdojo run 1        # then, in another terminal: curl -i http://localhost:3000/',
    load: () => import('./commands/run.js'),
  },
  {
    name: 'replay',
    summary: 'send a failed check\'s exact bytes again, to `httpdojo run`',
    args: ['[lesson]', '[check]'],
    options: [['--port <n>', 'where your program listens (default: the port it asked listen() for)']],
    example: 'httpdojo replay 5 chunked-over-limit-413   # with httpdojo run 5 in another terminal',
    load: () => import('./commands/replay.js'),
  },
  {
    name: 'next',
    summary: 'open the next lesson once this one passed',
    example: 'httpdojo next',
    load: () => import('./commands/next.js'),
  },
  {
    name: 'progress',
    summary: 'your progress in this workspace',
    options: [['--json', 'print the progress as JSON']],
    example: 'httpdojo progress --json',
    load: () => import('./commands/progress.js'),
  },
  {
    name: 'list',
    summary: 'the lessons, their status and your files',
    options: [['--json', 'print the list as JSON']],
    example: 'httpdojo list',
    load: () => import('./commands/list.js'),
  },
  {
    name: 'quiz',
    summary: 'check your understanding: questions on what Node does',
    args: ['[lesson]'],
    options: [
      ['--json', 'print the questions and their choices (not the answers) as JSON'],
      ['--answer <list>', 'grade without a terminal: one choice number per question, e.g. 2,1,3'],
    ],
    example: 'httpdojo quiz 1 --answer 2,1,3',
    load: () => import('./commands/quiz.js'),
  },
  {
    name: 'explain',
    summary: 'a pitfall: why Node does it, and the fix',
    args: ['[pitfall]'],
    options: [['--demo', 'run a broken program and its fixed twin and show the symptom live']],
    example: 'httpdojo explain missing-res-end --demo',
    load: () => import('./commands/explain.js'),
  },
  {
    name: 'classroom',
    summary: 'for mentors: a live board for a workshop',
    options: [
      ['--port <n>', 'the port (default 4455)'],
      ['--host <address>', 'the address to listen on (default 0.0.0.0: every network)'],
      ['--data <dir>', 'where the event log lives (default ./httpdojo-classroom)'],
      ['--name <text>', 'the workshop\'s name on the board'],
      ['--json', 'print {"join","board","data"} as the first line'],
    ],
    example: 'httpdojo classroom --name "Node workshop"',
    load: () => import('./commands/classroom.js'),
  },
  {
    name: 'join',
    summary: 'report this workspace to a classroom board',
    args: ['<url>'],
    options: [['--name <name>', 'your name on the board']],
    example: 'httpdojo join http://192.168.1.20:4455/r/K7QX2P --name Ada',
    load: () => import('./commands/join.js'),
  },
  {
    name: 'leave',
    summary: 'stop reporting to the classroom board',
    example: 'httpdojo leave',
    load: () => import('./commands/leave.js'),
  },
  {
    name: 'ask',
    summary: 'raise your hand on the classroom board',
    args: ['[message]'],
    example: 'httpdojo ask "my server never answers"',
    load: () => import('./commands/ask.js'),
  },
  {
    name: 'dev',
    summary: 'for authors: `dev check` proves a course',
    args: ['<task>'],
    options: [
      ['--only <lessons>', 'comma-separated lessons to check (default: all)'],
      ['--jobs <n>', 'programs verified at once (default 2)'],
    ],
    example: 'httpdojo dev check --lessons ./my-course',
    load: () => import('./commands/dev.js'),
  },
];

export function buildProgram(): Command {
  const program = new Command('httpdojo')
    .description("Learn Node's raw http module by doing: write a server, and httpdojo fires real requests at it.")
    .version(packageVersion(), '-v, --version')
    .addOption(new Option('--lessons <dir>', 'use the course in this folder instead of the built-in one'))
    .addHelpText('after', '\nWith no command, in a terminal: the watch screen (and, the first time, two\nquestions to set up a workspace).\n\nExample:\n  $ npx httpdojo init my-httpdojo --lang js && cd my-httpdojo && npx httpdojo')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  for (const spec of COMMANDS) {
    const command = program.command(spec.name).description(spec.summary).exitOverride().configureOutput({ outputError: () => {} });
    for (const arg of spec.args ?? []) command.argument(arg);
    for (const [flags, description] of spec.options ?? []) command.option(flags, description);
    command.addHelpText('after', `\nExample:\n  $ ${spec.example}`);
    command.action(async (...received: unknown[]) => {
      const commandObject = received[received.length - 1] as Command;
      // Positional arguments in order; a missing optional one is '', a variadic one is spread.
      const args = received.slice(0, -2).flatMap((value) => (Array.isArray(value) ? value.map(String) : [value === undefined ? '' : String(value)]));
      const options = { ...program.opts(), ...commandObject.opts() };
      const { run } = await spec.load();
      process.exitCode = await run(args, options);
    });
  }
  // No command: the watch screen, the first-run questions, or (without a terminal) what to run.
  // A default action would hide `help [command]`; keep it.
  program.helpCommand(true);
  program.allowExcessArguments(true).action(async (_options: unknown, commandObject: Command) => {
    const [unknown] = commandObject.args;
    if (unknown !== undefined) throw new CliError(unknownCommandMessage(unknown));
    const { run } = await import('./commands/start.js');
    process.exitCode = await run([], program.opts());
  });
  return program;
}

function unknownCommandMessage(name: string): string {
  const names = COMMANDS.map((spec) => spec.name);
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length];
  };
  const close = names.filter((candidate) => distance(name, candidate) <= Math.max(1, Math.floor(candidate.length / 3)));
  return `unknown command '${name}'${close.length ? ` (did you mean ${close.join(' or ')}?)` : ''}; httpdojo --help lists them`;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const report = exitReportFor(error);
    if (report.message) process.stderr.write(`httpdojo: ${report.message}\n`);
    // VERDICT.md: `verify --json` prints one document even when the command cannot
    // run; a bad flag or a missing argument is rejected here, before verify runs.
    if (report.exitCode === EXIT.usage && argv.includes('--json') && argv.find((arg, i) => !arg.startsWith('-') && argv[i - 1] !== '--lessons') === 'verify') {
      const { errorJson } = await import('../report/verdict-json.js');
      process.stdout.write(errorJson(report.code, report.message, packageVersion()) + '\n');
    }
    process.exitCode = report.exitCode;
  }
}

// `httpdojo list | head -1`: a reader that stops early is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.on('SIGINT', () => {
  // Commands that start programs install their own handler to clean up first;
  // this one only makes sure Ctrl-C anywhere ends with 130.
  if (process.listenerCount('SIGINT') === 1) process.exit(EXIT.interrupted);
});

await main(process.argv.slice(2));
