// httpdojo replay <lesson> <check> [--port n]
// Sends the exact bytes a failed check sent in the last verify of the lesson,
// each at its recorded time (pauses, a character cut across writes, an upload
// aborted halfway, a connection kept alive), to the program `httpdojo run` runs,
// and prints what comes back: the bytes on stdout, what happened to each
// connection on stderr; a signal the check sent the program (lesson 14) goes to
// the process listening on the port. Exits 56 after a reset and 28 when the
// server was still silent at our deadline, as curl does; 7 when nothing listens.

import net from 'node:net';
import type { ReplayStep } from '../../report/replay-steps.js';
import { retarget } from '../../report/replay-steps.js';
import { styleFor } from '../../report/style.js';
import { listeningPid } from '../listening-pid.js';
import { loadReplay, replayDir, storedChecks } from '../../workspace/replay-store.js';
import { CliError, EXIT } from '../exit-codes.js';
import { learnerContext, pickLesson, selfCommand } from '../workspace-context.js';
import type { OptionsOf } from '../options.js';

type ReplayFlags = OptionsOf<'replay'>;

/** After the last step: how long to keep reading what comes back. */
const LINGER_MS = 3000;
const CONNECT_MS = 2000;
const DRAIN_MS = 2000;
/** How much longer than in verify a step may wait for the bytes the check had received before it. */
const ANSWER_SLACK_MS = 2000;
const QUIET_MS = 200;

export async function run([lessonName, checkId]: string[], flags: ReplayFlags): Promise<number> {
  const context = learnerContext(flags);
  const lesson = pickLesson(context, lessonName || undefined);
  const self = selfCommand();
  const dir = replayDir(context.workspace?.root ?? null);
  if (!checkId) throw new CliError(`which check? ${describeStored(dir, lesson.id, lesson.number, self)}`);
  const replay = loadReplay(dir, lesson.id, checkId);
  if (!replay) throw new CliError(`no recorded bytes for "${checkId}" of ${lesson.id}: ${describeStored(dir, lesson.id, lesson.number, self)}`, 'missing-file');
  const port = flags.port ? Number(flags.port) : (replay.port ?? 3000);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new CliError(`--port must be a port number, not ${flags.port}`);
  const style = styleFor(process.stderr);
  const say = (text: string) => process.stderr.write(style.dim(`${text}\n`));
  say(`Replaying "${checkId}" of ${lesson.id} to 127.0.0.1:${port}${replay.incomplete ? ' (some bytes were summarised in the verify, not kept: only the kept ones are sent)' : ''}`);
  return replaySteps(retarget(replay.steps, port), port, say);
}

function describeStored(dir: string, lessonId: string, number: number | string, self: string): string {
  const stored = storedChecks(dir, lessonId);
  return stored.length ? `the last verify of ${lessonId} failed ${stored.map((id) => `"${id}"`).join(', ')}` : `run ${self} verify ${number} first (here, in the same workspace); replay sends what a failed check sent`;
}

