// A command that shows a failed check again, outside httpdojo, against
// `httpdojo run` (issue 12 §3, as CodeCrafters' tester prints for each request):
// curl where curl can send the same bytes, else a `node -e` one-liner that sends
// them with the same pauses, else `httpdojo replay` (the recorded bytes, too many
// to paste). Pure: a check's wire transcript in, command strings out.

import type { WireEntry } from '../engine/clients/transcript.js';
import type { Reproduction } from '../engine/verdict.js';
import { replaySteps, retarget, type ReplayStep } from './replay-steps.js';

export interface ReproduceInput {
  lesson: { number: number | string; kind: 'server' | 'client' | 'proxy' };
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
  return {
    kind: 'run',
    command: `${input.self} run ${input.lesson.number}${input.fileOption ?? ''}`,
    note:
      `The check ran your program${ran ? ` as ${ran}` : ''} against a test server that exists only while verify runs; this runs it against httpdojo's demo server, ` +
      'the same kind of server (it sends text cut inside a character, /status/<code> answers with that status, a POST of JSON gets 201), not the same bytes. ' +
      `Your own server instead: ${input.self} run ${input.lesson.number}${input.fileOption ?? ''} -- <url>.`,
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

// ---------------------------------------------------------------- curl

interface ParsedRequest {
  method: string;
  target: string;
  headers: Array<[string, string]>;
  body: Buffer;
  chunked: boolean;
}

/** A curl command sending the same request, or null when curl cannot (pauses, several requests on one connection, raw bytes). */
export function curlCommand(steps: ReplayStep[], port: number): string | null {
  const connections = [...new Set(steps.map((step) => step.connection))];
  if (connections.length === 0 || connections.length > 3) return null;
  if (steps.some((step) => step.op === 'pause')) return null;
  const requests: CurlRequest[] = [];
  let spanMs = 0;
  for (const id of connections) {
    const own = steps.filter((step) => step.connection === id);
    // One connection after another only: curl --next does not overlap them.
    const first = steps.indexOf(own[0]);
    const last = steps.lastIndexOf(own[own.length - 1]);
    if (steps.slice(first, last).some((step) => step.connection !== id)) return null;
    const writes = own.filter((step) => step.op === 'write');
    if (writes.some((step) => step.data === null)) return null;
    const request = parseRequest(Buffer.concat(writes.map((step) => step.data as Buffer)));
    const args = request && curlArgs(request, port, own[0].hostPort);
    if (!args) return null;
    requests.push(args);
    spanMs = Math.max(spanMs, own[own.length - 1].atMs - own[0].atMs);
  }
  const piped = requests.filter((request) => request.stdin);
  if (piped.length > 1) return null;
  // Long enough for what the check waited, short enough to show a hang (curl exits 28).
  const maxTime = Math.min(10, Math.max(2, Math.ceil(spanMs / 1000 + 0.5)));
  // --next resets every option: each request repeats them, --max-time included.
  const common = `-sS -i -N --http1.1 --max-time ${maxTime}`;
  const command = `curl ${common} ${requests.map((request) => request.args.join(' ')).join(` --next ${common} `)}`;
  return piped.length ? `${piped[0].stdin} ${command}` : command;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function parseRequest(bytes: Buffer): ParsedRequest | null {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = bytes.subarray(0, end).toString('latin1');
  const [requestLine, ...lines] = head.split('\r\n');
  const match = /^([A-Z]+) (\/[!-~]*) HTTP\/1\.1$/.exec(requestLine);
  if (!match) return null;
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0 || !TOKEN.test(line.slice(0, colon))) return null;
    headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  const rest = bytes.subarray(end + 4);
  const named = (name: string) => headers.filter(([key]) => key.toLowerCase() === name);
  const te = named('transfer-encoding');
  const cl = named('content-length');
  if (te.length > 1 || cl.length > 1 || (te.length && cl.length)) return null;
  if (te.length) {
    if (te[0][1].toLowerCase() !== 'chunked') return null;
    const body = dechunk(rest);
    return body ? { method: match[1], target: match[2], headers, body, chunked: true } : null;
  }
  // Content-Length must say what was sent: curl computes it from the data.
  if (cl.length ? cl[0][1] !== String(rest.length) : rest.length > 0) return null;
  return { method: match[1], target: match[2], headers, body: rest, chunked: false };
}

function dechunk(data: Buffer): Buffer | null {
  const parts: Buffer[] = [];
  let at = 0;
  for (let guard = 0; guard < 100_000; guard++) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isInteger(size) || size < 0) return null;
    at = lineEnd + 2;
    if (size === 0) return data.subarray(at).equals(Buffer.from('\r\n')) ? Buffer.concat(parts) : null;
    parts.push(data.subarray(at, at + size));
    if (!data.subarray(at + size, at + size + 2).equals(Buffer.from('\r\n'))) return null;
    at += size + 2;
  }
  return null;
}

