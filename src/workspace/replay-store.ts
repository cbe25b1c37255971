// The last verify's sent bytes per failed check, for `httpdojo replay`: in the
// workspace's .httpdojo/replay/<lesson>/<check>.json, or (outside a workspace)
// in the user's cache folder. Identical pieces are stored once (an 8 MiB upload of
// "aaa…" is one 64 KiB piece referenced 128 times).

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Reproduction, Verdict } from '../engine/verdict.js';
import { replaySteps, type ReplayStep } from '../report/replay-steps.js';
import { reproduce, shellWord } from '../report/reproduce.js';

export interface StoredReplay {
  lesson: string;
  check: string;
  /** The port the program asked listen() for in that verify, or null. */
  port: number | null;
  steps: ReplayStep[];
  /** Some sent bytes were summarised, not kept: the replay sends only what was kept. */
  incomplete: boolean;
}

interface ReplayFile {
  schema: 'httpdojo.replay/1';
  lesson: string;
  check: string;
  port: number | null;
  steps: Array<Omit<ReplayStep, 'data'> & { data?: number | null }>;
  blobs: string[];
}

/**
 * Where replays live: the workspace's .httpdojo/, else the user's cache folder
 * (not the temp folder: verify leaves nothing in it, DESIGN.md's robustness contract).
 */
export function replayDir(workspaceRoot: string | null): string {
  if (workspaceRoot) return join(workspaceRoot, '.httpdojo', 'replay');
  const cache = process.env.XDG_CACHE_HOME || (process.platform === 'win32' ? process.env.LOCALAPPDATA : undefined) || join(homedir(), '.cache');
  return join(cache, 'httpdojo', 'replay');
}

/** Replaces the lesson's stored replays with the failed checks of this verdict. */
export function saveReplays(dir: string, verdict: Verdict): void {
  const lessonDir = join(dir, verdict.lesson);
  rmSync(lessonDir, { recursive: true, force: true });
  for (const check of verdict.checks) {
    if (check.status !== 'failed') continue;
    const steps = replaySteps(check.wire);
    if (!steps.some((step) => step.op === 'write')) continue;
    const blobs: string[] = [];
    const index = new Map<string, number>();
    const stored = steps.map(({ data, ...step }) => {
      if (data === undefined) return step;
      if (data === null) return { ...step, data: null };
      const hash = createHash('sha1').update(data).digest('hex');
      if (!index.has(hash)) {
        index.set(hash, blobs.length);
        blobs.push(data.toString('base64'));
      }
      return { ...step, data: index.get(hash) };
    });
    const file: ReplayFile = { schema: 'httpdojo.replay/1', lesson: verdict.lesson, check: check.id, port: verdict.requestedPort ?? null, steps: stored, blobs };
    mkdirSync(lessonDir, { recursive: true });
    writeFileSync(join(lessonDir, `${check.id}.json`), JSON.stringify(file));
  }
}

/** The stored replay of a check, or null when the last verify of the lesson did not fail it. */
export function loadReplay(dir: string, lessonId: string, checkId: string): StoredReplay | null {
  if (!/^[\w.-]+$/.test(checkId)) return null;
  let file: ReplayFile;
  try {
    file = JSON.parse(readFileSync(join(dir, lessonId, `${checkId}.json`), 'utf8')) as ReplayFile;
  } catch {
    return null;
  }
  if (file.schema !== 'httpdojo.replay/1' || !Array.isArray(file.steps)) return null;
  const blobs = file.blobs.map((blob) => Buffer.from(blob, 'base64'));
  const steps: ReplayStep[] = file.steps.map((step) => ({ ...step, data: typeof step.data === 'number' ? blobs[step.data] : step.data }));
  return { lesson: file.lesson, check: file.check, port: file.port, steps, incomplete: steps.some((step) => step.op === 'write' && step.data === null) };
}

/** The checks of a lesson with a stored replay (for the "which check?" message). */
export function storedChecks(dir: string, lessonId: string): string[] {
  try {
    return readdirSync(join(dir, lessonId)).filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -5));
  } catch {
    return [];
  }
}

/**
 * The reproduce command of every failed check (by check id), after storing their
 * sent bytes for `httpdojo replay`. `runDefault` is the file `httpdojo run`
 * picks by itself (else the commands name the file with --file).
 */
export function reproductionsFor(
  verdict: Verdict,
  lesson: { number: number | string; kind: 'server' | 'client' | 'proxy' },
  workspaceRoot: string | null,
  runDefault: string | null,
  self: string,
): Map<string, Reproduction> {
  const found = new Map<string, Reproduction>();
  const fileOption = runDefault && resolve(runDefault) === verdict.file ? '' : ` --file ${shellWord(relative(process.cwd(), verdict.file) || verdict.file)}`;
  let stored = true;
  try {
    saveReplays(replayDir(workspaceRoot), verdict);
  } catch {
    // A read-only folder costs the replay, never the verdict.
    stored = false;
  }
  if (verdict.passed) return found;
  for (const check of verdict.checks) {
    if (check.status !== 'failed') continue;
    const reproduction = reproduce({ lesson, checkId: check.id, port: verdict.requestedPort ?? null, wire: check.wire, self, fileOption });
    if (!stored && reproduction.kind !== 'replay') delete reproduction.replay;
    if (!stored && reproduction.kind === 'replay') reproduction.note += ' (The bytes could not be stored for replay this time: the folder is not writable.)';
    found.set(check.id, reproduction);
  }
  return found;
}
