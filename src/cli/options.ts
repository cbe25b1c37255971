// Every command and every flag httpdojo takes, as typed data (the model is
// vitest's src/node/cli/cli-config.ts: options are a table, actions stay thin).
//
// A flag's name, value type and argument are declared once, in FLAGS; a command
// names the flags it takes and the help line it shows for each. The command's
// module receives exactly those flags as a typed object, `OptionsOf<'verify'>`:
// a flag dropped from a command here is a type error where the command reads it.
//
// Pure data, no imports: index.ts loads it on every start (`--help` must stay
// fast), the command modules import only its types.

/** What each flag yields: `true` for a switch, the text given after it otherwise. */
export interface FlagValues {
  lessons: string;
  lang: string;
  kind: string;
  pitfall: string;
  file: string;
  json: boolean;
  wire: boolean;
  timeline: boolean;
  all: boolean;
  yes: boolean;
  port: string;
  host: string;
  data: string;
  name: string;
  answer: string;
  demo: boolean;
  only: string;
  jobs: string;
  mutate: boolean;
}

export type FlagName = keyof FlagValues;

/** A switch has no argument; a flag with a value must name it (`<path>`), as commander shows it. */
type FlagSpec<Value> = Value extends boolean ? { argument?: never } : { argument: `<${string}>` };

/** The flags' arguments, declared once. */
export const FLAGS: { [Name in FlagName]: FlagSpec<FlagValues[Name]> } = {
  lessons: { argument: '<dir>' },
  lang: { argument: '<js|ts>' },
  kind: { argument: '<server|client|proxy>' },
  pitfall: { argument: '<id>' },
  file: { argument: '<path>' },
  json: {},
  wire: {},
  timeline: {},
  all: {},
  yes: {},
  port: { argument: '<n>' },
  host: { argument: '<address>' },
  data: { argument: '<dir>' },
  name: { argument: '<name>' },
  answer: { argument: '<list>' },
  demo: {},
  only: { argument: '<lessons>' },
  jobs: { argument: '<n>' },
  mutate: {},
};

/** Flags every command takes (declared on the program itself). */
export const GLOBAL_FLAGS = {
  lessons: 'use the course in this folder instead of the built-in one',
} as const satisfies { [Name in FlagName]?: string };

/**
 * How a command shows one of its flags in --help: the description, or the
 * description and another argument name where the shared one reads wrong
 * (classroom's `--name <text>` is the workshop's, not a person's).
 */
export type FlagUse<Value = unknown> = string | (Value extends boolean ? never : { description: string; argument: `<${string}>` });

export interface CommandSpec {
  summary: string;
  /** Commander's argument syntax: `<x>` required, `[x]` optional, `[x...]` variadic. */
  args?: readonly string[];
  options?: { readonly [Name in FlagName]?: FlagUse<FlagValues[Name]> };
  example: string;
}

