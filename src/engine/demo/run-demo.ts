// Runs a pitfall demo: the broken program and its fixed twin, side by side, on
// loopback, with verify's engine (LearnerProcess under the probe: ports rebound,
// own process group, deadlines, cleanup) and its raw client. Returns data; the
// report (src/report/demo.ts) prints it.

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpClient } from '../clients/http-client.js';
import { Transcript } from '../clients/transcript.js';
import { LearnerProcess, type ExitInfo } from '../learner-process.js';
import type { EventOf } from '../probe-events.js';
import { trackTempDir, untrackTempDir } from '../verify/temp-dirs.js';
import { startUpstream, type UpstreamExchange } from './upstream.js';
import { exchange } from './exchange.js';
import { describe, evaluate, fmtMs } from './symptom.js';
import { DEMO_CAP_MS, markedLines, type Demo, type MarkedLine } from './scenario.js';

export { DEMO_CAP_MS };

const LISTEN_DEADLINE_MS = 4000;
/** A crash is reported by the probe just before the process dies; this long is enough to see it. */
const CRASH_GRACE_MS = 300;

export type Side = 'broken' | 'fixed';

export interface Exchange {
  name: string;
  /** `raw`: the exact bytes of a raw request (its start), for display. */
  sent: { method: string; target: string; headers: Record<string, string>; bodyBytes: number; bodyPreview: string; raw?: string };
  /** Milliseconds after the program listened. */
  startedAtMs: number;
  response: {
    status: number;
    reason: string;
    headers: Record<string, string>;
    body: string;
    bodyBytes: number;
    headAtMs: number;
    endAtMs: number;
    /** From the first body bytes to the last: 0 when it came all at once. */
    spreadMs: number;
    arrivals: number;
  } | null;
  /** Why no complete response came, and after how long. */
  noResponse: { reason: string; waitedMs: number; message: string; partialStatus: number | null } | null;
  durationMs: number;
}

export interface SideResult {
  side: Side;
  file: string;
  lines: MarkedLine[];
  exchanges: Exchange[];
  /** Client demos: what the program sent to the test server. */
  upstream: UpstreamExchange[];
  /** Set when the program exited during the demo. */
  exit: ExitInfo | null;
  crashed: boolean;
  /** The program's stderr (a crash trace), trimmed. */
  stderr: string;
  stdout: string;
  peakRssMb: number;
  /** Resident memory (MiB) at each of the probe's heartbeats (every 250 ms): the memory curve. */
  rssCurveMb: number[];
  /** Client and proxy demos: what the test server saw. */
  upstreamStats: { connections: number; maxInFlight: number; leftOpen: number } | null;
  /** From the probe: res.write() calls after the response had closed, and read streams never closed. */
  writesAfterClose: number;
  fileStreamsOpen: number;
  /** Proxy demos: from our request to the upstream's first body byte. */
  upstreamBodyDelayMs: number | null;
  /** Shutdown demos: what the program did after the signal. */
  afterSignal?: string;
  /** performance.now() when the requests began (not for display). */
  requestsBeganAt?: number;
  /** The program never listened (the never-listens demo). */
  neverListened?: boolean;
  /** The program did not start (never listened): the demo is broken, not the pitfall. */
  startError: string | null;
  symptom: { observed: boolean; detail: string };
  durationMs: number;
}

export interface DemoResult {
  id: string;
  title: string;
  description: string;
  broken: SideResult;
  fixed: SideResult;
  /** The symptom on the broken side and not on the fixed one. */
  shown: boolean;
}

export type DemoProgress = { side: Side; phase: 'starting' | 'waiting' | 'done'; atMs: number; label: string };

export interface RunDemoOptions {
  onProgress?: (update: DemoProgress) => void;
  signal?: AbortSignal;
}

