// The CheckContext a check's run() receives (check-api.ts): one place that
// assembles it, so a new member (the check toolkit) is a local edit here.

import { dirname } from 'node:path';
import type { Check, CheckContext, Upstream } from '../check-api.js';
import type { BodyPart } from '../clients/connection.js';
import { HttpClient } from '../clients/http-client.js';
import type { Transcript } from '../clients/transcript.js';
import type { LearnerProcess } from '../learner-process.js';
import type { EventOf } from '../probe-events.js';
import { CheckFailure } from '../verdict.js';
import { startClient } from './client-run.js';
import { expectResponse } from './expect.js';
import { programView, sleep } from './program-view.js';
import type { VerifyRun } from './run.js';
import { sourceView } from './source.js';
import { startServer } from './start.js';
import { withToolkit, type EvidenceBoard } from '../toolkit/index.js';

/** What one check owns while it runs: its wire transcript, its abort signal, the upstreams and client runs to close after it. */
export interface CheckScope {
  check: Check;
  transcript: Transcript;
  signal: AbortSignal;
  upstreams: Upstream[];
  clientRuns: LearnerProcess[];
  /** The program when the check began, and how many of its events came before. */
  startProgram: LearnerProcess | null;
  eventsFrom: number;
  /** ctx.program.expectExit: the program's exit during this check is not a crash. */
  expectExit: () => void;
  /** The program this check looks at: the run's server, or in client lessons the check's latest (or focused) client run. */
  currentProgram: () => LearnerProcess | null;
  /** ctx.skipLaterChecks: why later checks would only repeat this one (honoured only if it fails). */
  skipLater: { reason: string | null };
  /** What the check states with ctx.evidence, for the diagnosis that ends it. */
  evidence: EvidenceBoard;
  /** Beside other checks on the same server: the ports of its own connections, whose requests alone it sees (overlap.ts). */
  ownPorts: ReadonlySet<number> | null;
}

export function checkContext(run: VerifyRun, scope: CheckScope): CheckContext {
  const { transcript, signal, upstreams, clientRuns } = scope;
  const server = programView(run, scope.startProgram, scope.eventsFrom, signal, scope.currentProgram, scope.ownPorts);
  const http = new HttpClient(() => run.port, transcript, signal, (method, target) => {
    const reason = run.hangs.hungRoute(method, target) ?? hungServer(run);
    if (reason) run.checkRefusal ??= reason;
    return reason;
  });
  return withToolkit({
    http,
    server,
    program: {
      restart: async (options = {}) => {
        if (options.args) run.args = options.args;
        const failure = await startServer(run);
        if (failure) throw new CheckFailure(failure.pitfall ?? 'never-listens', failure.message ?? 'the program did not start again', failure.location ?? null);
      },
      signal: (name) => {
        scope.currentProgram()?.signal(name);
      },
      waitForExit: (timeoutMs) => scope.currentProgram()?.waitForExit(timeoutMs) ?? Promise.resolve(null),
      expectExit: scope.expectExit,
      run: (args, options = {}) => startClient(run, args, options.timeoutMs ?? 5000, clientRuns, signal).result,
      start: (args, options = {}) => startClient(run, args, options.timeoutMs ?? 5000, clientRuns, signal),
    },
    expect: (response) => expectResponse(response, server),
    skipLaterChecks: (reason) => {
      scope.skipLater.reason = reason;
    },
    fail: (pitfall, message, location = null) => {
      throw new CheckFailure(pitfall, message, location);
    },
    note: (text) => transcript.note(text),
    sleep: (ms) => sleep(ms, signal),
    signal,
    upstream: (handler) => run.trackUpstream(handler, upstreams),
    body: bodyBuilders,
    tempDir: run.tempDir,
    data: run.setupData,
    source: sourceView(run.file, run.sourceText),
  }, scope.evidence, dirname(run.lesson.dir));
}

/**
 * Why not to ask the server ctx.http talks to (at run.port) again, or null: it
 * hung in two checks and never answered (hangs.ts). Named by the port the learner
 * wrote (8080), which the probe moved; the port it listens on when it asked for none.
 */
function hungServer(run: VerifyRun): string | null {
  const listen = run.program?.events.findLast((event): event is EventOf<'listen'> => event.t === 'listen' && event.port === run.port);
  if (!listen) return null;
  const asked = listen.requested.port;
  return run.hangs.hungServer(listen.server, typeof asked === 'number' && asked > 0 ? asked : run.port);
}

const bodyBuilders: CheckContext['body'] = {
  splitInside(text, inside, options = {}) {
    const bytes = Buffer.from(text, 'utf8');
    const at = text.indexOf(inside);
    if (at < 0 || Buffer.byteLength(inside) < 2) throw new Error(`splitInside: "${inside}" is not a multi-byte character of the text`);
    const cut = Buffer.byteLength(text.slice(0, at)) + 1;
    return [bytes.subarray(0, cut), { pauseMs: options.pauseMs ?? 50 }, bytes.subarray(cut)];
  },
  pieces(text, size, options = {}) {
    const bytes = Buffer.from(text, 'utf8');
    const parts: BodyPart[] = [];
    for (let offset = 0; offset < bytes.length; offset += size) {
      if (offset > 0) parts.push({ pauseMs: options.pauseMs ?? 20 });
      parts.push(bytes.subarray(offset, offset + size));
    }
    return parts;
  },
  sized: (size, fill) => ({ size, fill }),
};