/** The commands, in the order --help lists them. */
export const COMMANDS = {
  init: {
    summary: 'create a workspace (no questions asked)',
    args: ['[dir]'],
    options: { lang: 'the language you write in (default: js)' },
    example: 'httpdojo init my-httpdojo --lang ts',
  },
  watch: {
    summary: 'the lesson, checked again on every save',
    args: ['[lesson]'],
    example: 'httpdojo watch 3',
  },
  read: {
    summary: 'show a lesson (in a workspace, open it)',
    args: ['[lesson]'],
    example: 'httpdojo read 2',
  },
  verify: {
    summary: "run a lesson's checks against your program",
    args: ['[lesson]'],
    options: {
      file: "the program to check (default: the lesson's file in this workspace)",
      json: 'print exactly one JSON verdict on stdout (see VERDICT.md)',
      wire: 'show the bytes each way for failed checks',
      timeline: 'draw when each piece left and arrived on each side (failed checks, else the timed ones)',
    },
    example: 'httpdojo verify 1 --file server.js',
  },
  hint: {
    summary: 'the next hint for a lesson (three, graduated)',
    args: ['[lesson]'],
    options: { all: 'show every hint at once' },
    example: 'httpdojo hint 1',
  },
  solution: {
    summary: 'the reference solution (once you pass)',
    args: ['[lesson]'],
    options: {
      yes: 'show it even though the lesson has not passed',
      lang: "the language to show it in (default: the workspace's, else js)",
    },
    example: 'httpdojo solution 1',
  },
  reset: {
    summary: 'restore the starter (after a backup)',
    args: ['[lesson]'],
    options: { yes: 'do not ask (needed without a terminal)' },
    example: 'httpdojo reset 2 --yes',
  },
  run: {
    summary: 'start your program to try it with curl',
    args: ['[lesson]', '[args...]'],
    options: { file: "the program to run (default: the lesson's file in this workspace)" },
    example: 'httpdojo run 1        # then, in another terminal: curl -i http://localhost:3000/',
  },
  replay: {
    summary: "send a failed check's exact bytes again, to `httpdojo run`",
    args: ['[lesson]', '[check]'],
    options: { port: 'where your program listens (default: the port it asked listen() for)' },
    example: 'httpdojo replay 5 chunked-over-limit-413   # with httpdojo run 5 in another terminal',
  },
  next: {
    summary: 'open the next lesson once this one passed',
    example: 'httpdojo next',
  },
  progress: {
    summary: 'your progress in this workspace',
    options: { json: 'print the progress as JSON' },
    example: 'httpdojo progress --json',
  },
  list: {
    summary: 'the lessons, their status and your files',
    options: { json: 'print the list as JSON' },
    example: 'httpdojo list',
  },
  quiz: {
    summary: 'check your understanding: questions on what Node does',
    args: ['[lesson]'],
    options: {
      json: 'print the questions and their choices (not the answers) as JSON',
      answer: 'grade without a terminal: one choice number per question, e.g. 2,1,3',
    },
    example: 'httpdojo quiz 1 --answer 2,1,3',
  },
  explain: {
    summary: 'a pitfall: why Node does it, and the fix',
    args: ['[pitfall]'],
    options: { demo: 'run a broken program and its fixed twin and show the symptom live' },
    example: 'httpdojo explain missing-res-end --demo',
  },
  classroom: {
    summary: 'for mentors: a live board for a workshop',
    options: {
      port: 'the port (default 4455)',
      host: 'the address to listen on (default 0.0.0.0: every network)',
      data: 'where the event log lives (default ./httpdojo-classroom)',
      name: { argument: '<text>', description: "the workshop's name on the board" },
      json: 'print {"join","board","data"} as the first line',
    },
    example: 'httpdojo classroom --name "Node workshop"',
  },
  join: {
    summary: 'report this workspace to a classroom board',
    args: ['<url>'],
    options: { name: 'your name on the board' },
    example: 'httpdojo join http://192.168.1.20:4455/r/K7QX2P --name Ada',
  },
  leave: {
    summary: 'stop reporting to the classroom board',
    example: 'httpdojo leave',
  },
  ask: {
    summary: 'raise your hand on the classroom board',
    args: ['[message]'],
    example: 'httpdojo ask "my server never answers"',
  },
  dev: {
    summary: 'for authors: `dev check` proves a course, `dev new <slug>` starts a lesson',
    args: ['<task>', '[slug]'],
    options: {
      kind: 'dev new: the lesson\'s kind (default: server)',
      pitfall: 'dev new: the id of the pitfall the new lesson teaches (default: <slug>-mistake)',
      only: 'comma-separated lessons to check (default: all)',
      jobs: 'programs verified at once (default 3; 2 with --mutate)',
      mutate: 'check the checks: verify mistakes generated from each solution, print each lesson\'s mutation score and every survivor',
      json: 'with --mutate: one JSON document on stdout',
    },
    example: 'httpdojo dev check --lessons ./my-course',
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

/** The global flags, as every command receives them. */
export type GlobalOptions = { [Name in keyof typeof GLOBAL_FLAGS]?: FlagValues[Name] };

type CommandFlags<Command extends CommandName> = (typeof COMMANDS)[Command] extends { options: infer Declared } ? keyof Declared & FlagName : never;

/** What a command's `run` receives: the global flags and its own, each absent when not given. */
export type OptionsOf<Command extends CommandName> = { [Name in keyof typeof GLOBAL_FLAGS | CommandFlags<Command>]?: FlagValues[Name] };

/** The `--flag <arg>` commander parses and --help shows. */
export function flagSyntax(name: FlagName, use?: FlagUse<unknown>): string {
  const argument = typeof use === 'object' ? use.argument : FLAGS[name].argument;
  return argument ? `--${name} ${argument}` : `--${name}`;
}

export function flagDescription(use: FlagUse<unknown>): string {
  return typeof use === 'object' ? use.description : use;
}

/**
 * The declared flags of a command out of what commander parsed, each checked
 * against its declared kind (a switch is a boolean, a flag with an argument a
 * string), so the typed object a command receives holds what its type says.
 */
export function pickOptions<Command extends CommandName>(command: Command, parsed: Record<string, unknown>): OptionsOf<Command> {
  const spec: CommandSpec = COMMANDS[command];
  return pick([...Object.keys(GLOBAL_FLAGS), ...Object.keys(spec.options ?? {})] as FlagName[], parsed) as OptionsOf<Command>;
}

/** The global flags alone: what a bare `httpdojo` (the start screen) receives. */
export function pickGlobalOptions(parsed: Record<string, unknown>): GlobalOptions {
  return pick(Object.keys(GLOBAL_FLAGS) as FlagName[], parsed) as GlobalOptions;
}

function pick(names: FlagName[], parsed: Record<string, unknown>): Partial<Record<FlagName, string | boolean>> {
  const picked: Partial<Record<FlagName, string | boolean>> = {};
  for (const name of names) {
    const value = parsed[name];
    if (value === undefined) continue;
    const expected = FLAGS[name].argument ? 'string' : 'boolean';
    if (typeof value !== expected) throw new TypeError(`--${name}: commander gave a ${typeof value}, the table declares a ${expected}`);
    picked[name] = value as string | boolean;
  }
  return picked;
}
