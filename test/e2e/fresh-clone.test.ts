// The README's quick start on a fresh clone: `git clone` of this repository's
// committed HEAD (uncommitted edits are not in it: commit before running this)
// into a temp folder with no node_modules and no dist/, then the README's first
// command, `npm start`, as a newcomer would run it: without a terminal it must
// install, build and end in the "no terminal" message (exit 0, no error, no
// stack trace); in a terminal (tmux) it must reach the first-run questions and
// put the workspace outside the clone. Then the second command, `npm test`,
// works there with no other step (on one small test file: the whole suite
// would run this file again).
//
// HOME is a temp folder (the workspace default is ~/httpdojo-workspace); npm
// keeps its real cache and user config, and prefers the cache (no registry
// round trip for what is cached).

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const isClone = spawnSync('git', ['-C', root, 'rev-parse', '--verify', 'HEAD'], { encoding: 'utf8' }).status === 0;
if (!isClone) console.warn('fresh-clone.test.ts: SKIPPED — this copy of httpdojo is not a git repository (or git is missing); the README quick start was not tested.');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.warn('fresh-clone.test.ts: terminal case SKIPPED — tmux is not installed (apt-get install -y tmux).');

const work = mkdtempSync(join(tmpdir(), 'httpdojo-clone-'));
const clone = join(work, 'httpdojo');
const home = join(work, 'home');
const socket = `hdj-clone-${randomUUID().slice(0, 8)}`;
afterAll(() => {
  if (hasTmux) spawnSync('tmux', ['-L', socket, 'kill-server']);
  rmSync(work, { recursive: true, force: true });
});

/** What npm itself needs from the real environment, asked before HOME changes. */
function npmConfig(key: string): string {
  return execFileSync('npm', ['config', 'get', key], { encoding: 'utf8', timeout: 20_000 }).trim();
}

/** A newcomer's environment: none of the npm variables of the `npm test` running us, no colour, a temp HOME. */
function newcomerEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(npm_|INIT_CWD$|VITEST|NODE_OPTIONS$|FORCE_COLOR$|NO_COLOR$|TMUX)/i.test(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    HOME: home,
    NO_COLOR: '1',
    npm_config_cache: cache,
    npm_config_userconfig: userconfig,
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
  };
}

interface Run {
  code: number | null;
  output: string;
  ms: number;
}

/** Runs a command with stdin closed and no terminal; its whole process group is killed at the deadline. */
function run(command: string, args: string[], cwd: string, timeoutMs: number, env: Record<string, string> = {}): Promise<Run> {
  const began = performance.now();
  const child = spawn(command, args, { cwd, env: { ...newcomerEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const deadline = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    output += `\n[test: killed after ${timeoutMs} ms]`;
  }, timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(deadline);
      resolve({ code, output, ms: performance.now() - began });
    });
  });
}

/** An error report or a stack trace anywhere in `output`. */
function errorsIn(output: string): string[] {
  return output.split('\n').filter((line) => /^\s+at .*:\d+:\d+\)?$|npm (error|ERR!)|\bERR_[A-Z_]+\b|Error:/.test(line));
}

let cache = '';
let userconfig = '';
beforeAll(() => {
  if (!isClone) return;
  cache = npmConfig('cache');
  userconfig = npmConfig('userconfig');
  mkdirSync(home);
  execFileSync('git', ['clone', '--quiet', root, clone], { timeout: 60_000 });
}, 90_000);

function gitStatus(): string {
  return execFileSync('git', ['-C', clone, 'status', '--porcelain', '--untracked-files=all'], { encoding: 'utf8' });
}

it('bin/httpdojo.js with dist/ but no node_modules names the missing package in one line, and exits 2', async () => {
  const copy = join(work, 'no-modules');
  mkdirSync(join(copy, 'bin'), { recursive: true });
  mkdirSync(join(copy, 'dist', 'cli'), { recursive: true });
  copyFileSync(join(root, 'bin', 'httpdojo.js'), join(copy, 'bin', 'httpdojo.js'));
  writeFileSync(join(copy, 'package.json'), '{"type":"module"}\n');
  writeFileSync(join(copy, 'dist', 'cli', 'index.js'), "import 'commander';\n");
  const result = await run(process.execPath, [join(copy, 'bin', 'httpdojo.js')], copy, 20_000);
  expect(result.output).toBe(`httpdojo cannot find its dependency commander: run \`npm start\` (or \`npm install\`) in ${copy} first\n`);
  expect(result.code).toBe(2);
});

