// Lesson 08: a static file server for the folder given as argv[2].
// - GET /files/<path> serves <root>/<path> (sub-folders, percent-decoded): 200,
//   Content-Length = the file size, Content-Type by extension; HEAD gets the head;
// - a missing file or a folder: 404 {"error":"Not found"}, and the server stays up;
// - a path that would leave the root is never served: 403 or 404;
// - other methods on /files/…: 405 with Allow: GET, HEAD; other paths: 404;
// - a 128 MiB file is streamed (memory does not grow by its size) and a client
//   that leaves mid-download does not leave the file open.
//
// setup() builds the folder at verify time (nothing big is committed): files of
// each type, a sub-folder, a sparse 128 MiB file, a secret next to the root and a
// sibling folder "<root>-secret" (which `startsWith(root)` without a separator lets
// through).
//
// Not sent on purpose: symbolic links, Range requests, upper-case extensions,
// "/files" without its slash.
import { mkdir, open, realpath, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { CheckContext, Connection, HttpResponse, LessonChecks, Location, RequestOptions } from 'httpdojo/check';

const ROOT_NAME = 'site';
const MIB = 1024 * 1024;
/** node20-facts.md: 64 MiB is too close to a streaming server's own growth (22–36 MiB). */
const BIG_SIZE = 128 * MIB;
/**
 * Memory growth that counts as "the whole file in memory" when the probe saw no
 * readFile: buffering measured +128 MiB, streaming +31–36 MiB.
 */
const BUFFERED_GROWTH = 0.75 * BIG_SIZE;
/** 128 MiB over loopback takes well under a second; a loaded machine gets more room than the usual 2 s. */
const BIG_TIMEOUT_MS = 15_000;
/**
 * The big file's first 64 KiB: short text lines, so that the wire view of a download
 * (which keeps the first 16 KiB of each connection) reads as lines, not as escaped zeros.
 */
const BIG_HEAD = Buffer.from(Array.from({ length: 2048 }, (_, i) => `big.bin, line ${String(i + 1).padStart(6, '0')}`.padEnd(31, '.') + '\n').join(''));
const ABORTS = 10;
const ABORT_AFTER_BYTES = 1 * MIB;
/** A destroyed stream closes its descriptor within milliseconds; this is the patience on a loaded machine. */
const CLOSE_WAIT_MS = 2000;
const NOT_FOUND = { error: 'Not found' };
const SECRET = 'TOP-SECRET-httpdojo-7c1e';

interface FileSpec {
  /** Path under the root, as on disk. */
  name: string;
  /** The request target for it. */
  target: string;
  type: string;
  /** Content-Type must also say charset=utf-8. */
  charset?: boolean;
  content: Buffer;
}

interface Data {
  root: string;
  files: FileSpec[];
  big: string;
  /** The big file's real path, as /proc/<pid>/fd shows it. */
  bigReal: string;
  /** The folder that holds the root, the secret and the sibling folder. */
  parent: string;
}

const FILES: FileSpec[] = [
  { name: 'hello.txt', target: '/files/hello.txt', type: 'text/plain', charset: true, content: Buffer.from('hello\n') },
  { name: 'page.html', target: '/files/page.html', type: 'text/html', charset: true, content: Buffer.from('<!doctype html>\n<h1>Héllo</h1>\n') },
  { name: 'data.json', target: '/files/data.json', type: 'application/json', content: Buffer.from('{"items":[1,2,3]}\n') },
  { name: 'style.css', target: '/files/style.css', type: 'text/css', content: Buffer.from('body { color: #333; }\n') },
  { name: 'app.js', target: '/files/app.js', type: 'text/javascript', content: Buffer.from("console.log('hi');\n") },
  // Bytes that are not UTF-8: a server that turns the file into a string breaks them.
  { name: 'logo.png', target: '/files/logo.png', type: 'application/octet-stream', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80, 0x7f]) },
  { name: 'docs/guide.txt', target: '/files/docs/guide.txt', type: 'text/plain', charset: true, content: Buffer.from('a guide in a sub-folder\n') },
  { name: 'docs/with space.txt', target: '/files/docs/with%20space.txt', type: 'text/plain', charset: true, content: Buffer.from('a name with a space\n') },
  { name: 'docs/café.txt', target: '/files/docs/caf%C3%A9.txt', type: 'text/plain', charset: true, content: Buffer.from('a name with an é\n') },
];

