// The replay store: a failed check's sent bytes round-trip exactly (the summarised
// ones included), identical pieces are stored once, a pass clears the lesson.

import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Transcript } from '../../src/engine/clients/transcript.js';
import type { CheckResult, Verdict } from '../../src/engine/verdict.js';
import { replaySteps } from '../../src/report/replay-steps.js';
import { loadReplay, saveReplays } from '../../src/workspace/replay-store.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function verdictWith(transcript: Transcript, status: CheckResult['status'] = 'failed'): Verdict {
  const check: CheckResult = { id: 'big-upload', title: 't', status, pitfall: status === 'failed' ? 'no-body-limit' : null, message: null, location: null, durationMs: 1, wire: transcript.entries, error: null, stderrTail: null };
  return { schema: 'httpdojo.verdict/1', lesson: '05-body-limit', file: '/x/server.js', passed: status === 'passed', pitfalls: [], checks: [check], durationMs: 1, node: process.version, version: '0', requestedPort: 3000 };
}

describe('replay store', () => {
  it('an 8 MiB upload round-trips byte for byte, stored in a few KiB', () => {
    const dir = mkdtempSync(join(tmpdir(), 'httpdojo-replay-test-'));
    folders.push(dir);
    const transcript = new Transcript();
    const id = transcript.newConnection();
    transcript.record(id, 'connected', { note: '127.0.0.1:40000' });
    const head = Buffer.from('POST /api/users HTTP/1.1\r\nHost: 127.0.0.1:40000\r\nContent-Length: 8388608\r\n\r\n');
    transcript.record(id, 'sent', { data: head });
    const body = Buffer.alloc(8 * 1024 * 1024, 'a');
    for (let at = 0; at < body.length; at += 64 * 1024) {
      transcript.record(id, 'sent', { data: body.subarray(at, at + 64 * 1024) });
      if (at % (256 * 1024) === 0) transcript.record(id, 'pause', { pauseMs: 2 });
    }
    const verdict = verdictWith(transcript);
    saveReplays(dir, verdict);
    const file = join(dir, '05-body-limit', 'big-upload.json');
    expect(statSync(file).size).toBeLessThan(400 * 1024);
    const loaded = loadReplay(dir, '05-body-limit', 'big-upload')!;
    expect(loaded.incomplete).toBe(false);
    expect(loaded.port).toBe(3000);
    const sent = (steps: typeof loaded.steps) => Buffer.concat(steps.filter((step) => step.op === 'write').map((step) => step.data as Buffer));
    expect(sent(loaded.steps).equals(Buffer.concat([head, body]))).toBe(true);
    expect(loaded.steps.filter((step) => step.op === 'pause')).toHaveLength(32);
    expect(sent(replaySteps(verdict.checks[0].wire)).length).toBe(head.length + body.length);
    expect(JSON.parse(readFileSync(file, 'utf8')).blobs.length).toBeLessThanOrEqual(4);
  });

  it('a verify that passes clears the lesson; an unknown check is null', () => {
    const dir = mkdtempSync(join(tmpdir(), 'httpdojo-replay-test-'));
    folders.push(dir);
    const transcript = new Transcript();
    const id = transcript.newConnection();
    transcript.record(id, 'connected', { note: '127.0.0.1:40000' });
    transcript.record(id, 'sent', { data: Buffer.from('GET / HTTP/1.1\r\n\r\n') });
    saveReplays(dir, verdictWith(transcript));
    expect(loadReplay(dir, '05-body-limit', 'big-upload')).not.toBeNull();
    expect(loadReplay(dir, '05-body-limit', '../../etc/passwd')).toBeNull();
    saveReplays(dir, verdictWith(transcript, 'passed'));
    expect(loadReplay(dir, '05-body-limit', 'big-upload')).toBeNull();
  });
});