export async function runDemo(demo: Demo, options: RunDemoOptions = {}): Promise<DemoResult> {
  const scratch = mkdtempSync(join(tmpdir(), `httpdojo-demo-${demo.id}-`));
  // Removed on exit too (Ctrl-C in `explain --demo`): a scratch file may be 128 MiB.
  trackTempDir(scratch);
  try {
    const args = demo.scenario.file ? [makeScratchFile(scratch, demo.scenario.file.sizeMb)] : [];
    const [broken, fixed] = await Promise.all([
      runSide(demo, 'broken', demo.broken, args, options),
      runSide(demo, 'fixed', demo.fixed, args, options),
    ]);
    return {
      id: demo.id,
      title: demo.scenario.title,
      description: demo.scenario.symptom.description,
      broken,
      fixed,
      shown: broken.symptom.observed && !fixed.symptom.observed && !broken.startError && !fixed.startError,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    untrackTempDir(scratch);
  }
}

/** A file of `sizeMb` MiB written in 1 MiB pieces (never held whole in our memory). */
function makeScratchFile(dir: string, sizeMb: number): string {
  const path = join(dir, 'big.bin');
  const piece = Buffer.alloc(1024 * 1024, 'httpdojo ');
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < Math.min(sizeMb, 1024); i++) writeSync(fd, piece);
  } finally {
    closeSync(fd);
  }
  return path;
}

async function runSide(demo: Demo, side: Side, file: string, args: string[], options: RunDemoOptions): Promise<SideResult> {
  const began = performance.now();
  const progress = (phase: DemoProgress['phase'], label: string) => options.onProgress?.({ side, phase, atMs: Math.round(performance.now() - began), label });
  const result: SideResult = {
    side,
    file,
    lines: markedLines(readFileSync(file, 'utf8')),
    exchanges: [],
    upstream: [],
    upstreamStats: null,
    writesAfterClose: 0,
    fileStreamsOpen: 0,
    upstreamBodyDelayMs: null,
    exit: null,
    crashed: false,
    stderr: '',
    stdout: '',
    peakRssMb: 0,
    rssCurveMb: [],
    startError: null,
    symptom: { observed: false, detail: '' },
    durationMs: 0,
  };
  progress('starting', 'starting…');
  // A client (or a proxy) is given the test server's URL as its argument.
  const upstream = demo.scenario.upstream ? await startUpstream(demo.scenario.upstream) : null;
  let program: LearnerProcess | null = null;
  try {
    program = new LearnerProcess({ file, args: upstream ? [upstream.origin] : args });
    if (demo.scenario.kind === 'server') await driveServer(demo, program, result, progress, options.signal);
    else {
      progress('waiting', 'waiting for the program to finish');
      const exit = await program.waitForExit(DEMO_CAP_MS);
      progress('done', exit ? `exited (${exit.code ?? exit.signal})` : `still running after ${(DEMO_CAP_MS / 1000).toFixed(1)} s`);
    }
    if (program.running) await program.waitForEvent('uncaught', { timeoutMs: CRASH_GRACE_MS + (demo.scenario.observeMs ?? 0), signal: options.signal });
    if (program.events.some((event) => event.t === 'uncaught')) await program.waitForExit(1000);
    result.exit = program.exitInfo;
    // Before the program is stopped: stopping it closes whatever it left open.
    const firstBody = upstream?.exchanges.find((item) => item.firstBodyByteAt !== null)?.firstBodyByteAt;
    if (firstBody && result.requestsBeganAt) result.upstreamBodyDelayMs = Math.round(firstBody - result.requestsBeganAt);
    if (upstream) result.upstreamStats = { connections: upstream.connections, maxInFlight: upstream.maxInFlight, leftOpen: upstream.exchanges.filter((item) => !item.settled).length };
    Object.assign(result, probeCounts(program));
  } finally {
    if (program?.running) await program.stop();
    await upstream?.close();
  }
  result.upstream = upstream?.exchanges ?? [];
  result.stderr = program.stderr.text().trim();
  // A crash: an uncaught error, or a non-zero exit with a stack trace (not a client's own `exit 1`).
  result.crashed = program.events.some((event) => event.t === 'uncaught') || (result.exit !== null && result.exit.code !== 0 && result.exit.killedBy === null && /\n\s+at /.test(result.stderr));
  result.stdout = program.stdout.text().trim();
  const ticks = program.events.filter((event): event is EventOf<'tick'> => event.t === 'tick');
  result.rssCurveMb = ticks.slice(0, 40).map((tick) => Math.round(tick.rss / (1024 * 1024)));
  result.peakRssMb = Math.round(Math.max(program.peakRss, ...ticks.map((tick) => tick.rss)) / (1024 * 1024));
  result.symptom = evaluate(demo.scenario.symptom, result);
  result.durationMs = Math.round(performance.now() - began);
  return result;
}

