// The httpdojo command line. Commands are one declarative table; each command's
// module (and anything heavy it needs) is imported only when that command runs,
// so `--help`, `--version` and `list` start fast.

import { Command, Option } from 'commander';
import { EXIT, exitReportFor } from './exit-codes.js';
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
    name: 'verify',
    summary: 'run a lesson\'s checks against your program',
    args: ['<lesson>'],
    options: [
      ['--file <path>', 'the program to check (default: the lesson\'s file in this workspace)'],
      ['--json', 'print exactly one JSON verdict on stdout (see VERDICT.md)'],
      ['--wire', 'show the bytes each way for failed checks'],
    ],
    example: 'httpdojo verify 1 --file server.js',
    load: () => import('./commands/verify.js'),
  },
  {
    name: 'list',
    summary: 'list the lessons',
    options: [['--json', 'print the list as JSON']],
    example: 'httpdojo list',
    load: () => import('./commands/list.js'),
  },
  {
    name: 'explain',
    summary: 'explain a pitfall: symptom, why Node does it, the fix',
    args: ['[pitfall]'],
    example: 'httpdojo explain missing-res-end',
    load: () => import('./commands/explain.js'),
  },
  {
    name: 'dev',
    summary: 'course author tools: `dev check` proves a course sound',
    args: ['<task>'],
    options: [['--only <lessons>', 'comma-separated lessons to check (default: all)']],
    example: 'httpdojo dev check --lessons ./my-course',
    load: () => import('./commands/dev.js'),
  },
];

export function buildProgram(): Command {
  const program = new Command('httpdojo')
    .description("Learn Node's raw http module by doing: write a server, and httpdojo fires real requests at it.")
    .version(packageVersion(), '-v, --version')
    .addOption(new Option('--lessons <dir>', 'use the course in this folder instead of the built-in one'))
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
      const args = received.slice(0, -2).map(String);
      const options = { ...program.opts(), ...commandObject.opts() };
      const { run } = await spec.load();
      process.exitCode = await run(args, options);
    });
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const report = exitReportFor(error);
    if (report.message) process.stderr.write(`httpdojo: ${report.message}\n`);
    process.exitCode = report.exitCode;
  }
}

process.on('SIGINT', () => {
  // Commands that start programs install their own handler to clean up first;
  // this one only makes sure Ctrl-C anywhere ends with 130.
  if (process.listenerCount('SIGINT') === 1) process.exit(EXIT.interrupted);
});

await main(process.argv.slice(2));