export default {
  async setup({ tempDir }) {
    const root = join(tempDir, ROOT_NAME);
    await mkdir(join(root, 'docs'), { recursive: true });
    await mkdir(join(tempDir, `${ROOT_NAME}-secret`));
    for (const file of FILES) await writeFile(join(root, file.name), file.content);
    await writeFile(join(tempDir, 'secret.txt'), `${SECRET} (next to the root)\n`);
    await writeFile(join(tempDir, `${ROOT_NAME}-secret`, 'secret.txt'), `${SECRET} (in the sibling folder)\n`);
    // 128 MiB in milliseconds: a sparse file (truncate), readable text at the start
    // and a marker at the end.
    const big = join(root, 'big.bin');
    const handle = await open(big, 'w');
    try {
      await handle.truncate(BIG_SIZE);
      await handle.write(BIG_HEAD, 0, BIG_HEAD.length, 0);
      await handle.write(Buffer.from('END'), 0, 3, BIG_SIZE - 3);
    } finally {
      await handle.close();
    }
    const data: Data = { root, files: FILES, big, bigReal: await realpath(big), parent: tempDir };
    return { args: [root], data };
  },
  checks: [
    {
      id: 'serves-text-file',
      title: 'GET /files/hello.txt gets 200, text/plain; charset=utf-8, Content-Length 6 and the file',
      async run(ctx) {
        await expectFile(ctx, FILES[0]);
      },
    },
    {
      id: 'content-types',
      title: 'Content-Type follows the extension: .html .json .css .js, and application/octet-stream for others (.png)',
      async run(ctx) {
        for (const file of FILES.slice(1, 6)) await expectFile(ctx, file);
      },
    },
    {
      id: 'sub-folders-and-escapes',
      title: 'files in sub-folders are served, the path percent-decoded (docs/with%20space.txt, docs/caf%C3%A9.txt)',
      async run(ctx) {
        for (const file of FILES.slice(6)) await expectFile(ctx, file);
      },
    },
    {
      id: 'head',
      title: 'HEAD /files/page.html gets the same status and headers as GET, and no body',
      async run(ctx) {
        const file = FILES[1];
        const get = await send(ctx, 'GET', file.target);
        const res = await send(ctx, 'HEAD', file.target);
        ctx.expect(res).status(200).contentType(file.type).header('Content-Length', String(file.content.length));
        if (res.headers['content-type'] !== get.headers['content-type']) {
          ctx.fail('wrong-header', `We sent GET and HEAD ${file.target}; GET had Content-Type ${JSON.stringify(get.headers['content-type'])}, HEAD had ${JSON.stringify(res.headers['content-type'])}: HEAD must get the same headers.`, await lastCallAt(ctx, 'HEAD', file.target, ['writeHead', 'setHeader']));
        }
      },
    },
    {
      id: 'missing-file-404',
      title: 'a missing file gets 404 {"error":"Not found"} and the server stays up',
      async run(ctx) {
        for (const target of ['/files/nope.txt', '/files/docs/nope.txt', '/files/no-such-folder/nope.txt']) {
          const res = await send(ctx, 'GET', target, {}, 'a file that does not exist');
          ctx.expect(res).status(404).contentType('application/json').json(NOT_FOUND);
        }
        ctx.note('the server must still serve files after those 404s');
        await expectFile(ctx, FILES[0]);
      },
    },
    {
      id: 'directory-404',
      title: 'a folder (/files/docs, /files/docs/, /files/) gets 404 {"error":"Not found"}',
      async run(ctx) {
        for (const target of ['/files/docs', '/files/docs/', '/files/']) {
          const res = await send(ctx, 'GET', target, {}, 'a folder, not a file');
          ctx.expect(res).status(404).contentType('application/json').json(NOT_FOUND);
        }
      },
    },
    {
      id: 'no-path-traversal',
      title: 'paths that leave the root (..%2f, %2e%2e%2f, a sibling "site-secret" folder, doubled slashes, absolute paths) get 403 or 404',
      async run(ctx) {
        const { parent } = ctx.data as Data;
        const secretPath = join(parent, 'secret.txt');
        const fromSlash = secretPath.split(sep).filter(Boolean).map(encodeURIComponent).join('%2f');
        const attempts: Array<{ target: string; sibling?: boolean }> = [
          { target: '/files/..%2fsecret.txt' },
          { target: '/files/%2e%2e%2fsecret.txt' },
          { target: '/files/docs%2f..%2f..%2fsecret.txt' },
          { target: `/files/${'..%2f'.repeat(24)}${fromSlash}` },
          { target: `/files/..%2f${ROOT_NAME}-secret%2fsecret.txt`, sibling: true },
          { target: `/files/%2e%2e%2f${ROOT_NAME}-secret%2fsecret.txt`, sibling: true },
          { target: '/files/../secret.txt' },
          { target: '/files/docs/../../secret.txt' },
          { target: `/files/%2f${fromSlash}` },
          { target: `/files/${secretPath.split(sep).map(encodeURIComponent).join('/')}` },
        ];
        const leaked: string[] = [];
        let siblingOnly = true;
        for (const { target, sibling } of attempts) {
          const res = await send(ctx, 'GET', target);
          if (res.body.includes(SECRET)) {
            leaked.push(target);
            if (!sibling) siblingOnly = false;
            continue;
          }
          if (res.status !== 403 && res.status !== 404) {
            ctx.fail('wrong-status', `We sent GET ${target}, a path outside the root; expected 403 or 404, got status ${res.status} with ${describeBody(res)}.`, await lastCallAt(ctx, 'GET', target));
          }
        }
        if (leaked.length > 0) {
          const which = siblingOnly
            ? `: "${ROOT_NAME}-secret" starts with "${ROOT_NAME}", so a containment test like full.startsWith(root) without a separator lets the sibling folder through`
            : `: after decoding, "..%2f" is "../", and the path built from it climbs out of the root unless the resolved path is checked`;
          ctx.fail(
            'path-traversal',
            `We sent ${leaked.length === 1 ? `GET ${leaked[0]}` : `${leaked.length} requests such as GET ${leaked[0]}`}; your server answered with the contents of a secret file outside the root folder${which}.`,
            traversalLocation(ctx, siblingOnly),
          );
        }
      },
    },
    {
      id: 'other-methods-405',
      title: 'POST, PUT and DELETE on /files/hello.txt get 405 with Allow: GET, HEAD',
      async run(ctx) {
        const attempts: Array<[string, string?]> = [['POST', 'uploaded'], ['PUT', 'replaced'], ['DELETE']];
        for (const [method, body] of attempts) {
          const target = '/files/hello.txt';
          const res = await send(ctx, method, target, body === undefined ? {} : { body });
          ctx.expect(res).status(405);
          const allow = res.headers.allow;
          const methods = new Set(allow?.split(',').map((name) => name.trim().toUpperCase()).filter(Boolean) ?? []);
          if (allow === undefined) {
            ctx.fail('missing-allow-header', `We sent ${method} ${target}; your server answered 405 without an Allow header: a 405 must say which methods the resource does accept (Allow: GET, HEAD).`, await lastCallAt(ctx, method, target, ['writeHead', 'statusCode']));
          }
          if (methods.size !== 2 || !methods.has('GET') || !methods.has('HEAD')) {
            ctx.fail('wrong-header', `We sent ${method} ${target}; expected Allow: GET, HEAD with the 405, got Allow: ${allow}.`, await lastCallAt(ctx, method, target, ['writeHead', 'setHeader']));
          }
        }
      },
    },
    {
      id: 'outside-files-404',
      title: 'paths outside /files/ (/, /hello.txt, /static/hello.txt, POST /upload) get 404 {"error":"Not found"}',
      async run(ctx) {
        const attempts: Array<[string, string]> = [['GET', '/'], ['GET', '/hello.txt'], ['GET', '/static/hello.txt'], ['POST', '/upload']];
        for (const [method, target] of attempts) {
          const res = await send(ctx, method, target, method === 'POST' ? { body: 'x' } : {});
          ctx.expect(res).status(404).contentType('application/json').json(NOT_FOUND);
        }
      },
    },
    {
      id: 'large-file-streamed',
      title: 'a 128 MiB file is served whole, streamed: the server does not hold the file in memory',
      timeoutMs: BIG_TIMEOUT_MS + 5000,
      async run(ctx) {
        const { big } = ctx.data as Data;
        const target = '/files/big.bin';
        const before = ctx.server.memory();
        const peakBefore = before.peak;
        let response;
        const connection = await ctx.http.connect();
        try {
          response = await download(ctx, connection, target, BIG_TIMEOUT_MS);
        } catch (error) {
          const evidence = bufferingEvidence(ctx, big, 0);
          if (evidence) ctx.fail('buffers-whole-file', `We sent GET ${target} (128 MiB) and got no complete response; ${evidence.text}`, evidence.at);
          throw error;
        } finally {
          connection.destroy();
        }
        const after = ctx.server.memory();
        const ticks = ctx.server.eventsOf('tick').map((tick) => tick.rss);
        const peak = Math.max(...ticks, after.peak > peakBefore ? after.peak : 0);
        const growth = before.rss === null || peak === 0 ? 0 : Math.max(0, peak - before.rss);
        ctx.note(`the server's resident memory grew by ${mib(growth)} MiB during the download`);
        const evidence = bufferingEvidence(ctx, big, growth);
        if (evidence) ctx.fail('buffers-whole-file', `We downloaded ${target} (128 MiB); ${evidence.text}`, evidence.at);

        const declared = response.headers['content-length'];
        if (response.status !== 200) {
          ctx.fail('wrong-status', `We sent GET ${target}; expected status 200, got ${response.status}.`, await lastCallAt(ctx, 'GET', target, ['writeHead', 'statusCode']));
        }
        if (declared !== String(BIG_SIZE)) {
          ctx.fail('wrong-header', `We sent GET ${target}; expected Content-Length: ${BIG_SIZE} (the file size), got ${declared === undefined ? 'no Content-Length header' : `Content-Length: ${declared}`}.`, await lastCallAt(ctx, 'GET', target, ['writeHead', 'setHeader']));
        }
        const body = response.body;
        if (body.length !== BIG_SIZE || !body.subarray(0, BIG_HEAD.length).equals(BIG_HEAD) || !body.subarray(BIG_SIZE - 3).equals(Buffer.from('END'))) {
          ctx.fail('wrong-body', `We sent GET ${target}; expected the file's ${BIG_SIZE} bytes (starting ${JSON.stringify(BIG_HEAD.subarray(0, 20).toString())}, ending "END"), got ${body.length} bytes${body.length ? ` starting ${JSON.stringify(body.subarray(0, 20).toString('latin1'))}` : ''}.`, await lastCallAt(ctx, 'GET', target, ['write', 'end']));
        }
      },
    },
    {
      id: 'abort-closes-file',
      title: `a client that disconnects mid-download leaves no file open (${ABORTS} downloads of the 128 MiB file, each aborted after 1 MiB)`,
      needs: ['large-file-streamed'],
      timeoutMs: 15_000,
      async run(ctx) {
        const { big, bigReal } = ctx.data as Data;
        const target = '/files/big.bin';
        const fds = () => ctx.server.openFiles()?.filter((path) => path === bigReal || path === big).length ?? null;
        const baseline = fds();
        const streamsBefore = openFileStreams(ctx, big);
        ctx.note(`${ABORTS} downloads at once, each connection closed by us after ${ABORT_AFTER_BYTES / MIB} MiB`);
        await Promise.all(Array.from({ length: ABORTS }, () => abortedDownload(ctx, target)));
        // A server that died of the aborts (an unhandled rejection of stream/promises'
        // pipeline) holds no descriptors: the engine reports the crash itself.
        if (await ctx.program.waitForExit(100)) return;

        // Descriptors are closed asynchronously after the stream is destroyed: poll.
        const began = performance.now();
        let leaked = 0;
        for (;;) {
          if (ctx.server.crash()) return;
          const now = fds();
          leaked = now === null || baseline === null ? openFileStreams(ctx, big) - streamsBefore : now - baseline;
          if (leaked <= 0 || performance.now() - began > CLOSE_WAIT_MS) break;
          await ctx.sleep(50);
        }
        if (leaked > 0) {
          const pipes = ctx.server.eventsOf('pipe').filter((event) => event.path !== undefined && samePath(event.path, big));
          const plainPipe = pipes.find((event) => !event.viaPipeline);
          const stream = ctx.server.eventsOf('file-stream').find((event) => samePath(event.path, big));
          const seconds = ((performance.now() - began) / 1000).toFixed(1);
          const why = plainPipe
            ? `.pipe() stops sending when the client goes away, but it never destroys the file stream, so each aborted download keeps its file open. stream.pipeline() destroys both streams; with .pipe(), destroy the file stream on res 'close'.`
            : `the file streams of the aborted downloads were never destroyed. stream.pipeline() destroys both streams when the client goes away.`;
          ctx.fail(
            'fd-leak-on-abort',
            `We started ${ABORTS} downloads of ${target} (128 MiB) and closed each connection after about 1 MiB; ${seconds} s later your server still held ${leaked} open file descriptor${leaked === 1 ? '' : 's'} on big.bin: ${why}`,
            plainPipe?.at ?? ctx.source.find(/\.pipe\s*\(/) ?? stream?.at ?? null,
          );
        }
      },
    },
  ],
} satisfies LessonChecks;

/** GET a file and compare status, Content-Type, Content-Length and the bytes. */
async function expectFile(ctx: CheckContext, file: FileSpec): Promise<void> {
  const res = await send(ctx, 'GET', file.target);
  ctx.expect(res).status(200).contentType(file.type);
  if (file.charset && !/;\s*charset\s*=\s*"?utf-8"?\s*(;|$)/i.test(res.headers['content-type'] ?? '')) {
    ctx.fail('wrong-content-type', `We sent GET ${file.target}; expected Content-Type ${file.type}; charset=utf-8, got ${JSON.stringify(res.headers['content-type'])}: without the charset, a browser may not decode the file as UTF-8.`, await lastCallAt(ctx, 'GET', file.target, ['writeHead', 'setHeader']));
  }
  ctx.expect(res).header('Content-Length', String(file.content.length));
  if (!res.body.equals(file.content)) {
    ctx.fail('wrong-body', `We sent GET ${file.target}; expected the file's ${file.content.length} bytes ${JSON.stringify(file.content.toString('latin1'))}, got ${res.body.length} bytes ${JSON.stringify(res.body.subarray(0, 80).toString('latin1'))}.`, await lastCallAt(ctx, 'GET', file.target, ['write', 'end']));
  }
}

/**
 * A request. When no complete response comes back because the process died of a
 * file error (ENOENT: an unhandled stream 'error' event, or any unhandled error
 * about the file), that is stream-error-crash, located where the stream was made.
 */
async function send(ctx: CheckContext, method: string, target: string, options: RequestOptions = {}, what?: string): Promise<HttpResponse> {
  try {
    return await ctx.http.request(method, target, options);
  } catch (error) {
    const reason = (error as { reason?: string }).reason;
    if (reason !== 'closed' && reason !== 'reset') throw error;
    await ctx.program.waitForExit(1000);
    const crash = ctx.server.crash();
    const code = crash?.error?.code;
    if (crash?.error && code && ['ENOENT', 'EISDIR', 'ENOTDIR'].includes(code)) {
      const streams = ctx.server.eventsOf('file-stream');
      const stream = streams.find((event) => crash.error!.message.includes(event.path)) ?? streams[streams.length - 1];
      const viaStream = Boolean(stream) || /ReadStream/.test(crash.stderrTail);
      ctx.fail(
        'stream-error-crash',
        `We sent ${method} ${target}${what ? `, ${what}` : ''}; your server crashed with ${crash.error.name}: ${crash.error.message}. ${viaStream
          ? "The file stream emitted 'error' and nothing listened for it, so Node threw it and the process exited, taking every other download with it."
          : 'The error about the file was not handled, so the process exited, taking every other download with it.'}`,
        stream?.at ?? crash.error.at ?? ctx.source.find(/createReadStream\s*\(/),
      );
    }
    throw error;
  }
}

/** A whole GET over a raw connection, without decoding 128 MiB into text. */
async function download(ctx: CheckContext, connection: Connection, target: string, timeoutMs: number) {
  connection.methods.push('GET');
  await connection.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${ctx.server.port}\r\n\r\n`);
  try {
    return await connection.readResponse({ timeoutMs, signal: ctx.signal });
  } catch (error) {
    // The engine's "no response" diagnosis names the request it was.
    Object.assign(error as object, { request: { method: 'GET', target } });
    throw error;
  }
}

/** Starts a download of the big file and closes the connection after about 1 MiB. */
async function abortedDownload(ctx: CheckContext, target: string): Promise<number> {
  const connection = await ctx.http.connect();
  connection.methods.push('GET');
  await connection.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${ctx.server.port}\r\n\r\n`);
  const began = performance.now();
  while (connection.receivedBytes < ABORT_AFTER_BYTES && !connection.closed && performance.now() - began < 3000 && !ctx.signal.aborted) await ctx.sleep(5);
  const received = connection.receivedBytes;
  connection.destroy();
  return received;
}

/** The probe's evidence that the big file went through memory whole. */
function bufferingEvidence(ctx: CheckContext, big: string, growth: number): { text: string; at: Location | null } | null {
  const grew = growth > 0 ? ` (its memory grew by ${mib(growth)} MiB during the download)` : '';
  const read = ctx.server.eventsOf('read-file').find((event) => samePath(event.path, big));
  if (read) {
    return { text: `your server read the whole file into memory with readFile() before sending it${grew}: every download of a large file costs its full size in memory. Stream it with fs.createReadStream() and stream.pipeline().`, at: read.at };
  }
  const sync = ctx.server.eventsOf('sync-call').find((event) => event.fn === 'fs.readFileSync' && event.arg !== undefined && samePath(event.arg, big));
  if (sync) {
    return { text: `your server read the whole file into memory with readFileSync() before sending it${grew}: every download of a large file costs its full size in memory (and blocks the event loop while it reads). Stream it with fs.createReadStream() and stream.pipeline().`, at: sync.at };
  }
  const calls = ctx.server.requests().filter((record) => record.url.startsWith('/files/big.bin')).flatMap((record) => record.calls);
  const whole = calls.find((call) => (call.fn === 'write' || call.fn === 'end') && (call.bytes ?? 0) >= BIG_SIZE / 2);
  if (whole) {
    return { text: `your server passed ${mib(whole.bytes ?? 0)} MiB to a single res.${whole.fn}() call${grew}: the file was in memory whole before a byte was sent. Stream it with fs.createReadStream() and stream.pipeline().`, at: whole.at };
  }
  if (growth >= BUFFERED_GROWTH) {
    const first = calls.find((call) => call.at && !call.nested && (call.fn === 'write' || call.fn === 'end'));
    return { text: `your server's memory grew by ${mib(growth)} MiB while sending it: the file went through memory whole instead of in small chunks. Stream it with fs.createReadStream() and stream.pipeline().`, at: first?.at ?? ctx.source.find(/readFile\w*\s*\(/) };
  }
  return null;
}

/** File streams of `path` opened during this check and not yet closed (the probe's count). */
function openFileStreams(ctx: CheckContext, path: string): number {
  const closed = new Set(ctx.server.eventsOf('file-stream-close').map((event) => event.sid));
  return ctx.server.eventsOf('file-stream').filter((event) => samePath(event.path, path) && !closed.has(event.sid)).length;
}

/** Where to point for a traversal: the containment test, else the line that builds the path, else where the secret was opened. */
function traversalLocation(ctx: CheckContext, siblingOnly: boolean): Location | null {
  const lines = ctx.source.text.split('\n');
  const lineOf = (location: Location) => lines[location.line - 1] ?? '';
  const notArgv = (location: Location) => !/process\.argv|__dirname|import\.meta/.test(lineOf(location));
  if (siblingOnly) {
    const test = ctx.source.findAll(/\.startsWith\s*\(\s*(?![\s'"`])/).find((location) => !/['"`]\/files/.test(lineOf(location)));
    if (test) return test;
  }
  const builder = ctx.source.findAll(/\bpath\.(?:join|resolve|normalize)\s*\(/).find(notArgv)
    ?? ctx.source.findAll(/(?<![.\w])(?:join|resolve)\s*\([^)\n]*,/).find(notArgv);
  if (builder) return builder;
  const opened = [...ctx.server.eventsOf('file-stream'), ...ctx.server.eventsOf('read-file')].find((event) => event.path.includes('secret'));
  return opened?.at ?? null;
}

/** The learner's line of the last call of one of these kinds on the response to method + target. */
async function lastCallAt(ctx: CheckContext, method: string, target: string, kinds?: string[]): Promise<Location | null> {
  const req = await ctx.server.waitFor('req', { timeoutMs: 300, where: (event) => event.method === method && event.url === target });
  if (req) await ctx.server.waitFor('res-finish', { timeoutMs: 300, where: (event) => event.id === req.id });
  const record = req ? ctx.server.requests().find((r) => r.id === req.id) : undefined;
  if (!record) return null;
  const calls = record.calls.filter((call) => call.at && !call.nested && (!kinds || kinds.includes(call.fn)));
  return calls[calls.length - 1]?.at ?? record.lastCallAt;
}

function describeBody(res: HttpResponse): string {
  if (res.body.length === 0) return 'an empty body';
  const text = res.body.subarray(0, 80).toString('utf8');
  return `the body ${JSON.stringify(res.body.length > 80 ? `${text}…` : text)}`;
}

/** Paths as the program named them (relative or absolute) compared with ours. */
function samePath(seen: string, path: string): boolean {
  return seen === path || path.endsWith(sep + seen.replace(/^\.\//, '')) || seen.endsWith(path);
}

function mib(bytes: number): string {
  return (bytes / MIB).toFixed(0);
}