interface CurlRequest {
  /** `printf '…' |` when the body has bytes a shell word cannot hold (NUL, control bytes, a cut character). */
  stdin: string | null;
  args: string[];
}

function curlArgs(request: ParsedRequest, port: number, recordedHost: string | null): CurlRequest | null {
  const args: string[] = [];
  const hasBody = request.body.length > 0 || request.headers.some(([name]) => name.toLowerCase() === 'content-length');
  let stdin: string | null = null;
  if (request.method === 'HEAD' && !hasBody) args.push('-I');
  else if (!(request.method === 'GET' && !hasBody) && !(request.method === 'POST' && hasBody)) args.push(`-X ${request.method}`);
  const hosts = request.headers.filter(([name]) => name.toLowerCase() === 'host');
  if (hosts.length > 1) return null;
  // The check's own Host (127.0.0.1 and the port verify gave the program) is what curl sends for the URL.
  if (hosts.length === 0) args.push(`-H ${shellWord('Host:')}`);
  else if (hosts[0][1] === '') args.push(`-H ${shellWord('Host;')}`);
  else if (hosts[0][1] !== recordedHost) {
    const value = printable(hosts[0][1]);
    if (value === null) return null;
    args.push(`-H ${shellWord(`Host: ${value}`)}`);
  }
  for (const [name, raw] of request.headers) {
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === 'content-length') continue;
    const value = printable(raw);
    if (value === null) return null;
    // `Name;` is curl's way to send a header with an empty value (`Name:` would remove it).
    args.push(`-H ${shellWord(value === '' ? `${name};` : `${name}: ${value}`)}`);
  }
  if (hasBody) {
    // curl adds Expect: 100-continue to larger bodies and waits for it; the check did not.
    args.push(`-H ${shellWord('Expect:')}`);
    const text = shellText(request.body);
    if (text !== null) args.push(`--data-binary ${text}`);
    else {
      stdin = `printf ${printfFormat(request.body)} |`;
      args.push('--data-binary @-');
    }
  }
  // --path-as-is: send ../ and // as they are; -g: [] and {} are not globs.
  if (/\/\.|\/\//.test(request.target)) args.push('--path-as-is');
  if (/[[\]{}]/.test(request.target)) args.push('-g');
  args.push(shellWord(`http://127.0.0.1:${port}${request.target}`));
  return { stdin, args };
}

/** Latin-1 header text back to bytes, as UTF-8 text when it is printable; null for control bytes or invalid UTF-8. */
function printable(latin1: string): string | null {
  const bytes = Buffer.from(latin1, 'latin1');
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes) || /[\u0000-\u001f\u007f]/.test(text)) return null;
  return text;
}

// ---------------------------------------------------------------- shell quoting

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One shell word for printable text: as it is when safe, else in single quotes ('\'' for a quote). */
export function shellWord(text: string): string {
  if (text !== '' && SAFE_WORD.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Bytes as one shell word when they are printable UTF-8 text (no control bytes), else null. */
export function shellText(bytes: Buffer): string | null {
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes) || /[\u0000-\u001f\u007f]/.test(text)) return null;
  return shellWord(text);
}

/**
 * Any bytes as a POSIX printf format in single quotes: printable UTF-8 as it is,
 * \n \r \t, other bytes (NUL, a character cut in half) as \ooo octal, % as %%.
 * printf(1) in POSIX: https://pubs.opengroup.org/onlinepubs/9699919799/utilities/printf.html
 */
