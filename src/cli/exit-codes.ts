// Errors map to exit codes here and nowhere else.
//   0  everything passed / the command did what was asked
//   1  a check failed (verify, dev check)
//   2  the command could not run: unknown lesson, missing file, bad flag
// 130  interrupted (Ctrl-C), after cleaning up
// 129  the terminal hung up (SIGHUP), after cleaning up

import { CourseError } from '../course/lessons.js';
import { VerifyError } from '../engine/verdict.js';
import { WorkspaceError } from '../workspace/workspace.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130, hangup: 129 } as const;

/** A one-line, expected error: shown without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: string = 'usage',
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
  }
}

export interface ExitReport {
  exitCode: number;
  code: string;
  message: string;
}

export function exitReportFor(error: unknown): ExitReport {
  if (error instanceof CliError) return { exitCode: error.exitCode, code: error.code, message: error.message };
  if (error instanceof WorkspaceError) return { exitCode: EXIT.usage, code: error.code, message: error.message };
  if (error instanceof CourseError) return { exitCode: EXIT.usage, code: error.code, message: error.message };
  if (error instanceof VerifyError) {
    return { exitCode: EXIT.usage, code: error.code, message: error.code === 'internal' ? `internal error (please report it): ${error.message.split('\n')[0]}` : error.message };
  }
  const name = (error as { name?: string })?.name;
  if (name === 'ExitPromptError' || name === 'AbortPromptError') return { exitCode: EXIT.interrupted, code: 'interrupted', message: '' };
  const commander = error as { code?: string; exitCode?: number; message?: string };
  if (typeof commander?.code === 'string' && commander.code.startsWith('commander.')) {
    const harmless = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(commander.code);
    return { exitCode: harmless ? EXIT.ok : EXIT.usage, code: harmless ? 'ok' : 'usage', message: harmless ? '' : String(commander.message ?? '').replace(/^error: /, '') };
  }
  return { exitCode: EXIT.usage, code: 'internal', message: `internal error (please report it): ${(error as Error)?.message ?? String(error)}` };
}
