// The verdict as VERDICT.md's JSON document. Fields may be added, never renamed.

import type { Verdict } from '../engine/verdict.js';
import { wireJson } from './wire.js';

export function verdictJson(verdict: Verdict): string {
  return JSON.stringify(
    {
      schema: verdict.schema,
      lesson: verdict.lesson,
      file: verdict.file,
      passed: verdict.passed,
      pitfalls: verdict.pitfalls,
      checks: verdict.checks.map((check) => ({
        id: check.id,
        title: check.title,
        status: check.status,
        pitfall: check.pitfall,
        message: check.message,
        location: check.location,
        durationMs: check.durationMs,
        ...(check.error ? { error: check.error } : {}),
        ...(check.stderrTail ? { stderrTail: check.stderrTail } : {}),
        ...(check.status === 'failed' && check.wire.length ? { wire: wireJson(check.wire) } : {}),
        // Issue 12 §3: how to see the failure again against `httpdojo run` (an added field, VERDICT.md allows it).
        ...(check.status === 'failed' && check.reproduce ? { reproduce: check.reproduce } : {}),
      })),
      durationMs: verdict.durationMs,
      node: verdict.node,
      version: verdict.version,
    },
    null,
    2,
  );
}

export function errorJson(code: string, message: string, version: string): string {
  return JSON.stringify({ schema: 'httpdojo.verdict/1', error: { code, message }, version }, null, 2);
}