export function printfFormat(bytes: Buffer): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i];
    const length = byte >= 0xf0 && byte < 0xf8 ? 4 : byte >= 0xe0 && byte < 0xf0 ? 3 : byte >= 0xc2 && byte < 0xe0 ? 2 : 1;
    if (length > 1) {
      const sequence = bytes.subarray(i, i + length);
      const text = sequence.toString('utf8');
      if (sequence.length === length && Buffer.from(text, 'utf8').equals(sequence)) {
        out += text;
        i += length;
        continue;
      }
    }
    if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x09) out += '\\t';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x25) out += '%%';
    else if (byte === 0x27) out += `'\\''`;
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
    i++;
  }
  return `'${out}'`;
}

// ---------------------------------------------------------------- node -e

/** Bytes as a JavaScript string literal of Latin-1 characters: printable ASCII as it is, the rest \xNN (no ' for the shell). */
export function jsBytes(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte >= 0x20 && byte < 0x7f && byte !== 0x27) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `"${out}"`;
}

/**
 * A `node -e` one-liner: each step at its recorded time (so the check's pauses
 * and its waits for an answer are kept), received bytes to stdout, what happened
 * to each connection to stderr; exits 56 after a reset, as curl does.
 */
export function nodeCommand(steps: ReplayStep[], port: number): string {
  // Pauses need no step: every step waits for its recorded time, and for the
  // bytes the check had received on its connection first (2 s at most; or until
  // what did come has been quiet for 200 ms: the answer can differ in length).
  const code = { connect: 'c', write: 'w', close: 'x' } as const;
  const list = steps
    .filter((step) => step.op !== 'pause')
    .map((step) => {
      const data = step.op === 'write' ? jsBytes(step.data as Buffer) : step.afterReceived ? '0' : '';
      return `[${step.atMs},${step.connection},"${code[step.op as keyof typeof code]}"${data ? `,${data}` : ''}${step.afterReceived ? `,${step.afterReceived}` : ''}]`;
    })
    .join(',');
  const script =
    `const net=require("net"),S={},R={},L={},T=Date.now(),P=${port},w=m=>new Promise(r=>setTimeout(r,m));` +
    `const say=(n,m)=>process.stderr.write("\\n["+n+"] "+m+" at +"+(Date.now()-T)+" ms\\n");` +
    `(async()=>{for(const[at,n,op,d,r=0]of[${list}]){await w(at-(Date.now()-T));` +
    `for(const u=Date.now()+2000;S[n]&&!S[n].destroyed&&(R[n]||0)<r&&!(R[n]&&Date.now()-L[n]>200)&&Date.now()<u;)await w(10);` +
    `if(op=="c"){const s=S[n]=net.connect(P,"127.0.0.1");s.on("data",b=>{R[n]=(R[n]||0)+b.length;L[n]=Date.now();process.stdout.write(b)});` +
    `s.on("error",e=>{say(n,e.code);if(e.code=="ECONNRESET")process.exitCode=56});s.on("close",()=>say(n,"closed"))}` +
    `else if(op=="w")S[n].write(Buffer.from(d,"latin1"));else if(op=="x"&&!S[n].destroyed){say(n,"we close it");S[n].destroy()}}` +
    `setTimeout(()=>{for(const s of Object.values(S))s.destroy()},3000).unref()})()`;
  return `node -e '${script}'`;
}

/** Longest command the pretty report shows in full; a longer one-liner is shown as its `httpdojo replay` (JSON has both). */
const SHOWN_MAX = 400;

/** The command to show a person: in full when short, else the replay of the same bytes. */
export function shownCommand(reproduction: Reproduction, maxLength = SHOWN_MAX): { command: string; note: string } {
  if (reproduction.command.length <= maxLength || !reproduction.replay) return { command: reproduction.command, note: reproduction.note };
  return { command: reproduction.replay, note: reproduction.note.replace(NODE_SAYS, `${NODE_SAYS.replace(/\.$/, '')} (verify --json also has a node -e one-liner that does the same).`) };
}
