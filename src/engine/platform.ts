// Everything that differs between Linux, macOS and Windows lives here, each with
// an honest fallback. Tested on Linux (CI); the macOS and Windows branches are the
// documented APIs' behaviour and are not exercised by the test suite.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const isLinux = process.platform === 'linux';
const isWindows = process.platform === 'win32';

/** Whether a child should start in a process group of its own (POSIX only). */
export const ownProcessGroup = !isWindows;

/**
 * Kill a learner process, everything in its process group, and on Linux every
 * process that carries the run's tag in its environment — which catches a
 * child the program started with `detached: true` (a new session escapes the
 * group kill). Synchronous, so it also works from an 'exit' handler.
 */
export function killProcessTree(pid: number, tag: string): void {
  if (isWindows) {
    try {
      execFileSync('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', timeout: 5000 });
    } catch {
      // Already gone.
    }
    return;
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  if (isLinux) {
    for (const other of pidsWithTag(tag)) {
      try {
        process.kill(other, 'SIGKILL');
      } catch {
        // Exited meanwhile.
      }
    }
  }
}

/** Linux: processes whose environment holds HTTPDOJO_RUN=<tag>. Elsewhere: none known. */
export function pidsWithTag(tag: string): number[] {
  if (!isLinux) return [];
  const needle = `HTTPDOJO_RUN=${tag}\0`;
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(needle)) found.push(pid);
    } catch {
      // Not ours to read, or gone.
    }
  }
  return found;
}

/** Resident memory of a process in bytes, or null where it cannot be read cheaply. */
export function residentBytes(pid: number): number | null {
  if (!isLinux) return null;
  try {
    const statm = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    return Number(statm[1]) * 4096;
  } catch {
    return null;
  }
}

/** The paths a process has open (Linux), or null where unknown. */
export function openFiles(pid: number): string[] | null {
  if (!isLinux) return null;
  try {
    const paths: string[] = [];
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        paths.push(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        // Closed meanwhile.
      }
    }
    return paths;
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the entries of `dir` whose name carries (in `pidIn`'s first group) the
 * pid of a process that is gone: what a process killed before its 'exit' handler
 * (SIGKILL, a test runner ending its worker) could not clean up itself.
 */
export function removeOrphanEntries(dir: string, pidIn: RegExp): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(pidIn.exec(name)?.[1] ?? NaN);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
  }
}
