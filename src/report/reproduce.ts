// A command that shows a failed check again, outside httpdojo, against
// `httpdojo run` (issue 12 §3, as CodeCrafters' tester prints for each request):
// curl where curl can send the same bytes, else a `node -e` one-liner that sends
// them with the same pauses, else `httpdojo replay` (the recorded bytes, too many
// to paste). Pure: a check's wire transcript in, command strings out.

import type { WireEntry } from '../engine/clients/transcript.js';
import type { Reproduction } from '../engine/verdict.js';
import { curlCommand } from './curl-command.js';
import { nodeCommand } from './node-command.js';
import { replaySteps, retarget } from './replay-steps.js';
import { shellWord } from './shell-quote.js';

// The pieces, for their callers and tests.
export { curlCommand, parseRequest } from './curl-command.js';
export { jsBytes, nodeCommand } from './node-command.js';
export { printfFormat, shellText, shellWord } from './shell-quote.js';

export interface ReproduceInput {
  lesson: { number: number | string; kind: 'server' | 'client' | 'proxy'; certs?: boolean };
  checkId: string;
  /** The port the program asked listen() for (where `httpdojo run` listens); null when it asked for none. */
  port: number | null;
  wire: WireEntry[];
  /** How to call httpdojo here: `httpdojo` or `npx httpdojo`. */
  self: string;
  /** ` --file <path>` when `httpdojo run` would not pick the verified file by itself. */
  fileOption?: string;
}

/** Bytes a `node -e` one-liner may carry before `httpdojo replay` is the better paste. */
const NODE_MAX_BYTES = 2048;
const NODE_MAX_STEPS = 40;
const NODE_SAYS = "It sends the check's exact bytes, pauses included, and prints what comes back.";

export function reproduce(input: ReproduceInput): Reproduction {
  const { lesson, self } = input;
  const runIt = `${self} run ${lesson.number}${input.fileOption ?? ''}${restartArgs(input.wire)}`;
  if (lesson.kind === 'client') return clientReproduction(input);
  const steps = replaySteps(input.wire);
  const port = input.port ?? 3000;
  const where = input.port
    ? `First start your program with \`${runIt}\` (it listens on ${port} there, as it asked)`
    : `First start your program with \`${runIt}\`; it asked listen() for no fixed port, so put the port it prints in place of ${port}`;
  const upstream =
    lesson.kind === 'proxy' && !restartArgs(input.wire)
      ? ', which starts a plain test upstream for it (the check\'s own upstream answers, slow, cut or hanging up, exist only while verify runs)'
      : '';
  if (!steps.some((step) => step.op === 'write')) {
    // Lessons 16 and 18: the check spoke TLS (or HTTP/2) through ctx.tls, whose bytes
    // are not replayable plain text; curl with the lesson's CA asks the same way.
    if (lesson.certs) {
      return {
        kind: 'run',
        command: runIt,
        note: `This check spoke HTTPS${lesson.kind === 'server' ? ' (and HTTP/2)' : ''}, which replay cannot resend: start your program with \`${runIt}\`, then try \`curl -i --cacert certs/ca-cert.pem https://localhost:${port}/\` (add --http1.1 or --http2 to choose the protocol, -X POST for another method).`,
      };
    }
    return { kind: 'run', command: runIt, note: `This check sent no request: run your program and watch what it does (what it prints, when it exits).` };
  }
  const symptom = symptomOf(input.wire);
  const before = `${where}${upstream}; then, in another terminal, run this.${symptom ? ` ${symptom}` : ''}`;
  const replay = `${self} replay ${lesson.number} ${input.checkId}${input.port ? '' : ` --port ${port}`}`;
  const signals = steps.some((step) => step.op === 'signal');
  const curl = signals ? null : curlCommand(steps, port);
  if (curl) return { kind: 'curl', command: curl, note: before, replay };
  const complete = steps.every((step) => step.op !== 'write' || step.data !== null);
  const bytes = steps.reduce((sum, step) => sum + (step.op === 'write' && step.data ? step.data.length : 0), 0);
  if (!signals && complete && bytes <= NODE_MAX_BYTES && steps.length <= NODE_MAX_STEPS) {
    return { kind: 'node', command: nodeCommand(retarget(steps, port), port), note: `${before} ${NODE_SAYS}`, replay };
  }
  if (signals) {
    return {
      kind: 'replay',
      command: replay,
      note: `${where}; then, in another terminal, run this. It sends the check's exact bytes at their recorded times and, when the check did, the same signal to the program listening on ${port} (found through /proc, on Linux), and prints what comes back.`,
    };
  }
  return {
    kind: 'replay',
    command: replay,
    note: `${before} It sends the exact bytes this check sent in your last verify (${bytes.toLocaleString('en-US')} bytes${complete ? '' : ', some summarised'}), pauses included, and prints what comes back.`,
  };
}

