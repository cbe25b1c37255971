// Ctrl-C ends httpdojo with process.exit(130) while a check is running, so
// VerifyRun.cleanup() never runs: the run's temp folder is also removed on exit
// (synchronously, as 'exit' handlers must be), like the learner process is.

import { rmSync } from 'node:fs';
import { killAllLearnerProcesses } from '../learner-process.js';

const liveTempDirs = new Set<string>();

export function trackTempDir(dir: string): void {
  if (liveTempDirs.size === 0 && !process.listeners('exit').includes(removeLiveTempDirs)) process.on('exit', removeLiveTempDirs);
  liveTempDirs.add(dir);
}

export function untrackTempDir(dir: string): void {
  liveTempDirs.delete(dir);
}

function removeLiveTempDirs(): void {
  // The programs go first, so none of them is still writing into a folder being removed.
  killAllLearnerProcesses();
  for (const dir of liveTempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // Nothing more can be done while exiting.
    }
  }
  liveTempDirs.clear();
}
