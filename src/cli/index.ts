// The httpdojo command line. Commands and their flags are one declarative table
// (options.ts); each command's module (and anything heavy it needs) is imported
// only when that command runs, so `--help`, `--version` and `list` start fast.

import { Command, Option } from 'commander';
import { CliError, EXIT, exitReportFor } from './exit-codes.js';
import { packageVersion } from '../engine/version.js';
import { COMMANDS, FLAGS, flagDescription, flagSyntax, GLOBAL_FLAGS, pickGlobalOptions, pickOptions, type CommandName, type CommandSpec, type FlagName, type FlagUse, type OptionsOf } from './options.js';

type Run<Name extends CommandName> = (args: string[], options: OptionsOf<Name>) => Promise<number>;

/**
 * Each command's module, imported only when that command runs. Typed per
 * command: a module whose `run` expects flags its command does not declare in
 * options.ts does not compile.
 */
const LOADERS: { [Name in CommandName]: () => Promise<{ run: Run<Name> }> } = {
  init: () => import('./commands/init.js'),
  watch: () => import('./commands/watch.js'),
  read: () => import('./commands/read.js'),
  verify: () => import('./commands/verify.js'),
  hint: () => import('./commands/hint.js'),
  solution: () => import('./commands/solution.js'),
  reset: () => import('./commands/reset.js'),
  run: () => import('./commands/run.js'),
  replay: () => import('./commands/replay.js'),
  next: () => import('./commands/next.js'),
  progress: () => import('./commands/progress.js'),
  list: () => import('./commands/list.js'),
  quiz: () => import('./commands/quiz.js'),
  explain: () => import('./commands/explain.js'),
  classroom: () => import('./commands/classroom.js'),
  join: () => import('./commands/join.js'),
  leave: () => import('./commands/leave.js'),
  ask: () => import('./commands/ask.js'),
  dev: () => import('./commands/dev.js'),
};

export function buildProgram(): Command {
  const program = new Command('httpdojo')
    .description("Learn Node's raw http module by doing: write a server, and httpdojo fires real requests at it.")
    .version(packageVersion(), '-v, --version')
    .addHelpText('after', '\nWith no command, in a terminal: the watch screen (and, the first time, two\nquestions to set up a workspace).\n\nExample:\n  $ npx httpdojo init my-httpdojo --lang js && cd my-httpdojo && npx httpdojo')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  for (const [name, description] of Object.entries(GLOBAL_FLAGS) as Array<[FlagName, string]>) program.addOption(new Option(flagSyntax(name), description));
  for (const name of Object.keys(COMMANDS) as CommandName[]) addCommand(program, name);
  // No command: the watch screen, the first-run questions, or (without a terminal) what to run.
  // A default action would hide `help [command]`; keep it.
  program.helpCommand(true);
  program.allowExcessArguments(true).action(async (_options: unknown, commandObject: Command) => {
    // With a default action commander hands an unknown command to it as an
    // operand; its own unknownCommand() says so, with its "did you mean" suggestion.
    if (commandObject.args.length > 0) unknownCommand(commandObject);
    const { run } = await import('./commands/start.js');
    process.exitCode = await run([], pickGlobalOptions(program.opts()));
  });
  return program;
}

function addCommand<Name extends CommandName>(program: Command, name: Name): void {
  const spec: CommandSpec = COMMANDS[name];
  const command = program.command(name).description(spec.summary).exitOverride().configureOutput({ outputError: () => {} });
  for (const arg of spec.args ?? []) command.argument(arg);
  for (const [flag, use] of Object.entries(spec.options ?? {}) as Array<[FlagName, FlagUse]>) command.option(flagSyntax(flag, use), flagDescription(use));
  command.addHelpText('after', `\nExample:\n  $ ${spec.example}`);
  command.action(async (...received: unknown[]) => {
    const commandObject = received[received.length - 1] as Command;
    // Positional arguments in order; a missing optional one is '', a variadic one is spread.
    const args = received.slice(0, -2).flatMap((value) => (Array.isArray(value) ? value.map(String) : [value === undefined ? '' : String(value)]));
    const options = pickOptions(name, { ...program.opts(), ...commandObject.opts() });
    const { run } = await LOADERS[name]();
    process.exitCode = await run(args, options);
  });
}

/** Commander's own unknown-command error (with its suggestion); a plain one if a commander release drops the method. */
function unknownCommand(program: Command): never {
  const own = (program as Command & { unknownCommand?: () => never }).unknownCommand;
  if (typeof own === 'function') own.call(program);
  throw new CliError(`unknown command '${program.args[0]}'; httpdojo --help lists them`);
}

/** The command word of argv: its first operand that is not a global flag's argument (`--lessons dir verify`). */
function commandIn(argv: string[]): string | undefined {
  const taking = Object.keys(GLOBAL_FLAGS).filter((name) => FLAGS[name as FlagName].argument).map((name) => `--${name}`);
  return argv.find((arg, i) => !arg.startsWith('-') && !taking.includes(argv[i - 1]));
}

/**
 * One line per usage error: commander puts its suggestion on a line of its own
 * ("\n(Did you mean verify?)"); ours joins it to the message, and an unknown
 * command says where the list is.
 */
export function oneLineUsage(message: string, code: string | undefined): string {
  const joined = message.replace(/\n\(Did you mean (.+)\?\)\s*$/, ' (did you mean $1?)');
  return code === 'commander.unknownCommand' ? `${joined}; httpdojo --help lists them` : joined;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const report = exitReportFor(error);
    report.message = oneLineUsage(report.message, (error as { code?: string }).code);
    if (report.message) process.stderr.write(`httpdojo: ${report.message}\n`);
    // VERDICT.md: `verify --json` prints one document even when the command cannot
    // run; a bad flag or a missing argument is rejected here, before verify runs.
    if (report.exitCode === EXIT.usage && argv.includes('--json') && commandIn(argv) === 'verify') {
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
