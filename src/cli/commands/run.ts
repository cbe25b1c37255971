// httpdojo run [lesson] [-- args...]
// Starts the learner's program as it is (no probe, no port rebinding) so it can
// be tried with curl. Its arguments: the ones given after --, else what the
// lesson's checks would give it (a folder of files to serve, the URL of a test
// server for a client), else the lesson's. Ctrl-C sends the program SIGINT, as a
// terminal would, then kills it and everything it started; then exits 130.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Lesson } from '../../course/lessons.js';
import type { Upstream } from '../../engine/check-api.js';
import { LearnerProcess } from '../../engine/learner-process.js';
import { courseCerts } from '../../engine/toolkit/tls/certs.js';
import { styleFor } from '../../report/style.js';
import { workspaceCerts } from '../../workspace/certs.js';
import { learnerFile } from '../../workspace/locate.js';
import { announceUrls } from '../announce.js';
import { compiledChecksDir } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { learnerContext, pickLesson, selfCommand } from '../workspace-context.js';
import type { OptionsOf } from '../options.js';

type RunFlags = OptionsOf<'run'>;

export async function run([name, ...programArgs]: string[], flags: RunFlags): Promise<number> {
  const context = learnerContext(flags);
  const lesson = pickLesson(context, name || undefined);
  const { file } = learnerFile(lesson, { workspace: context.workspace, file: flags.file });
  if (!file || !existsSync(file)) {
    throw new CliError(file ? `no such file: ${file}` : `no ${lesson.fileStem}.js or ${lesson.fileStem}.ts for ${lesson.id} here; pass --file <path>`, 'missing-file');
  }
  const style = styleFor(process.stdout);
  const self = selfCommand();
  const cleanups: Array<() => Promise<void> | void> = [];
  const given = programArgs.filter((arg) => arg !== '');
  // Lessons 16-19: the workspace's copy of the TLS files (the program reads them by path).
  const certsDir = context.workspace ? workspaceCerts(context.workspace.root, lesson) : lesson.certs ? courseCerts(context.lessonsDir).dir : null;
  let args = given.length > 0 ? given : await argumentsFromChecks(lesson, context.lessonsDir, certsDir, cleanups);
  if (given.length === 0 && args.length === 0 && lesson.kind !== 'server') {
    // A client or a proxy needs a server to talk to: httpdojo's demo server
    // (over TLS for lessons 17 and 19: `<url> <ca-file>`, or `<origin> <ca-file>
    // <paths…>` when the lesson's front matter lists paths as its args).
    const { startDemoServer } = await import('../demo-server.js');
    const demo = await startDemoServer(certsDir ? { tls: courseCerts(context.lessonsDir).localhost } : {});
    cleanups.push(() => demo.close());
    args = !certsDir ? [demo.origin] : lesson.args.length > 0 ? [demo.origin, join(certsDir, 'ca-cert.pem'), ...lesson.args] : [`${demo.origin}/`, join(certsDir, 'ca-cert.pem')];
    process.stdout.write(
      style.dim(
        [
          `Your program gets the URL of httpdojo's demo server: ${demo.origin}`,
          'It answers GET /items/<n>, GET /status/<code>, a POST of JSON, and anything',
          `else with a short text. Your own URL instead: ${self} run ${lesson.number} -- <url>`,
        ].join('\n') + '\n',
      ),
    );
  }

  const shownFile = relative(process.cwd(), file) || file;
  process.stdout.write(`${style.bold(`Running ${shownFile}`)}${args.length ? style.dim(` ${args.join(' ')}`) : ''}  ${style.dim('(Ctrl-C stops it)')}\n`);
  // The program as it is: no probe (so no port rebinding), no memory cap, its
  // output on this terminal; still its own process group and run tag, so that
  // everything it started is killed with it.
  const program = new LearnerProcess({ file, args, probe: false, output: 'inherit', memoryCapMb: null });
  const cleanUp = async () => {
    program.killNow('httpdojo');
    for (const cleanup of cleanups) await cleanup();
  };
  const signals = stopOnSignals(program, async () => {
    await cleanUp();
    process.stdout.write(style.dim(`\nStopped ${shownFile}.\n`));
  });

  if (lesson.kind !== 'client') void announceUrls(file, style, () => program.running, certsDir ? join(certsDir, 'ca-cert.pem') : null);
  const exit = await program.exited;
  if (signals.interrupted()) await new Promise(() => {}); // the signal handler exits
  signals.remove();
  await cleanUp();
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  process.stdout.write(style.dim(`\nYour program ${how}.`) + (lesson.kind === 'client' ? '' : style.dim(` A server should keep running; ${self} verify ${lesson.number} says why it did not.`)) + '\n');
  return exit.code === 0 ? EXIT.ok : EXIT.failed;
}

/**
 * Ctrl-C (or SIGTERM, SIGHUP): the signal goes to the program's process group,
 * as a terminal would send it; a graceful shutdown (lesson 14) gets two
 * seconds, then the tree is killed; then httpdojo exits 130 (129 on SIGHUP).
 * A second Ctrl-C stops waiting.
 */
function stopOnSignals(program: LearnerProcess, onStopped: () => Promise<void>): { interrupted: () => boolean; remove: () => void } {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGHUP' ? EXIT.hangup : EXIT.interrupted;
    if (interrupted) {
      program.killNow('httpdojo');
      process.exit(code);
    }
    interrupted = true;
    program.signal(signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM', 'group');
    const timer = setTimeout(() => program.killNow('httpdojo'), 2000);
    void program.exited.then(async () => {
      clearTimeout(timer);
      await onStopped();
      process.exit(code);
    });
  };
  const names = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const name of names) process.on(name, onSignal);
  return {
    interrupted: () => interrupted,
    remove: () => {
      for (const name of names) process.off(name, onSignal);
    },
  };
}

/** What verify would pass the program: the check module's setup (files to serve, a test server's URL), or the lesson's args. */
async function argumentsFromChecks(lesson: Lesson, lessonsDir: string, certsDir: string | null, cleanups: Array<() => Promise<void> | void>): Promise<string[]> {
  if (!lesson.checkFile) return lesson.args;
  try {
    const { loadChecks } = await import('../../engine/verify.js');
    const checks = await loadChecks(lesson, compiledChecksDir(lessonsDir));
    if (!checks.setup) return lesson.args;
    const tempDir = mkdtempSync(join(tmpdir(), 'httpdojo-run-'));
    cleanups.push(() => rmSync(tempDir, { recursive: true, force: true }));
    const { startUpstream } = await import('../../engine/upstreams/test-upstream.js');
    const prepared = await checks.setup({
      tempDir,
      // A server of lessons 16 and 18 gets the workspace's certs folder (CURRICULUM.md "TLS files").
      certs: { ...courseCerts(lessonsDir), ...(certsDir ? { dir: certsDir } : {}) },
      upstream: async (handler) => {
        const upstream: Upstream = await startUpstream(handler);
        cleanups.push(() => upstream.close());
        return upstream;
      },
    });
    return prepared?.args ?? lesson.args;
  } catch {
    return lesson.args;
  }
}
