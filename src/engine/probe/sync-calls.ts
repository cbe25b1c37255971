// Synchronous calls that block the event loop: every *Sync call made while a
// request is handled, and any that took 50 ms or more.

import childProcess from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Probe } from './context.js';
import { here } from './stack.js';

export function recordSyncCalls(probe: Probe): void {
  wrapSync(probe, fs as unknown as Record<string, unknown>, 'fs', ['readFileSync', 'writeFileSync', 'readdirSync', 'statSync', 'existsSync', 'appendFileSync']);
  wrapSync(probe, crypto as unknown as Record<string, unknown>, 'crypto', ['pbkdf2Sync', 'scryptSync', 'randomFillSync', 'generateKeyPairSync']);
  wrapSync(probe, childProcess as unknown as Record<string, unknown>, 'child_process', ['execSync', 'spawnSync', 'execFileSync']);
}

function wrapSync({ emit, currentRequest }: Probe, target: Record<string, unknown>, owner: string, names: string[]): void {
  for (const name of names) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    target[name] = function patchedSync(this: unknown, ...args: unknown[]) {
      const begun = performance.now();
      try {
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } finally {
        const inRequest = currentRequest.getStore();
        const ms = performance.now() - begun;
        if (inRequest !== undefined || ms >= 50) {
          // emit() stamps every event with `ms` (time since the probe loaded), which
          // overwrites the `ms` given here; `durationMs` carries the call's duration.
          emit({ t: 'sync-call', fn: `${owner}.${name}`, ms: Math.round(ms), durationMs: Math.round(ms), inRequest: inRequest ?? null, at: here(), arg: typeof args[0] === 'string' ? args[0].slice(0, 200) : undefined });
        }
      }
    };
  }
}
