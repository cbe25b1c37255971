// The command table end to end (src/cli/options.ts through bin/httpdojo.js):
// every command's --help shows the flags the table declares for it, flags reach
// the command, and a mistyped command or flag gets commander's suggestion on
// one line (exit 2, no stack trace).

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, flagDescription, flagSyntax, type CommandSpec, type FlagName, type FlagUse } from '../../src/cli/options.ts';
import { killStartedClis, requireBuild, runCli, STACK_FRAME, type CliResult } from './cli-support.ts';

beforeAll(requireBuild);
afterEach(killStartedClis);

function expectOneLineUsage(result: CliResult, line: string): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toBe(`httpdojo: ${line}\n`);
  expect(result.stderr).not.toMatch(STACK_FRAME);
}

describe('the command table on the command line', () => {
  it('each command\'s --help lists its declared flags and its example', { timeout: 60_000 }, async () => {
    const names = Object.keys(COMMANDS) as Array<keyof typeof COMMANDS>;
    const results = await Promise.all(names.map((name) => runCli([name, '--help'])));
    names.forEach((name, index) => {
      const spec: CommandSpec = COMMANDS[name];
      const { code, stdout } = results[index];
      expect(code, name).toBe(0);
      expect(stdout, name).toContain(`Usage: httpdojo ${name}`);
      // Commander wraps long descriptions: compare with the whitespace collapsed.
      const flat = stdout.replace(/\s+/g, ' ');
      for (const [flag, use] of Object.entries(spec.options ?? {}) as Array<[FlagName, FlagUse]>) {
        expect(flat, `${name} ${flag}`).toContain(`${flagSyntax(flag, use)} ${flagDescription(use)}`);
      }
      expect(stdout, name).toContain(`Example:\n  $ ${spec.example}`);
    });
  });

  it('a mistyped command or flag: commander\'s suggestion, on one line', async () => {
    const [command, flag, unknown] = await Promise.all([runCli(['verfy']), runCli(['verify', '1', '--jsn']), runCli(['frobnicate'])]);
    expectOneLineUsage(command, "unknown command 'verfy' (did you mean verify?); httpdojo --help lists them");
    expectOneLineUsage(flag, "unknown option '--jsn' (did you mean --json?)");
    expectOneLineUsage(unknown, "unknown command 'frobnicate'; httpdojo --help lists them");
  });

  it('a flag reaches its command typed: a bad --jobs is dev\'s own error, --lessons works after the command', async () => {
    expectOneLineUsage(await runCli(['dev', 'check', '--jobs', '9']), '--jobs takes a whole number from 1 to 8');
    const listed = await runCli(['list', '--json', '--lessons', 'no-such-course-dir']);
    expect(listed.code).toBe(2);
    expect(listed.stderr).toMatch(/no-such-course-dir/);
  });
});
