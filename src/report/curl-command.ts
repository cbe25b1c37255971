// A curl command that sends the bytes a check sent (reproduce.ts): one request
// per connection, parsed back from the wire, each header and the body as curl
// options; null whenever curl could not send the very same bytes.

import type { ReplayStep } from './replay-steps.js';
import { printfFormat, shellText, shellWord } from './shell-quote.js';

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