function clientReproduction(input: ReproduceInput): Reproduction {
  const ran = input.wire.find((entry) => entry.direction === 'note' && entry.note?.startsWith('we ran:'))?.note?.replace(/^we ran:\s*/, '');
  // Lessons 17 and 19: the demo server speaks TLS with the lesson's own certificate,
  // so a client that trusts too much looks right there; only verify presents bad ones.
  const tls = input.lesson.certs;
  return {
    kind: 'run',
    command: `${input.self} run ${input.lesson.number}${input.fileOption ?? ''}`,
    note:
      `The check ran your program${ran ? ` as ${ran}` : ''} against a test server that exists only while verify runs; this runs it against httpdojo's demo server, ` +
      (tls
        ? "the same kind of server over HTTPS and HTTP/2 with the lesson's localhost certificate (it sends text cut inside a character, /status/<code> answers with that status), not the same bytes, and never a certificate your client must refuse. "
        : 'the same kind of server (it sends text cut inside a character, /status/<code> answers with that status, a POST of JSON gets 201), not the same bytes. ') +
      `Your own server instead: ${input.self} run ${input.lesson.number}${input.fileOption ?? ''} -- ${tls ? '<url> certs/ca-cert.pem' : '<url>'}.`,
  };
}

/** What the check saw that the command should show again, in curl's or node's terms. */
function symptomOf(wire: WireEntry[]): string {
  if (wire.some((entry) => entry.direction === 'reset')) return 'The check saw the connection reset: curl exits 56 (or 52), the one-liner prints ECONNRESET.';
  const gaveUp = wire.find((entry) => entry.direction === 'note' && entry.note === 'we closed the connection');
  const lastSent = [...wire].reverse().find((entry) => entry.direction === 'sent' || entry.direction === 'received');
  if (gaveUp && lastSent && gaveUp.atMs - lastSent.atMs >= 1500) {
    return `The check waited ${((gaveUp.atMs - lastSent.atMs) / 1000).toFixed(1)} s for the rest of the response: curl gives up at --max-time (exit 28).`;
  }
  return '';
}

/**
 * The check restarted the program with other arguments (lesson 13: an upstream
 * that is not there): ` -- <args>` for `httpdojo run`, a closed port made port 1,
 * where nothing listens.
 */
function restartArgs(wire: WireEntry[]): string {
  for (const entry of wire) {
    const match = entry.direction === 'note' ? /^we restart your (?:program|proxy|server) with ([^\s,]+)(,? then close that port)?/.exec(entry.note ?? '') : null;
    if (!match) continue;
    const arg = match[2] ? match[1].replace(/:\d+$/, ':1') : match[1];
    return ` -- ${shellWord(arg)}`;
  }
  return '';
}

/** Longest command the pretty report shows in full; a longer one-liner is shown as its `httpdojo replay` (JSON has both). */
const SHOWN_MAX = 400;

/** The command to show a person: in full when short, else the replay of the same bytes. */
export function shownCommand(reproduction: Reproduction, maxLength = SHOWN_MAX): { command: string; note: string } {
  if (reproduction.command.length <= maxLength || !reproduction.replay) return { command: reproduction.command, note: reproduction.note };
  return { command: reproduction.replay, note: reproduction.note.replace(NODE_SAYS, `${NODE_SAYS.replace(/\.$/, '')} (verify --json also has a node -e one-liner that does the same).`) };
}
