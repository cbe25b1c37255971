// How the learner's program is started: the node command line (tsx when the
// file needs it, the probe when httpdojo watches), its environment and stdio,
// and the capped capture of what it prints. LearnerProcess (learner-process.ts)
// owns the process once started.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SpawnOptions } from 'node:child_process';
import { fastStartFile, nearestPackageType } from './fast-start.js';

export interface ProgramOptions {
  file: string;
  args?: string[];
  cwd?: string;
  /** V8 heap cap, and (times two) the resident-memory cap enforced by polling; null: none (`httpdojo run`). */
  memoryCapMb?: number | null;
  /** Bytes of stdout and of stderr kept; the rest is counted and dropped. */
  outputCapBytes?: number;
  env?: Record<string, string>;
  /** Whether the probe is preloaded (default true); `httpdojo run` starts the program as it is. */
  probe?: boolean;
  /** 'inherit': the program writes to httpdojo's own stdout and stderr, colours and all (`httpdojo run`). Default 'capture'. */
  output?: 'capture' | 'inherit';
}

export const DEFAULT_MEMORY_CAP_MB = 768;

/** Keeps the first `cap` bytes of a stream and counts the rest. */
export class CappedOutput {
  private chunks: Buffer[] = [];
  private kept = 0;
  dropped = 0;
  constructor(private readonly cap: number) {}
  push(chunk: Buffer): void {
    const room = this.cap - this.kept;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.dropped += Math.max(0, chunk.length - Math.max(0, room));
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
  get bytes(): number {
    return this.kept + this.dropped;
  }
}

/** `node` arguments: heap cap, loaders, the program and its arguments. */
export function nodeArguments(options: ProgramOptions, memoryCapMb: number | null, probe = options.probe === false ? null : resolveProbe()): string[] {
  // From source (the test suite) the probe itself is TypeScript, and needs tsx anyway.
  // `httpdojo run` (no probe) starts the learner's file itself, as they would.
  const fast = probe?.endsWith('.js') ? fastStartFile(options.file) : null;
  const tsx = !fast && (needsTsx(options.file) || probe?.endsWith('.ts'));
  return [
    ...(memoryCapMb === null ? [] : [`--max-old-space-size=${memoryCapMb}`]),
    ...(tsx ? ['--import', resolveLoader()] : []),
    // What tsx does with process.setSourceMapsEnabled(true): stacks name the .ts file's lines.
    ...(fast ? ['--enable-source-maps'] : []),
    ...(probe ? ['--import', probe] : []),
    fast ?? options.file,
    ...(options.args ?? []),
  ];
}

/**
 * The program's own process group (POSIX) so that it and its children are
 * killed together; fd 3 is the probe's events channel, which the program's
 * output cannot reach. `tag` marks what escapes the group (platform.ts).
 */
export function spawnOptions(options: ProgramOptions, tag: string, ownProcessGroup: boolean): SpawnOptions {
  const probed = options.probe !== false;
  const inherit = options.output === 'inherit';
  return {
    cwd: options.cwd ?? dirname(options.file),
    detached: ownProcessGroup,
    stdio: ['ignore', inherit ? 'inherit' : 'pipe', inherit ? 'inherit' : 'pipe', ...(probed ? ['pipe' as const] : [])],
    env: {
      ...learnerEnv(process.env),
      ...options.env,
      ...(probed ? { HTTPDOJO_PROBE_FD: '3' } : {}),
      HTTPDOJO_RUN: tag,
      // The learner's colours would only be escape codes in a report.
      ...(inherit ? {} : { FORCE_COLOR: '0', NO_COLOR: '1' }),
    },
    windowsHide: true,
  };
}

/**
 * httpdojo's environment minus what would decide a TLS check for the program
 * (CURRICULUM.md "Trust"): NODE_TLS_REJECT_UNAUTHORIZED=0 in the learner's shell
 * would pass a client that trusts anything, NODE_EXTRA_CA_CERTS one that never
 * set `ca`.
 */
function learnerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_TLS_REJECT_UNAUTHORIZED: _reject, NODE_EXTRA_CA_CERTS: _extra, ...rest } = env;
  return rest;
}

function resolveLoader(): string {
  return import.meta.resolve('tsx');
}

function resolveProbe(): string {
  // From dist/ the probe is compiled JavaScript; when the engine itself runs from
  // source (the test suite), tsx is loaded first and can run the .ts probe.
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./probe/probe${extension}`, import.meta.url).href;
}

/**
 * Whether the program needs tsx: TypeScript does, and so does a `.js` file
 * written with import/export where no package.json says "type": "module" (Node
 * 20 does not detect module syntax by default). Plain JavaScript starts without
 * it: tsx's loader costs ~0.3 s of CPU at every start, which watch mode feels.
 */
export function needsTsx(file: string): boolean {
  if (/\.(ts|mts|cts|tsx)$/.test(file)) return true;
  if (!file.endsWith('.js')) return false;
  if (nearestPackageType(dirname(file)) === 'module') return false;
  try {
    return /^\s*(import\s|import\(|export\s)/m.test(readFileSync(file, 'utf8'));
  } catch {
    return true;
  }
}

