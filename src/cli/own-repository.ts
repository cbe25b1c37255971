// httpdojo run inside its own repository: a clone where the README's `npm start`
// runs with the clone as its working folder (npm runs scripts in the package
// root, https://docs.npmjs.com/cli/v11/commands/npm-run-script). A workspace made
// "here" would land inside the clone: in its `git status`, and deleted with it.
// So the first run proposes a folder outside it, and says how to come back.

import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This httpdojo's package folder: dist/cli/own-repository.js -> ../.. */
const packageRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/[\\/]$/, '');

const FOLDER_NAME = 'httpdojo-workspace';

function inside(child: string, parent: string): boolean {
  const path = relative(parent, child);
  return path === '' || (!path.startsWith('..') && !path.startsWith(sep) && !/^[a-zA-Z]:/.test(path));
}

function isHttpdojoPackage(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'httpdojo';
  } catch {
    return false;
  }
}

/**
 * The root of an httpdojo source tree containing `cwd` (this one, or another
 * clone: the nearest package.json above `cwd` names httpdojo), else null. An
 * installed copy (under node_modules) is not a repository anyone works in.
 */
export function ownRepositoryAround(cwd = process.cwd()): string | null {
  if (inside(cwd, packageRoot) && !packageRoot.split(/[\\/]/).includes('node_modules')) return packageRoot;
  let dir = resolve(cwd);
  for (let depth = 0; depth < 64; depth++) {
    if (existsSync(join(dir, 'package.json'))) return isHttpdojoPackage(dir) && !dir.split(/[\\/]/).includes('node_modules') ? dir : null;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

/** Where the first run proposes the workspace instead: ~/httpdojo-workspace, or beside the clone if home is inside it. */
export function workspaceOutside(repository: string): string {
  const home = homedir();
  return home && !inside(home, repository) ? join(home, FOLDER_NAME) : join(dirname(repository), FOLDER_NAME);
}

/** `~/x` for a path under the home folder (what a person types), else the path. */
export function tildePath(path: string): string {
  const home = homedir();
  return home && inside(path, home) && path !== home ? `~/${relative(home, path).split(sep).join('/')}` : path;
}

/** A typed `~` or `~/x` means the home folder, as in a shell. */
export function expandTilde(answer: string): string {
  return /^~(?=$|[\\/])/.test(answer) ? join(homedir(), answer.slice(1)) : answer;
}

/**
 * How to run this httpdojo from `cwd` in a shell: `node <path>/bin/httpdojo.js`
 * when it runs from a source tree (nothing named httpdojo is on the PATH there;
 * relative inside the tree, else absolute with ~), else `fallback`.
 */
export function runCommandFrom(cwd: string, fallback: string): string {
  let script = process.argv[1] ?? '';
  try {
    script = realpathSync(script);
  } catch {
    return fallback;
  }
  if (!inside(script, packageRoot) || packageRoot.split(/[\\/]/).includes('node_modules')) return fallback;
  const bin = join(packageRoot, 'bin', 'httpdojo.js');
  const shown = inside(cwd, packageRoot) ? relative(cwd, bin).split(sep).join('/') : tildePath(bin);
  return `node ${/\s/.test(shown) ? JSON.stringify(shown) : shown}`;
}
