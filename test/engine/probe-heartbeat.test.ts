// The probe's heartbeat (src/engine/probe/heartbeat.ts) reports every 250 ms, and
// also at the first 25 ms tick after the number of active timers changed: lesson
// 06 reads the timers a countdown left from the latest report instead of waiting
// for the next periodic one. A timer that lives 60 ms is seen by the change
// report every time; by the 250 ms report alone, three in a row about 1 time in 70.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventOf } from '../../src/engine/probe-events.ts';
import { LearnerProcess } from '../../src/engine/learner-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'hdj-heartbeat-'));
const programs: LearnerProcess[] = [];
afterAll(async () => {
  await Promise.all(programs.splice(0).map((program) => program.stop()));
  rmSync(dir, { recursive: true, force: true });
});

// Three ref'd intervals of 60 ms each, 300 ms apart; the timers that schedule them
// are unref'd, which process.getActiveResourcesInfo() does not count.
const PROGRAM = `import http from 'node:http';
http.createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1', () => {
  for (const at of [300, 600, 900]) {
    setTimeout(() => {
      const interval = setInterval(() => {}, 1000);
      setTimeout(() => clearInterval(interval), 60).unref();
    }, at).unref();
  }
  setTimeout(() => console.log('done'), 1300).unref();
});
`;

describe('the heartbeat', () => {
  it('reports each creation and clear of a timer, and stays at its 250 ms period while nothing changes', { timeout: 30_000 }, async () => {
    const file = join(dir, 'timers.mjs');
    writeFileSync(file, PROGRAM);
    const program = new LearnerProcess({ file });
    programs.push(program);
    const listen = await program.waitForEvent('listen', { timeoutMs: 15_000 });
    if (!listen) throw new Error(`the program never listened; stderr: ${program.stderr.text()}`);
    // The three windows are over by 1 s after the listen; then 1 s of quiet.
    await new Promise((resolve) => setTimeout(resolve, 2300));
    const ticks = program.events.filter((event): event is EventOf<'tick'> => event.t === 'tick' && event.ms >= listen.ms);
    const counts = ticks.map((tick) => tick.resources.Timeout ?? 0);
    const rises = counts.filter((count, i) => i > 0 && count > counts[i - 1]).length;
    const falls = counts.filter((count, i) => i > 0 && count < counts[i - 1]).length;
    expect({ rises, falls }).toEqual({ rises: 3, falls: 3 });
    // The last second: no change, so the periodic report only (4 a second, some slack for lag reports).
    const quiet = ticks.filter((tick) => tick.ms >= listen.ms + 1300);
    expect(quiet.length).toBeLessThanOrEqual(8);
  });
});