async function replaySteps(steps: ReplayStep[], port: number, say: (text: string) => void): Promise<number> {
  const sockets = new Map<number, net.Socket>();
  const received = new Map<number, number>();
  const lastData = new Map<number, number>();
  const outcome = { reset: false, refused: false, connected: false, silent: new Set<number>() };
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  for (const step of steps) {
    if (outcome.refused) break;
    if (step.op === 'pause') {
      await sleep(step.pauseMs ?? 0);
      continue;
    }
    await sleep(step.atMs - elapsed());
    // What the check had received first (the response before a close, the first answer before a second request).
    const socket = sockets.get(step.connection);
    const until = performance.now() + ANSWER_SLACK_MS;
    // Or until what did come has been quiet for 200 ms: the answer may differ in length (a Date, the program's state).
    const waiting = () => (received.get(step.connection) ?? 0) < (step.afterReceived ?? 0) && !((received.get(step.connection) ?? 0) > 0 && performance.now() - (lastData.get(step.connection) ?? 0) > QUIET_MS);
    while (socket && !socket.destroyed && waiting() && performance.now() < until) await sleep(10);
    if (step.op === 'connect') {
      const opened = await connect(port, step.connection, outcome, say, elapsed);
      if (opened) {
        sockets.set(step.connection, opened);
        opened.on('data', (data: Buffer) => {
          received.set(step.connection, (received.get(step.connection) ?? 0) + data.length);
          lastData.set(step.connection, performance.now());
        });
      }
    } else if (step.op === 'write') {
      if (socket && step.data && !socket.destroyed) await write(socket, step.data);
    } else if (step.op === 'signal' && step.signal) {
      signalProgram(step.signal, port, say, elapsed);
    } else if (step.op === 'close') {
      if (socket && !socket.destroyed) {
        if (outcome.silent.has(step.connection)) say(`[${step.connection}] nothing came back; we close the connection at +${elapsed()} ms, as the check did`);
        else say(`[${step.connection}] we close the connection at +${elapsed()} ms, as the check did`);
        socket.destroy();
      }
    }
  }
  // Read what is still coming, then stop: every wait has a deadline.
  const until = performance.now() + LINGER_MS;
  while ([...sockets.values()].some((socket) => !socket.destroyed) && performance.now() < until) await sleep(50);
  let stillOpen = false;
  for (const [id, socket] of sockets) {
    if (socket.destroyed) continue;
    stillOpen = true;
    say(`[${id}] still open ${LINGER_MS / 1000} s after the last step; we close it`);
    socket.destroy();
  }
  if (outcome.refused) return 7;
  if (outcome.reset) return 56;
  return stillOpen ? 28 : EXIT.ok;
}

/** The check signalled the program here (lesson 14): the same signal to whatever listens on the port. */
function signalProgram(signal: string, port: number, say: (text: string) => void, elapsed: () => number): void {
  const pid = listeningPid(port);
  if (pid === null || pid === process.pid) {
    say(`the check sent ${signal} to your program here; no process listening on ${port} could be found to send it to (Linux only): send it yourself`);
    return;
  }
  try {
    process.kill(pid, signal as NodeJS.Signals);
    say(`${signal} sent to pid ${pid} (listening on ${port}) at +${elapsed()} ms, as the check did`);
  } catch (error) {
    say(`could not send ${signal} to pid ${pid}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function connect(port: number, id: number, outcome: { reset: boolean; refused: boolean; connected?: boolean; silent: Set<number> }, say: (text: string) => void, elapsed: () => number): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    outcome.silent.add(id);
    // Only this connection's own refusal silences its close: an earlier connection
    // closed by a program that stopped (lesson 14's SIGTERM) is still reported, in
    // whichever order the two events arrive.
    let refusedHere = false;
    const timer = setTimeout(() => {
      say(`[${id}] could not connect to 127.0.0.1:${port} within ${CONNECT_MS / 1000} s`);
      refusedHere = true;
      socket.destroy();
      outcome.refused = true;
      resolve(null);
    }, CONNECT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      outcome.connected = true;
      resolve(socket);
    });
    socket.on('data', (data: Buffer) => {
      outcome.silent.delete(id);
      process.stdout.write(data);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ECONNREFUSED') {
        say(outcome.connected
          ? `[${id}] refused at +${elapsed()} ms: nothing listens on 127.0.0.1:${port} any more`
          : `[${id}] nothing listens on 127.0.0.1:${port}: start your program with httpdojo run first (or pass --port)`);
        refusedHere = true;
        outcome.refused = true;
        resolve(null);
        return;
      }
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') outcome.reset = true;
      say(`[${id}] ${error.code ?? error.message} at +${elapsed()} ms`);
    });
    socket.on('close', () => {
      if (!refusedHere) say(`[${id}] closed at +${elapsed()} ms${outcome.silent.has(id) ? ' without a byte of answer' : ''}`);
    });
  });
}

/** Writes and waits for the socket to drain (a server that stops reading: 2 s, then on). */
function write(socket: net.Socket, data: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (socket.write(data)) return resolve();
    const done = () => {
      clearTimeout(timer);
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, DRAIN_MS);
    socket.once('drain', done);
    socket.once('close', done);
  });
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