async function driveServer(
  demo: Demo,
  program: LearnerProcess,
  result: SideResult,
  progress: (phase: DemoProgress['phase'], label: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const neverListens = demo.scenario.symptom.kind === 'never-listens';
  if (neverListens) progress('waiting', 'waiting for it to listen…');
  const listen = await program.waitForEvent('listen', { timeoutMs: neverListens ? DEMO_CAP_MS : LISTEN_DEADLINE_MS, signal });
  if (!listen && neverListens) {
    result.neverListened = true;
    progress('done', program.running ? `still not listening after ${(DEMO_CAP_MS / 1000).toFixed(1)} s` : 'exited without listening');
    return;
  }
  if (!listen) {
    result.startError = `the program never listened (${program.stderr.text().trim().split('\n')[0] || 'no output'})`;
    progress('done', result.startError);
    return;
  }
  const httpListen = program.events.find((event): event is EventOf<'listen'> => event.t === 'listen' && event.http) ?? listen;
  const listenedAt = performance.now();
  result.requestsBeganAt = listenedAt;
  const transcript = new Transcript();
  const client = new HttpClient(() => httpListen.port, transcript, signal);
  progress('waiting', 'waiting…');
  const shutdown = demo.scenario.signal;
  let signalledAt = 0;
  const sendSignal = () => {
    if (signalledAt || !shutdown) return;
    signalledAt = performance.now();
    program.signal(shutdown.name);
  };
  const signalTimer = shutdown ? setTimeout(sendSignal, Math.min(shutdown.afterMs, DEMO_CAP_MS)) : undefined;
  const exchanges = await Promise.all((demo.scenario.requests ?? []).map((request) => exchange(client, request, listenedAt, signal)));
  result.exchanges = exchanges;
  const slowest = exchanges.reduce((worst, item) => (item.noResponse ? item : worst), exchanges[exchanges.length - 1]);
  if (!shutdown) {
    progress('done', slowest ? describe(slowest) : 'nothing to send');
    return;
  }
  // A shutdown demo: once the signal is sent, how long does the program take to exit?
  const signalAt = listenedAt + Math.min(shutdown.afterMs, DEMO_CAP_MS);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, signalAt - performance.now())));
  clearTimeout(signalTimer);
  sendSignal();
  progress('waiting', `${shutdown.name} sent; waiting for the program to exit…`);
  const exit = await program.waitForExit(DEMO_CAP_MS);
  result.afterSignal = exit ? `exited ${fmtMs(performance.now() - signalledAt)} after ${shutdown.name}` : `still running ${(DEMO_CAP_MS / 1000).toFixed(1)} s after ${shutdown.name}`;
  progress('done', result.afterSignal);
}

/** What the probe saw that the wire cannot show: writes nobody reads, files left open. */
function probeCounts(program: LearnerProcess): { writesAfterClose: number; fileStreamsOpen: number } {
  const closed = new Set<number>();
  let writesAfterClose = 0;
  const open = new Set<number>();
  for (const event of program.events) {
    if (event.t === 'res-close') closed.add(event.id);
    else if (event.t === 'call' && (event.fn === 'write' || event.fn === 'end') && closed.has(event.id)) writesAfterClose++;
    else if (event.t === 'file-stream') open.add(event.sid);
    else if (event.t === 'file-stream-close') open.delete(event.sid);
  }
  return { writesAfterClose, fileStreamsOpen: open.size };
}