describe.skipIf(!isClone)('a fresh clone, as the README says', () => {
  it('bin/httpdojo.js before anything is built prints one line saying what to run, and exits 2', async () => {
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    const result = await run(process.execPath, [join(clone, 'bin', 'httpdojo.js'), '--help'], clone, 20_000);
    expect(result.output).toBe(`httpdojo is not built yet: run \`npm start\` (or \`npm install\`) in ${clone.replace(/[\\/]$/, '')} first\n`);
    expect(result.code).toBe(2);
  });

  it('`npm start` without a terminal installs, builds and ends in the no-terminal message', { timeout: 240_000 }, async () => {
    const result = await run('npm', ['start'], clone, 230_000);
    console.info(`fresh-clone: first \`npm start\` took ${(result.ms / 1000).toFixed(1)} s`);
    expect(errorsIn(result.output), result.output).toEqual([]);
    expect(result.output).toMatch(/This is httpdojo's own repository \(.*\), not a workspace\./);
    expect(result.output).toContain('node bin/httpdojo.js init ~/httpdojo-workspace --lang js');
    expect(result.code, result.output).toBe(0);
    expect(existsSync(join(clone, 'dist', 'cli', 'index.js'))).toBe(true);
    // Nothing was written into the clone but what .gitignore names, nor into HOME.
    expect(gitStatus()).toBe('');
    expect(existsSync(join(home, 'httpdojo-workspace'))).toBe(false);

    const again = await run('npm', ['start'], clone, 60_000);
    expect(again.output).not.toMatch(/httpdojo: (installing|building)/);
    expect(again.code, again.output).toBe(0);
  });

  it('`init` with no folder, in the clone, makes the workspace outside it', async () => {
    const otherHome = join(work, 'home-init');
    mkdirSync(otherHome);
    const result = await run(process.execPath, ['bin/httpdojo.js', 'init', '--lang', 'js'], clone, 30_000, { HOME: otherHome });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('Created an httpdojo workspace in ~/httpdojo-workspace (JavaScript).');
    expect(result.output).toContain(`node ${clone}/bin/httpdojo.js read`);
    expect(existsSync(join(otherHome, 'httpdojo-workspace', '01-hello-server', 'server.js'))).toBe(true);
    expect(gitStatus()).toBe('');
  });

  it('`npm test` works in the clone with no other step', { timeout: 180_000 }, async () => {
    const result = await run('npm', ['test', '--', 'test/unit/markdown.test.ts'], clone, 170_000);
    // The exit code first: a failure then shows npm's whole output (a type error, say).
    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toMatch(/httpdojo: (installing|building)/);
    expect(result.output).toMatch(/Test Files\s+1 passed/);
  });

  it.skipIf(!hasTmux)('`npm start` in a terminal asks the first-run questions and puts the workspace outside the clone', { timeout: 120_000 }, async () => {
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
    const screen = () => {
      try {
        return tmux('capture-pane', '-p', '-J', '-t', 'first');
      } catch {
        return '';
      }
    };
    const waitFor = async (pattern: RegExp, timeoutMs: number) => {
      const began = performance.now();
      for (;;) {
        const text = screen();
        if (pattern.test(text) || performance.now() - began > timeoutMs) return text;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    // env -i: the pane gets the newcomer's environment, not the tmux server's.
    const env = Object.entries({ ...newcomerEnv(), TERM: 'xterm-256color' }).map(([key, value]) => `${key}='${value.replace(/'/g, `'\\''`)}'`);
    const command = `env -i ${env.join(' ')} npm start; echo "EXIT=$?"; sleep 600`;
    tmux('new-session', '-d', '-s', 'first', '-x', '80', '-y', '40', '-c', clone, command);

    const asked = await waitFor(/Which language will you write in\?/, 60_000);
    expect(asked, asked).toMatch(/Which language will you write in\?/);
    expect(asked).toMatch(/You are in httpdojo's own repository/);
    tmux('send-keys', '-t', 'first', 'Enter');
    const where = await waitFor(/Where should your workspace go\?/, 10_000);
    expect(where, where).toMatch(/Where should your workspace go\? \(~\/httpdojo-workspace\)/);
    tmux('send-keys', '-t', 'first', 'Enter');
    const opened = await waitFor(/Lesson 1 of \d+/, 30_000);
    expect(opened, opened).toMatch(/Lesson 1 of \d+/);
    tmux('send-keys', '-t', 'first', 'q');
    const done = await waitFor(/EXIT=\d+/, 15_000);
    expect(done, done).toMatch(/EXIT=0/);
    expect(done).toMatch(/To continue later: npm start here/);
    expect(existsSync(join(home, 'httpdojo-workspace', '01-hello-server', 'server.js'))).toBe(true);
    expect(gitStatus()).toBe('');
  });
});
